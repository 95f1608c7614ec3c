"""what-can builds one request per service group and swaps the action in; the swap must
keep `kms:CallerAccount` to AWS KMS's own requests, as `make_request` does: AWS KMS sets
it to the caller's account on its requests, other services do not set it.
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
"""

from __future__ import annotations

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.engine.request import make_request
from policy_engine.scenario.build import authorization_details, inline, user
from policy_engine.snapshot.load import load_snapshot_value
from policy_engine.whatif import parse_question

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OWN_ACCOUNT_ONLY = inline("own-account-keys", {
    "Effect": "Allow", "Action": ["kms:Decrypt", "ec2:DescribeInstances"], "Resource": "*",
    "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}})


def _resolver() -> Resolver:
    return Resolver(load_snapshot_value({"format": "policy-engine-snapshot/1", "accounts": [
        {"id": ACCOUNT, "name": "prod", "authorization_details": authorization_details(
            users=[user(ACCOUNT, "reader", OWN_ACCOUNT_ONLY)])}]}))


def test_what_can_lists_what_asking_one_action_allows() -> None:
    resolver = _resolver()
    principal = f"{ACCOUNT}:user/reader"
    report = what_can(resolver, principal, "*")
    allowed = {a.action.full_name for a in report.allowed}
    assert resolver.ask(parse_question(f"{principal} kms:Decrypt *")).allowed
    assert "kms:Decrypt" in allowed
    # ec2 never carries the key, so the condition fails there.
    assert not resolver.ask(parse_question(f"{principal} ec2:DescribeInstances *")).allowed
    assert "ec2:DescribeInstances" not in allowed


def test_swapping_the_action_adds_or_drops_the_derived_key() -> None:
    s3 = make_request(f"arn:aws:iam::{ACCOUNT}:user/a", "s3:GetObject", "arn:aws:s3:::b/k",
                      resource_account=ACCOUNT)
    kms = s3.with_action("kms:Decrypt")
    assert kms.context["kms:calleraccount"].values == (ACCOUNT,)
    assert "kms:calleraccount" in kms.derived_keys
    back = kms.with_action("s3:GetObject")
    assert "kms:calleraccount" not in back.context
    assert "kms:calleraccount" not in back.derived_keys
    assert "kms:CallerAccount" not in back.key_spellings
    direct = make_request(f"arn:aws:iam::{ACCOUNT}:user/a", "kms:Decrypt", KEY)
    assert direct.with_action("kms:Encrypt").context["kms:calleraccount"].values == (ACCOUNT,)
    stated = make_request(f"arn:aws:iam::{ACCOUNT}:user/a", "kms:Decrypt", KEY,
                          context={"kms:CallerAccount": "444455556666"})
    assert stated.with_action("s3:GetObject").context["kms:calleraccount"].values == (
        "444455556666",)  # stated, so kept: the question says so

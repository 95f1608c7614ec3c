"""who-can lists the accounts a key policy admits through `kms:CallerAccount`: AWS KMS
sets it to the caller's account on its requests, so `Principal: "*"` with
`StringEquals kms:CallerAccount` admits every identity of that account (if its own IAM
policies allow it), as `aws:PrincipalAccount` does. IAM Access Analyzer reports such a
statement naming another account as external access to the key.
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-kms-key
"""

from __future__ import annotations

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.who_can import who_can
from policy_engine.scenario.build import authorization_details, user
from policy_engine.snapshot.load import load_snapshot_value

OWNER, PARTNER, STRANGER = "111122223333", "444455556666", "777788889999"
KEY = f"arn:aws:kms:us-east-1:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _resolver(operator: str) -> Resolver:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "EnableIam", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "PartnerDecrypts", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {operator: {"kms:CallerAccount": PARTNER}}}]}
    return Resolver(load_snapshot_value({
        "format": "policy-engine-snapshot/1",
        "accounts": [{"id": OWNER, "name": "owner",
                      "authorization_details": authorization_details(users=[
                          user(OWNER, "reader")])}],
        "resources": {"kms_keys": [{"arn": KEY, "policy": policy}]}}))


def test_the_account_named_by_caller_account_is_listed() -> None:
    grants = {g.caller.display: g for g in who_can(_resolver("StringEquals"), "kms:Decrypt",
                                                    KEY)}
    partner = grants[f"arn:aws:iam::{PARTNER}:root"]
    assert partner.caller.allowed_if is not None  # its own account must allow it too
    assert [s[2] for s in partner.granting_statements] == ["PartnerDecrypts"]
    assert not any(STRANGER in name for name in grants)


def test_a_negated_caller_account_names_nobody() -> None:
    grants = {g.caller.display for g in who_can(_resolver("StringNotEquals"), "kms:Decrypt",
                                                 KEY)}
    assert f"arn:aws:iam::{PARTNER}:root" not in grants

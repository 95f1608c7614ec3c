"""KMS grants, compiled, and whether one lets the caller make a request on its key.

Sources:
- https://docs.aws.amazon.com/kms/latest/developerguide/grants.html: a grant allows its
  grantee principal to call its grant operations on its one key, in the same account or
  another; it can allow but never deny.
- https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html: constraints
  apply only to cryptographic operations that take an encryption context; in a constraint
  the encryption-context key is not case sensitive, the value is.
- https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints:
  EncryptionContextEquals: the request's encryption context is exactly the constraint's;
  EncryptionContextSubset: the request's context includes every pair of the constraint.
- https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html: who may retire a
  grant (the retiring principal; the grantee when the grant includes RetireGrant; the AWS
  account in which the grant was created).

The grantee is matched as a Principal element would match it (`match_principal`): an
IAM user, a role (every session of it), an assumed-role session, a federated user, a
service principal. An account (`arn:aws:iam::ACCOUNT:root`) as grantee or retiring
principal matches its root user directly and any other identity of the account only
through delegation: that identity's own policies must allow the action (the same rule as a
key policy naming the account; the grants page says the account can delegate the retire
permission to its IAM principals). That reading can only refuse, never wrongly allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.arn import is_account_id, is_service_principal, split_arn
from policy_engine.engine.match_principal import CompiledPrincipals, PrincipalVia
from policy_engine.engine.request import Request, RequestPrincipal
from policy_engine.engine.slots import Slot
from policy_engine.model.grants import KmsGrant
from policy_engine.model.policy import PrincipalMap

EC_PREFIX = "kms:encryptioncontext:"
# The grant operations that take an encryption context (API_GrantConstraints: constraints
# are not applied to the others, such as DescribeKey, RetireGrant, Sign or Verify).
EC_OPERATIONS = frozenset("kms:" + name.lower() for name in (
    "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom", "ReEncryptTo"))
RETIRE = "kms:retiregrant"


@dataclass(frozen=True, slots=True, eq=False)
class CompiledGrant:
    """One grant, ready to match requests (compared and hashed by identity)."""

    grant: KmsGrant
    operations: frozenset[str]  # `kms:decrypt`, ...
    grantee: CompiledPrincipals
    retiring: CompiledPrincipals | None
    issuing_account: str | None
    # Constraint pairs with lower-cased keys; None: no such constraint.
    equals: tuple[tuple[str, str], ...] | None
    subset: tuple[tuple[str, str], ...] | None

    @property
    def label(self) -> str:
        return self.grant.label


@dataclass(frozen=True, slots=True)
class GrantCheck:
    """What one grant says about one request."""

    grant: CompiledGrant
    applies: bool
    reason: str
    via: PrincipalVia | None = None
    constraints_held: bool | None = None  # None: no constraint was checked

    @property
    def delegated(self) -> bool:
        """Named through the caller's account: its own policies must allow the request."""
        return self.via is PrincipalVia.ACCOUNT


def compile_grant(grant: KmsGrant) -> CompiledGrant:
    constraints = grant.Constraints
    equals = subset = None
    if constraints is not None and constraints.EncryptionContextEquals is not None:
        equals = _pairs(constraints.EncryptionContextEquals)
    if constraints is not None and constraints.EncryptionContextSubset is not None:
        subset = _pairs(constraints.EncryptionContextSubset)
    retiring = [p for p in (grant.RetiringPrincipal, grant.RetiringServicePrincipal) if p]
    issuing = grant.IssuingAccount
    if issuing is not None and not is_account_id(issuing):
        parts = split_arn(issuing)
        issuing = parts.account if parts is not None else None
    return CompiledGrant(
        grant=grant,
        operations=frozenset("kms:" + op.lower() for op in grant.Operations),
        grantee=_principals([grant.grantee]),
        retiring=_principals(retiring) if retiring else None,
        issuing_account=issuing,
        equals=equals,
        subset=subset,
    )


def _pairs(mapping: dict[str, str]) -> tuple[tuple[str, str], ...]:
    # Constraint keys are case-insensitive, so `project` and `Project` name one key: the
    # same pair twice is one pair; two values for one key can never both hold.
    return tuple(sorted({(key.lower(), value) for key, value in mapping.items()}))


def _principals(names: list[str]) -> CompiledPrincipals:
    from policy_engine.engine.match_principal import compile_principals

    services = [n for n in names if not n.startswith("arn:") and is_service_principal(n)]
    aws = [n for n in names if n not in services]
    spec = PrincipalMap.model_validate({k: v for k, v in
                                        (("AWS", aws), ("Service", services)) if v})
    return compile_principals(spec)


def _via(principals: CompiledPrincipals, caller: RequestPrincipal) -> PrincipalVia | None:
    if principals.everyone:  # a grant cannot name everyone; never read it as doing so
        return None
    return principals.match(caller)


def check_grant(grant: CompiledGrant, request: Request) -> GrantCheck:
    """Whether the grant lets the caller make the request (its identity side aside)."""
    if request.resource_slot is not Slot.KEY:
        return GrantCheck(grant, False, "the request is not on a KMS key")
    key = grant.grant.KeyId
    if key is not None and key != request.resource and \
            not request.resource.endswith(":key/" + key):
        return GrantCheck(grant, False, f"the grant is for key `{key}`")
    caller, action = request.principal, request.action_lower
    if action == RETIRE:
        return _retire(grant, request)
    if action not in grant.operations:
        return GrantCheck(grant, False, f"`{request.action}` is not among the grant's "
                          "operations")
    via = _via(grant.grantee, caller)
    if via is None:
        return GrantCheck(grant, False, f"`{caller.text}` is not the grantee principal")
    if action not in EC_OPERATIONS or (grant.equals is None and grant.subset is None):
        return GrantCheck(grant, True, "it lists the operation and names the caller as its "
                          "grantee", via)
    held, why = constraints_hold(grant, request)
    return GrantCheck(grant, held, why, via, held)


def operations_naming(grants: tuple[CompiledGrant, ...], request: Request) -> frozenset[str]:
    """The operations (lower-cased) a grant could allow the request's caller, whatever
    the key policy says: those listed by a grant whose grantee names the caller, and
    RetireGrant where a grant names it as its retiring principal or it is of the grant's
    account (`check_grant`, `_retire`); grants allow nothing else."""
    caller = request.principal
    found: set[str] = set()
    for grant in grants:
        if _via(grant.grantee, caller) is not None:
            found |= grant.operations
        issuing = grant.issuing_account or request.resource_account
        if (grant.retiring is not None and _via(grant.retiring, caller) is not None) or (
                issuing is not None and caller.account == issuing):
            found.add(RETIRE)
    return frozenset(found)


def _retire(grant: CompiledGrant, request: Request) -> GrantCheck:
    caller = request.principal
    if grant.retiring is not None:
        via = _via(grant.retiring, caller)
        if via is not None:
            return GrantCheck(grant, True, "the caller is its retiring principal", via)
    if RETIRE in grant.operations:
        via = _via(grant.grantee, caller)
        if via is not None:
            return GrantCheck(grant, True, "the caller is its grantee and it includes "
                              "RetireGrant", via)
    issuing = grant.issuing_account or request.resource_account
    if issuing is not None and caller.account == issuing:
        # The account itself: its root user, or an identity it delegates to.
        return GrantCheck(grant, True, "it was created in the caller's account, which "
                          "may retire it", PrincipalVia.ACCOUNT)
    return GrantCheck(grant, False, "the caller is not the retiring principal, the grantee "
                      "of a grant including RetireGrant, or the grant's account")


def constraints_hold(grant: CompiledGrant, request: Request) -> tuple[bool, str]:
    """The grant's encryption-context constraint against the request's
    `kms:EncryptionContext:KEY` context keys (keys compared case-insensitively, values
    exactly)."""
    context = {key[len(EC_PREFIX):]: value for key, value in request.context.items()
               if key.startswith(EC_PREFIX)}
    wanted = grant.equals if grant.equals is not None else grant.subset
    assert wanted is not None
    for key, value in wanted:
        found = context.get(key)
        if found is None or found.values != (value,):
            shown = "absent" if found is None else ", ".join(f"`{v}`" for v in found.values)
            return False, (f"the grant's constraint needs encryption context `{key}` = "
                           f"`{value}`; the request has {shown}")
    extra = sorted(set(context) - {key for key, _ in wanted})
    if grant.equals is not None and extra:
        return False, ("EncryptionContextEquals needs exactly the constraint's encryption "
                       f"context; the request also has `{extra[0]}`")
    kind = "EncryptionContextEquals" if grant.equals is not None else \
        "EncryptionContextSubset"
    return True, (f"it lists the operation, names the caller as its grantee, and its {kind} "
                  "constraint holds")


def first_applying(grants: tuple[CompiledGrant, ...], request: Request) -> GrantCheck | None:
    """The grant that allows the request, preferring one that names the caller directly
    over one that delegates to its account."""
    delegated: GrantCheck | None = None
    for grant in grants:
        check = check_grant(grant, request)
        if check.applies:
            if not check.delegated:
                return check
            delegated = delegated or check
    return delegated

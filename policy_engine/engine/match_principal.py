"""Principal and NotPrincipal matching against the caller of a request.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from policy_engine.arn import is_account_id, split_arn
from policy_engine.engine.request import PrincipalType, RequestPrincipal
from policy_engine.model.policy import PrincipalMap

if TYPE_CHECKING:
    from policy_engine.engine.compiler import CompiledStatement


class PrincipalVia(StrEnum):
    """How a Principal element named the caller; the decision table depends on it."""

    EXACT = "exact"  # user, role-session, federated-user or identity-provider ARN
    ROLE = "role"  # the role ARN, matching every session of the role
    ACCOUNT = "account"  # account id or :root ARN: delegation to the account's IAM
    EVERYONE = "everyone"  # "*" or {"AWS": "*"}
    SERVICE = "service"


# Stronger grants first: a direct name is less limited than a role ARN or an account.
VIA_STRENGTH = {PrincipalVia.EXACT: 4, PrincipalVia.EVERYONE: 3, PrincipalVia.SERVICE: 3,
                PrincipalVia.ROLE: 2, PrincipalVia.ACCOUNT: 1}


@dataclass(frozen=True, slots=True)
class CompiledPrincipals:
    everyone: bool
    arns: frozenset[str]
    roles: frozenset[tuple[str, str, str]]  # (partition, account, role name), path ignored
    accounts: frozenset[str]  # "partition:account"
    services: frozenset[str]
    federated: frozenset[str]
    canonical_users: frozenset[str]

    def match(self, caller: RequestPrincipal) -> PrincipalVia | None:
        """The strongest way this element names the caller, or None."""
        for arn in caller.exact_arns:
            if arn in self.arns or arn in self.federated:
                return PrincipalVia.EXACT
        if self.everyone:
            return PrincipalVia.EVERYONE
        if caller.type is PrincipalType.SERVICE:
            return PrincipalVia.SERVICE if caller.text in self.services else None
        if caller.type is PrincipalType.IDENTITY_PROVIDER:
            return None
        if caller.type is PrincipalType.ROLE_SESSION and self._names_role(caller):
            return PrincipalVia.ROLE
        if caller.account and f"{caller.partition}:{caller.account}" in self.accounts:
            return PrincipalVia.ACCOUNT
        return None

    def excludes(self, caller: RequestPrincipal) -> bool:
        """NotPrincipal: the caller escapes only if every identity it is evaluated as is listed.

        AWS may evaluate the account, then the role, then the session, so each must be listed.
        """
        if self.everyone:
            return True
        match caller.type:
            case PrincipalType.ANONYMOUS:
                return False
            case PrincipalType.SERVICE:
                return caller.text in self.services
            case PrincipalType.IDENTITY_PROVIDER:
                return caller.text in self.federated
        account_listed = f"{caller.partition}:{caller.account}" in self.accounts
        if caller.type is PrincipalType.ROOT:
            return account_listed
        exact_listed = all(arn in self.arns for arn in caller.exact_arns)
        if caller.type is PrincipalType.ROLE_SESSION:
            return account_listed and self._names_role(caller) and bool(caller.exact_arns) \
                and exact_listed
        return account_listed and exact_listed

    def _names_role(self, caller: RequestPrincipal) -> bool:
        return (caller.partition, caller.account or "", caller.name or "") in self.roles


def principal_via(statement: CompiledStatement, caller: RequestPrincipal,
                  caller_has_boundary: bool) -> PrincipalVia | None:
    """How the statement's Principal/NotPrincipal element names the caller; None: not."""
    principals = statement.principals
    assert principals is not None
    if not statement.principal_negated:
        return principals.match(caller)
    if not statement.is_allow and caller_has_boundary and caller.is_iam_identity:
        # NotPrincipal page: a Deny with NotPrincipal always denies a principal that has a
        # permissions boundary, whatever the element lists.
        return PrincipalVia.EVERYONE
    if statement.is_allow:
        return None  # NotPrincipal with Allow is unsupported: it never grants.
    return None if principals.excludes(caller) else PrincipalVia.EVERYONE


def compile_principals(spec: str | PrincipalMap) -> CompiledPrincipals:
    if isinstance(spec, str):
        return CompiledPrincipals(True, frozenset(), frozenset(), frozenset(), frozenset(),
                                  frozenset(), frozenset())
    arns: set[str] = set()
    roles: set[tuple[str, str, str]] = set()
    accounts: set[str] = set()
    for entry in spec.aws or ():
        if is_account_id(entry):
            accounts.add(f"aws:{entry}")
            continue
        arn = split_arn(entry)
        if arn is not None and arn.service == "iam" and arn.resource == "root":
            accounts.add(f"{arn.partition}:{arn.account}")
        elif arn is not None and arn.service == "iam" and arn.resource.startswith("role/"):
            roles.add((arn.partition, arn.account, arn.resource.rsplit("/", 1)[-1]))
            arns.add(entry)
        else:
            arns.add(entry)
    return CompiledPrincipals(
        everyone=spec.is_everyone,
        arns=frozenset(arns),
        roles=frozenset(roles),
        accounts=frozenset(accounts),
        services=frozenset(spec.service or ()),
        federated=frozenset(spec.federated or ()),
        canonical_users=frozenset(spec.canonical_user or ()),
    )

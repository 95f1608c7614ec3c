"""Principal and NotPrincipal matching against the caller of a request.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from policy_engine.arn import is_account_id
from policy_engine.engine.request import PrincipalType, RequestPrincipal
from policy_engine.model.policy import PrincipalMap


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
        parts = entry.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
            accounts.add(f"{parts[1]}:{parts[4]}")
        elif len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/"):
            roles.add((parts[1], parts[4], parts[5].rsplit("/", 1)[-1]))
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

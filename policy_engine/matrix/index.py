"""Which (principal, resource) pairs some policy could connect; every other pair is
implicitly denied for every action, so it is never evaluated.

An Allow can come from only two sides: the caller's identity-based policies (or, for the
root user, an outsider's assumed identity side, the anonymous caller's and an identity
provider's absent one: nothing to restrict) and the resource side (resource or trust
policy, S3 ACL, KMS grants). Within one account either side is enough, and the root user
has full access to its own account's resources; across accounts both must allow
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
except S3 ACL grants and KMS grants, which are kept whenever they name the caller's
account. Each side is over-approximated: conditions, Deny statements and permissions
boundaries are ignored, principals are matched by account, and a resource pattern's
policy variables match anything. So a skipped pair is one no Allow can reach; the
randomized brute-force test checks that against the plain engine.

Resource patterns are looked up through the sorted list of resource keys: the literal
text before a pattern's first wildcard bounds a range found by bisection, and only that
range is matched.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policy_engine.analysis.grant_sets import principal_entries
from policy_engine.arn import arn_account, is_account_id, is_service_principal
from policy_engine.engine.wildcard import compile_wildcard
from policy_engine.matrix.model import MatrixPrincipal, MatrixResource, PrincipalKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.snapshot import Snapshot

EVERYONE = "*"
_VARIABLE = re.compile(r"\$\{[^}]*\}")
# Principals whose identity side cannot be what keeps them out.
_OPEN_IDENTITY = frozenset({PrincipalKind.ROOT, PrincipalKind.EXTERNAL,
                            PrincipalKind.ANY_OUTSIDER, PrincipalKind.ANONYMOUS,
                            PrincipalKind.PROVIDER})


def resource_service(resource: MatrixResource) -> str:
    return "sts" if resource.type == "iam-role" else resource.key.split(":", 3)[2]


@dataclass
class PairIndex:
    resources: Sequence[MatrixResource]
    _keys: list[str] = field(init=False)
    _order: list[int] = field(init=False)
    _by_pattern: dict[str, frozenset[int]] = field(init=False, default_factory=dict)
    _by_account: dict[str, frozenset[int]] = field(init=False, default_factory=dict)
    _resource_side: dict[str, set[int]] = field(init=False, default_factory=dict)
    _grants: dict[str, set[int]] = field(init=False, default_factory=dict)
    _services: list[str] = field(init=False)

    def __post_init__(self) -> None:
        ranked = sorted(range(len(self.resources)), key=lambda i: self.resources[i].key.lower())
        self._order = ranked
        self._keys = [self.resources[i].key.lower() for i in ranked]
        self._services = [resource_service(r) for r in self.resources]
        accounts: dict[str, set[int]] = {}
        for number, resource in enumerate(self.resources):
            accounts.setdefault(resource.account, set()).add(number)
        self._by_account = {a: frozenset(found) for a, found in accounts.items()}

    # -- the resource side ---------------------------------------------------------

    def add_resource_side(self, number: int, documents: Iterable[PolicyDocument],
                          grant_accounts: Iterable[str]) -> None:
        """The principals the resource's policies name in Allow statements (by account;
        `*` for everyone), and the accounts its ACL and KMS grants name."""
        for document in documents:
            for statement in document.statements:
                if not statement.is_allow:
                    continue
                if statement.not_principal is not None:
                    self._resource_side.setdefault(EVERYONE, set()).add(number)
                    continue
                if statement.principal is None:
                    continue
                for entry in principal_entries(statement.principal):
                    for key in _side_keys(entry):
                        self._resource_side.setdefault(key, set()).add(number)
        for account in grant_accounts:
            self._grants.setdefault(account, set()).add(number)

    def resource_side(self, principal: MatrixPrincipal) -> set[int]:
        found = set(self._resource_side.get(EVERYONE, ()))
        for key in (principal.account, principal.key):
            if key:
                found |= self._resource_side.get(key, set())
        return found

    # -- the identity side ---------------------------------------------------------

    def matching(self, pattern: str) -> frozenset[int]:
        """Resources whose key the pattern may match (case folded, variables as `*`)."""
        found = self._by_pattern.get(pattern)
        if found is None:
            glob = _VARIABLE.sub("*", pattern).lower()
            literal = re.split(r"[*?]", glob, maxsplit=1)[0]
            start = bisect.bisect_left(self._keys, literal)
            end = bisect.bisect_left(self._keys, literal + "\U0010ffff")
            matcher = compile_wildcard(glob)
            found = frozenset(self._order[i] for i in range(start, end)
                              if matcher.matches(self._keys[i]))
            self._by_pattern[pattern] = found
        return found

    def identity_side(self, documents: Iterable[PolicyDocument]) -> set[int]:
        found: set[int] = set()
        every = range(len(self.resources))
        for document in documents:
            for statement in document.statements:
                if not statement.is_allow:
                    continue
                services = _services(statement.action, statement.not_action)
                if statement.resource is None:  # NotResource: anything it leaves
                    reached: Iterable[int] = every
                else:
                    reached = set().union(*(self.matching(p) for p in statement.resource))
                found.update(n for n in reached
                             if services is None or self._services[n] in services)
        return found

    # -- pairs -----------------------------------------------------------------------

    def candidates(self, principal: MatrixPrincipal,
                   identity: Iterable[PolicyDocument]) -> list[int]:
        """Resource numbers, in order, that some Allow could open to the principal."""
        resource_side = self.resource_side(principal)
        own = self._by_account.get(principal.account or "", frozenset())
        if principal.kind in _OPEN_IDENTITY:
            reached = resource_side | (own if principal.kind is PrincipalKind.ROOT else set())
        else:
            identity_side = self.identity_side(identity)
            reached = (identity_side & own) | (resource_side & own) | (
                identity_side & resource_side)
        reached |= self._grants.get(principal.account or "", set())
        reached |= self._grants.get(EVERYONE, set())
        if principal.kind is PrincipalKind.PROVIDER:
            # An identity provider only starts AssumeRoleWithSAML/WithWebIdentity.
            reached = {n for n in reached if self._services[n] == "sts"}
        return sorted(reached)


def _side_keys(entry: str) -> tuple[str, ...]:
    if entry == EVERYONE:
        return (EVERYONE,)
    key, _, value = entry.partition(":")
    if key == "Service" or is_service_principal(value):
        return ()
    if key == "CanonicalUser":
        return (EVERYONE,)  # which account a canonical id is: left to the engine
    if "*" in value or "?" in value:
        account = arn_account(value) if value.startswith("arn:") else None
        return (account,) if account and is_account_id(account) else (EVERYONE,)
    account = arn_account(value) if value.startswith("arn:") else None
    return tuple(k for k in (account, value) if k)


def _services(actions: Sequence[str] | None, not_actions: Sequence[str] | None
              ) -> frozenset[str] | None:
    """The service prefixes an Action element can name; None: any."""
    if actions is None or not_actions is not None:
        return None
    found: set[str] = set()
    for pattern in actions:
        prefix = pattern.split(":", 1)[0].lower()
        if "*" in prefix or "?" in prefix or ":" not in pattern:
            return None
        found.add(prefix)
    return frozenset(found)


def build_index(snapshot: Snapshot, resources: Sequence[MatrixResource],
                grant_accounts: dict[str, set[str]]) -> PairIndex:
    index = PairIndex(resources)
    for number, resource in enumerate(resources):
        if resource.type == "iam-role":
            role = snapshot.principal(resource.key)
            policy = getattr(role, "trust_policy", None)
        else:
            governing = snapshot.resource_for(resource.key)
            policy = governing.policy if governing is not None else None
        documents = [policy.document] if policy is not None else []
        index.add_resource_side(number, documents,
                                grant_accounts.get(resource.key.split("/*")[0], set()))
    return index

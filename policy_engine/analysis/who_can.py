"""who-can ACTION RESOURCE: every principal the snapshot knows that is allowed.

Candidates: every user and role of every account (a role stands for its sessions), the
root user of every account (in the snapshot or named by the resource policy), service
principals the resource policy names, and the anonymous caller. Each is decided by
`evaluate()`; the answer lists the statements that granted access.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policy_engine.analysis.resolve import Caller, Resolver, Target
from policy_engine.arn import arn_account, is_account_id, is_service_principal
from policy_engine.engine.evaluate import EvaluationResult


@dataclass(frozen=True)
class Grant:
    caller: Caller
    result: EvaluationResult

    @property
    def granting_statements(self) -> tuple[tuple[str, str, str], ...]:
        """(policy slot label, policy name, statement) of every Allow that applied."""
        found: list[tuple[str, str, str]] = []
        for trace in self.result.explanation.policies:
            if not trace.applies or trace.slot.is_organization_level:  # they never grant
                continue
            for statement in trace.statements:
                if statement.matched and statement.effect == "Allow":
                    entry = (trace.slot.label, trace.name,
                             statement.sid or f"#{statement.index}")
                    if entry not in found:
                        found.append(entry)
        return tuple(found)


def who_can(resolver: Resolver, action: str, resource: str,
            resource_account: str | None = None) -> list[Grant]:
    target = resolver.target(action, resource, resource_account)
    grants = []
    for caller in candidate_callers(resolver, target):
        result = resolver.evaluate(caller, action, target)
        if result.allowed:
            grants.append(Grant(caller, result))
    return grants


def candidate_callers(resolver: Resolver, target: Target) -> Iterator[Caller]:
    snapshot = resolver.snapshot
    for principal in snapshot.principals():
        yield resolver.caller_for(principal)
    accounts = set(snapshot.accounts)
    named_services: set[str] = set()
    if target.policy is not None:
        for statement in target.policy.document.statements:
            principal = statement.principal
            if principal is None or isinstance(principal, str):
                continue
            for entry in principal.aws or ():
                account = entry if is_account_id(entry) else (
                    arn_account(entry) if entry.endswith(":root") else None)
                if account:
                    accounts.add(account)
            named_services.update(s for s in principal.service or ()
                                  if is_service_principal(s))
    for account in sorted(accounts):
        yield resolver.caller(f"{account}:root")
    for service in sorted(named_services):
        yield resolver.caller(service)
    yield resolver.caller("*")

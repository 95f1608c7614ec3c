"""who-can ACTION RESOURCE: every principal the snapshot knows that is allowed, and the
external access the resource policy gives. Candidates: every user and role of every
account (a role stands for its sessions), the root user of every account (in the
snapshot or named by the resource policy), the users and roles of other accounts the
resource policy names (in `Principal`, or in an `aws:PrincipalArn` /
`aws:PrincipalAccount` / `kms:CallerAccount` condition of a `Principal: "*"` statement),
any principal of another account, service principals the resource policy names, and the
anonymous caller; for an S3 bucket with ACLs, the accounts and groups its grants name too
(S3 Block Public Access and Object Ownership then decide, as S3 would). Each is decided
by `evaluate()`; the answer lists the statements that granted access. A caller outside
the snapshot is allowed only "if its own account allows it" (`Caller.allowed_if`), as
Access Analyzer's external-access findings are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from policy_engine.analysis.resolve import Caller, Resolver, Target
from policy_engine.arn import arn_account, is_account_id, is_service_principal
from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.engine.result import Gate
from policy_engine.engine.s3_access import LOG_DELIVERY_SERVICE, Grantee
from policy_engine.engine.slots import Slot
from policy_engine.errors import PolicyEngineError


@dataclass(frozen=True)
class Grant:
    caller: Caller
    result: EvaluationResult

    @property
    def granting_statements(self) -> tuple[tuple[str, str, str], ...]:
        """(policy slot label, policy name, statement) of every Allow that applied."""
        found: list[tuple[str, str, str]] = []
        for trace in self.result.explanation.policies:
            # SCPs and RCPs only limit; they never grant. An outsider's identity side is
            # the assumed stand-in (`allowed_if` says so), not a statement anyone wrote.
            if not trace.applies or trace.slot.is_organization_level or (
                    self.caller.is_outside and trace.slot is Slot.IDENTITY):
                continue
            for statement in trace.statements:
                if statement.matched and statement.effect == "Allow":
                    entry = (trace.slot.label, trace.name,
                             statement.sid or f"#{statement.index}")
                    if entry not in found:
                        found.append(entry)
        s3 = self.result.explanation.s3
        for grant in (s3 or {}).get("acl_grants", ()):
            # An S3 ACL grant that counted: it grants as a resource policy would.
            if grant["applies"] and grant["ignored_by"] is None:
                entry = ("acl", grant["acl"], f"{grant['permission']} to {grant['grantee']}")
                if entry not in found:
                    found.append(entry)
        return tuple(found)


def who_can(resolver: Resolver, action: str, resource: str,
            resource_account: str | None = None) -> list[Grant]:
    target = resolver.target(action, resource, resource_account)
    grants = []
    for caller in candidate_callers(resolver, target):
        result = resolver.evaluate(caller, action, target)
        if not result.allowed and target.grants:
            result = decide_under_grant_constraints(resolver, caller, action, target) or result
        if result.allowed:
            grants.append(Grant(caller, result))
    return grants


def decide_under_grant_constraints(resolver: Resolver, caller: Caller, action: str,
                                   target: Target) -> EvaluationResult | None:
    """A KMS grant with an encryption-context constraint allows only requests whose
    context meets it (kms/latest/developerguide/create-grant-overview.html): the answer
    for a request that carries the constraint's pairs, saying so."""
    for compiled in target.grants:
        pairs = compiled.equals if compiled.equals is not None else compiled.subset
        if not pairs:
            continue
        context = {f"kms:EncryptionContext:{key}": value for key, value in pairs}
        result = resolver.evaluate(caller, action, target, context)
        if result.allowed and result.verdict.gate is Gate.GRANT:
            shown = ", ".join(f"{key}={value}" for key, value in pairs)
            verdict = replace(result.verdict, reason=result.verdict.reason +
                              f" (when the request's encryption context has {shown})")
            return replace(result, verdict=verdict)
    return None


def candidate_callers(resolver: Resolver, target: Target) -> Iterator[Caller]:
    snapshot = resolver.snapshot
    for principal in snapshot.principals():
        yield resolver.caller_for(principal)
    accounts = set(snapshot.accounts)
    named_services: set[str] = set()
    named_arns: set[str] = set()
    if target.policy is not None:
        for statement in target.policy.document.statements:
            principal = statement.principal
            if principal is None:
                continue
            entries = ("*",) if isinstance(principal, str) else principal.aws or ()
            for entry in entries:
                account = entry if is_account_id(entry) else (
                    arn_account(entry) if entry.endswith(":root") else None)
                if account:
                    accounts.add(account)
                elif entry.startswith("arn:") and "*" not in entry and "?" not in entry:
                    named_arns.add(entry)
            if "*" in entries:
                found_accounts, found_arns = condition_principals(statement.condition)
                accounts.update(found_accounts)
                named_arns.update(found_arns)
            if not isinstance(principal, str):
                named_services.update(s for s in principal.service or ()
                                      if is_service_principal(s))
    accounts.update(acl_accounts(target))
    for grant in target.grants:  # a KMS key's grantees and retiring principals
        for entry in (grant.grant.grantee, grant.grant.RetiringPrincipal,
                      grant.grant.RetiringServicePrincipal):
            if entry is None:
                continue
            if is_service_principal(entry):
                named_services.add(entry)
            elif entry.endswith(":root"):
                accounts.add(arn_account(entry) or "")
            elif entry.startswith("arn:"):
                named_arns.add(entry)
    accounts.discard("")
    for account in sorted(accounts):
        yield resolver.caller(f"{account}:root")
    for arn in sorted(named_arns):
        if snapshot.principal(arn) is not None:
            continue  # already a candidate
        try:
            yield resolver.caller(arn)
        except PolicyEngineError:
            continue  # e.g. a principal of an account the snapshot holds, since deleted
    if target.policy is not None or _acl_grantees(target):
        yield resolver.any_outsider()
    if Grantee.LOG_DELIVERY in _acl_grantees(target):
        named_services.add(LOG_DELIVERY_SERVICE)
    for service in sorted(named_services):
        yield resolver.caller(service)
    yield resolver.caller("*")


_PRINCIPAL_ARN = "aws:principalarn"
# Keys whose value is the caller's account: the global one, and the one AWS KMS sets on
# its requests, with which key policies admit every identity of an account
# (kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account).
_CALLER_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "kms:calleraccount"})


def _acl_grantees(target: Target) -> set[Grantee]:
    """Who a bucket's (or object's) ACL grants name: S3 evaluates them as resource-side
    grants, so their grantees are candidates (AllUsers, AuthenticatedUsers: any account)."""
    if target.s3 is None:
        return set()
    return {g.grantee for g in (*target.s3.bucket_grants, *target.s3.object_grants)}


def acl_accounts(target: Target) -> set[str]:
    if target.s3 is None:
        return set()
    return {g.account for g in (*target.s3.bucket_grants, *target.s3.object_grants)
            if g.grantee is Grantee.ACCOUNT and g.account}


def condition_principals(condition: Mapping[str, Mapping[str, tuple[object, ...]]] | None
                         ) -> tuple[set[str], set[str]]:
    """Accounts and principal ARNs a `Principal: "*"` statement's conditions name
    (`aws:PrincipalAccount`, `kms:CallerAccount`, `aws:PrincipalArn` values without
    wildcards)."""
    accounts: set[str] = set()
    arns: set[str] = set()
    for operator, keys in (condition or {}).items():
        if "Not" in operator:
            continue  # a negated operator names who is left out
        for key, values in keys.items():
            folded = key.lower()
            for value in values:
                if not isinstance(value, str) or "*" in value or "?" in value:
                    continue
                if folded in _CALLER_ACCOUNT_KEYS and is_account_id(value):
                    accounts.add(value)
                elif folded == _PRINCIPAL_ARN and value.startswith("arn:"):
                    if value.endswith(":root"):
                        accounts.add(arn_account(value) or "")
                    else:
                        arns.add(value)
    return accounts, arns

"""Principal and resource resolution: snapshot entities -> Request + PolicySet.

For a user: its inline and attached managed policies, every group's policies, its
boundary and tags. For a role: the same, with the role's trust policy used when the role is
the resource of sts:AssumeRole*. For a session of a role: the role's policies, plus an
optional session policy. The context gets what the snapshot knows: aws:PrincipalTag/*,
aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceTag/*,
aws:ResourceOrgID, aws:ResourceOrgPaths, aws:userid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from policy_engine.arn import arn_account, split_arn
from policy_engine.engine.compiler import CompiledPolicy, PolicySet, compile_policy
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.request import Request, make_request
from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.memo import BoundedMemo
from policy_engine.model.policy import PolicyDocument
from policy_engine.snapshot import Principal, Role, Snapshot, SnapshotPolicy, User
from policy_engine.whatif import PrincipalRef, Question

DENY_ALL = PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "*", "Resource": "*"}]})
DEFAULT_SESSION_NAME = "session"


class ResolutionError(PolicyEngineError):
    """A principal or resource named in a question is not in the snapshot."""


@dataclass(frozen=True)
class Caller:
    """A resolved caller: who signs the request and which policies speak for it."""

    request_principal: str  # the ARN (or `*`, or a service) the request carries
    display: str
    entity: Principal | None
    account: str | None
    identity: tuple[CompiledPolicy, ...] = ()
    boundary: CompiledPolicy | None = None
    context: Mapping[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def is_role(self) -> bool:
        return isinstance(self.entity, Role)


@dataclass(frozen=True)
class Target:
    """A resolved resource: its policy (trust policy for roles) and its account."""

    arn: str
    account: str | None
    policy: CompiledPolicy | None
    context: Mapping[str, object] = field(default_factory=dict)


class Resolver:
    """Resolves and compiles against one snapshot; every policy is compiled once."""

    def __init__(self, snapshot: Snapshot, *, now: datetime | None = None) -> None:
        self.snapshot = snapshot
        self.now = now or datetime.now(UTC)
        self._compiled: dict[int, tuple[SnapshotPolicy, CompiledPolicy]] = {}
        self._callers: dict[tuple[str, str | None], Caller] = {}
        self._org_levels: dict[tuple[str, str], tuple[tuple[CompiledPolicy, ...], ...] | None]
        self._org_levels = {}
        self._deny_all = compile_policy(DENY_ALL, name="missing-permissions-boundary")
        self._sets: BoundedMemo[tuple[object, ...], PolicySet] = BoundedMemo(4096)

    # -- policies ---------------------------------------------------------------------

    def compiled(self, policy: SnapshotPolicy) -> CompiledPolicy:
        found = self._compiled.get(id(policy))
        if found is None:
            found = (policy, compile_policy(policy.document, name=policy.name))
            self._compiled[id(policy)] = found
        return found[1]

    def org_levels(self, account: str | None, kind: str
                   ) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        organization = self.snapshot.organization
        if account is None or organization is None:
            return None
        key = (account, kind)
        if key not in self._org_levels:
            levels = organization.scps_for(account) if kind == "scp" else \
                organization.rcps_for(account)
            self._org_levels[key] = None if levels is None else tuple(
                tuple(self.compiled(p) for p in level) for level in levels)
        return self._org_levels[key]

    # -- principals -------------------------------------------------------------------

    def caller(self, ref: PrincipalRef | str) -> Caller:
        if isinstance(ref, str):
            from policy_engine.whatif import parse_question

            ref = parse_question(f"{ref} sts:GetCallerIdentity *").principal
        key = (ref.text, ref.session_name)
        found = self._callers.get(key)
        if found is None:
            found = self._callers[key] = self._resolve_caller(ref)
        return found

    def caller_for(self, entity: Principal, session_name: str | None = None) -> Caller:
        key = (entity.arn, session_name)
        found = self._callers.get(key)
        if found is None:
            found = self._callers[key] = self._entity_caller(entity, session_name)
        return found

    def _resolve_caller(self, ref: PrincipalRef) -> Caller:
        if ref.kind == "anonymous":
            return Caller("*", "anonymous (*)", None, None)
        if ref.kind == "service":
            return Caller(ref.text, ref.text, None, None)
        if ref.kind == "root":
            account = ref.account or self._only_account(ref)
            arn = f"arn:aws:iam::{account}:root"
            return Caller(arn, arn, None, account, context=self._org_context(account))
        entity = self._find_entity(ref)
        if entity is None:
            return self._external_caller(ref)
        session = ref.session_name
        if session is None and ref.kind == "arn" and ":assumed-role/" in ref.text:
            session = ref.text.rsplit("/", 1)[1]
        return self.caller_for(entity, session)

    def _find_entity(self, ref: PrincipalRef) -> Principal | None:
        snapshot = self.snapshot
        if ref.kind == "arn":
            if ":assumed-role/" in ref.text:
                account = arn_account(ref.text)
                role_name = ref.text.split("/")[1]
                matches = snapshot.find_principals(role_name, type="role", account=account)
                return matches[0] if matches else None
            return snapshot.principal(ref.text)
        assert ref.name is not None
        matches = list(snapshot.find_principals(ref.name, type=ref.kind, account=ref.account))
        if ref.path is not None:
            matches = [m for m in matches if m.path == ref.path]
        if len(matches) > 1:
            accounts = ", ".join(sorted(m.account for m in matches))
            raise ResolutionError(Problem(
                "ambiguous-principal", f"`{ref.text}` exists in several accounts ({accounts}); "
                f"write it as ACCOUNT:{ref.kind}/{ref.name}", source="<expr>"))
        if not matches:
            raise ResolutionError(Problem(
                "unknown-principal", f"`{ref.text}` is not a {ref.kind} in the snapshot"
                + (f" (account {ref.account})" if ref.account else ""), source="<expr>"))
        return matches[0]

    def _external_caller(self, ref: PrincipalRef) -> Caller:
        """An ARN of an account the snapshot does not hold: no identity side is known."""
        account = ref.account
        if account is not None and self.snapshot.account(account) is not None and \
                self.snapshot.account(account).has_authorization_details:  # type: ignore[union-attr]
            raise ResolutionError(Problem(
                "unknown-principal", f"`{ref.text}` is not in account {account}'s snapshot",
                source="<expr>"))
        return Caller(ref.text, ref.text, None, account,
                      notes=(f"{ref.text} is outside the snapshot: no identity-based policy "
                             "is known for it",))

    def _only_account(self, ref: PrincipalRef) -> str:
        accounts = sorted(self.snapshot.accounts)
        if len(accounts) != 1:
            raise ResolutionError(Problem(
                "ambiguous-principal", f"`{ref.text}`: the snapshot holds several accounts; "
                "write ACCOUNT:root", source="<expr>"))
        return accounts[0]

    def _entity_caller(self, entity: Principal, session_name: str | None) -> Caller:
        snapshot = self.snapshot
        owners: list[Principal | object] = [entity]
        if isinstance(entity, User):
            owners += list(snapshot.groups_of(entity))
        identity: list[CompiledPolicy] = []
        for owner in owners:
            identity += [self.compiled(p) for p in owner.inline_policies]  # type: ignore[attr-defined]
            identity += [self.compiled(m.default)
                         for m in snapshot.managed_policies_of(owner)]  # type: ignore[arg-type]
        notes: list[str] = []
        boundary: CompiledPolicy | None = None
        if entity.permissions_boundary is not None:
            found = snapshot.boundary_of(entity)
            if found is None:
                # Leaving a missing boundary out could only overstate access.
                boundary = self._deny_all
                notes.append(f"the permissions boundary {entity.permissions_boundary.arn} is "
                             "not in the snapshot; treated as allowing nothing")
            else:
                boundary = self.compiled(found)
        context: dict[str, object] = {f"aws:PrincipalTag/{k}": v
                                      for k, v in entity.tags.items()}
        context.update(self._org_context(entity.account))
        context["aws:PrincipalArn"] = entity.arn
        if isinstance(entity, Role):
            session = session_name or DEFAULT_SESSION_NAME
            request_principal = f"arn:aws:sts::{entity.account}:assumed-role/{entity.name}/" \
                f"{session}"
            if entity.role_id:
                context["aws:userid"] = f"{entity.role_id}:{session}"
            display = f"{entity.account}:role/{entity.name}" + (
                f" as session {session_name}" if session_name else "")
        else:
            request_principal = entity.arn
            if entity.user_id:
                context["aws:userid"] = entity.user_id
            display = f"{entity.account}:user/{entity.name}"
        return Caller(request_principal, display, entity, entity.account, tuple(identity),
                      boundary, context, tuple(notes))

    def _resource_context(self, account: str | None) -> dict[str, object]:
        return self._org_context(account, "Resource")

    def _org_context(self, account: str | None, side: str = "Principal") -> dict[str, object]:
        """aws:PrincipalOrgID/OrgPaths (or aws:ResourceOrgID/OrgPaths) of an account."""
        organization = self.snapshot.organization
        if not account or organization is None or organization.path(account) is None:
            return {}
        context: dict[str, object] = {f"aws:{side}OrgID": organization.id}
        paths = organization.org_paths_for(account)
        if paths:
            context[f"aws:{side}OrgPaths"] = [paths]
        return context

    # -- resources --------------------------------------------------------------------

    def target(self, action: str, resource: str, resource_account: str | None = None
               ) -> Target:
        snapshot = self.snapshot
        if resource == "*":
            return Target(resource, resource_account, None)
        arn = split_arn(resource)
        is_role = arn is not None and arn.service == "iam" and arn.resource.startswith("role/")
        if is_role and action.lower().startswith("sts:"):
            role = snapshot.principal(resource)
            if not isinstance(role, Role):
                assert arn is not None
                return Target(resource, resource_account or arn.account or None, None)
            trust = self.compiled(role.trust_policy) if role.trust_policy else None
            return Target(role.arn, role.account, trust,
                          {f"aws:ResourceTag/{k}": v for k, v in role.tags.items()})
        governing = snapshot.resource_for(resource)
        if governing is None:
            return Target(resource, resource_account, None,
                          self._resource_context(resource_account or arn.account
                                                     if arn is not None else None))
        context: dict[str, object] = {f"aws:ResourceTag/{k}": v
                                      for k, v in governing.tags.items()}
        context.update(self._resource_context(governing.account))
        policy = self.compiled(governing.policy) if governing.policy else None
        return Target(resource, governing.account, policy, context)

    # -- requests ---------------------------------------------------------------------

    def policy_set(self, caller: Caller, target: Target,
                   session_policy: CompiledPolicy | None = None) -> PolicySet:
        """The set for a caller and target; the same one (and so its evaluator, with what
        it remembers) each time they meet again. Compiled policies key it by identity."""
        key = (caller.identity, caller.boundary, session_policy, target.policy,
               caller.account, target.account)
        found = self._sets.get(key)
        if found is None:
            organization = self.snapshot.organization
            found = self._sets.put(key, PolicySet(
                identity=caller.identity,
                permissions_boundary=caller.boundary,
                session_policy=session_policy,
                resource_policy=target.policy,
                scps=self.org_levels(caller.account, "scp"),
                rcps=self.org_levels(target.account, "rcp"),
                management_account=organization.management_account if organization
                else None,
            ))
        return found

    def request(self, caller: Caller, action: str, target: Target,
                context: Mapping[str, object] | None = None) -> Request:
        merged: dict[str, object] = {**caller.context, **target.context}
        for key, value in (context or {}).items():
            merged[key] = list(value) if isinstance(value, tuple) else value
        return make_request(caller.request_principal, action, target.arn,
                            resource_account=target.account, context=merged, now=self.now,
                            source="<expr>")

    def evaluate(self, caller: Caller, action: str, target: Target,
                 context: Mapping[str, object] | None = None) -> EvaluationResult:
        return evaluate(self.request(caller, action, target, context),
                        self.policy_set(caller, target))

    def ask(self, question: Question, *, source: str = "<expr>") -> EvaluationResult:
        """Answer a question; errors point at the question's line and column in `source`."""
        try:
            caller = self.caller(question.principal)
            target = self.target(question.action, question.resource,
                                 question.resource_account)
            return self.evaluate(caller, question.action, target, question.context)
        except PolicyEngineError as error:
            first = error.problems[0]
            raise type(error)(Problem(first.code, first.message, first.pointer,
                                      question.line, question.column, source)) from None

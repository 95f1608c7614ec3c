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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from policy_engine.arn import arn_account, is_account_id, split_arn
from policy_engine.engine.compiler import CompiledPolicy, PolicySet, compile_policy
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.grants import CompiledGrant, compile_grant
from policy_engine.engine.request import Request, make_request
from policy_engine.engine.s3_access import S3Access, compile_s3_access
from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.memo import BoundedMemo
from policy_engine.model.grants import KmsGrant
from policy_engine.model.policy import PolicyDocument
from policy_engine.model.s3_access import S3AccessSettings
from policy_engine.request_checks import question_problems, resource_warning
from policy_engine.snapshot import Principal, Resource, Role, Snapshot, SnapshotPolicy, User
from policy_engine.whatif import PrincipalRef, Question

# A permissions boundary the snapshot references but does not hold stands in as a policy
# with no statement: it allows nothing, so the boundary gate implicitly denies whatever it
# would have to allow, and it can never explicitly deny (access_policies_boundaries.html).
EMPTY_POLICY = PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": []})
# The identity side of a caller outside the snapshot: unknown, so assumed to allow. Its
# answers are reported as "allowed if its own account allows it", never as plain Allows.
ASSUMED_ALLOW = PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
ANY_OUTSIDER = "any principal of another account"
MISSING_SUFFIX = " (not in the snapshot)"
DEFAULT_SESSION_NAME = "session"
# How to name the account of a resource whose ARN has none, in an expression and on the
# command line.
IN_ACCOUNT_FIX = "write `in account ACCOUNT` after the resource"
OPTION_FIX = "give `--resource-account ACCOUNT`"


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
    # For a caller outside the snapshot, what an Allow for it depends on ("account X
    # allows it"): its own account's policies are unknown and assumed to allow.
    allowed_if: str | None = None
    # The ARN of a permissions boundary the snapshot lacks: it stands in as allowing
    # nothing, but a Deny in it could still refuse what a resource policy grants.
    missing_boundary: str | None = None

    @property
    def is_outside(self) -> bool:
        return self.allowed_if is not None

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
    notes: tuple[str, ...] = ()
    # S3 Block Public Access, Object Ownership and ACL of a bucket (or its object).
    s3: S3Access | None = None
    grants: tuple[CompiledGrant, ...] = ()  # a KMS key's grants


class Resolver:
    """Resolves and compiles against one snapshot; every policy is compiled once."""

    def __init__(self, snapshot: Snapshot, *, now: datetime | None = None) -> None:
        self.snapshot = snapshot
        self.now = now or datetime.now(UTC)
        self._compiled: dict[int, tuple[SnapshotPolicy, CompiledPolicy]] = {}
        self._callers: dict[tuple[str, str | None], Caller] = {}
        self._org_levels: dict[tuple[str, str], tuple[tuple[CompiledPolicy, ...], ...] | None]
        self._org_levels = {}
        self._missing: dict[str, CompiledPolicy] = {}
        self._assumed: dict[str, CompiledPolicy] = {}
        self._sets: BoundedMemo[tuple[object, ...], PolicySet] = BoundedMemo(4096)
        self._s3: dict[tuple[str, str | None], S3Access | None] = {}
        self._grants: dict[str, tuple[CompiledGrant, ...]] = {}

    # -- policies ---------------------------------------------------------------------

    def compiled(self, policy: SnapshotPolicy) -> CompiledPolicy:
        found = self._compiled.get(id(policy))
        if found is None:
            found = (policy, compile_policy(policy.document, name=policy.name))
            self._compiled[id(policy)] = found
        return found[1]

    def missing_policy(self, arn: str) -> CompiledPolicy:
        """The stand-in for a managed policy the snapshot lacks: no statement, named so the
        explanation says it is missing."""
        found = self._missing.get(arn)
        if found is None:
            name = arn.rsplit("/", 1)[-1] + MISSING_SUFFIX
            found = self._missing[arn] = compile_policy(EMPTY_POLICY, name=name)
        return found

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
            if not self.holds(account):
                return self._outsider(arn, arn, account)
            return Caller(arn, arn, None, account, context=self._org_context(account))
        if ref.kind in {"user", "role"} and ref.account and not self.holds(ref.account):
            return self._external_caller(ref)
        if ref.kind == "arn" and (":saml-provider/" in ref.text or ":oidc-provider/" in ref.text):
            return self._provider_caller(ref)
        entity = self._find_entity(ref)
        if entity is None:
            return self._external_caller(ref)
        session = ref.session_name
        if session is None and ref.kind == "arn" and ":assumed-role/" in ref.text:
            session = ref.text.rsplit("/", 1)[1]
        return self.caller_for(entity, session)

    def _provider_caller(self, ref: PrincipalRef) -> Caller:
        """A SAML or OIDC identity provider starting AssumeRoleWith*: it has no identity
        policies; the role's trust policy alone decides (id_roles_providers.html). A
        provider of an account the snapshot holds must be one that account lists."""
        account = arn_account(ref.text)
        found = self.snapshot.account(account) if account else None
        if found is not None and found.has_authorization_details and (
                ref.text not in found.identity_providers):
            listed = ", ".join(found.identity_providers) or "none"
            raise ResolutionError(Problem(
                "unknown-principal", f"`{ref.text}` is not an identity provider of account "
                f"{account} (its snapshot lists: {listed})", source="<expr>"))
        return Caller(ref.text, ref.text, None, account)

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

    def holds(self, account: str) -> bool:
        """Whether the snapshot holds the account's IAM data (its identity side is known)."""
        found = self.snapshot.account(account)
        return found is not None and found.has_authorization_details

    def _external_caller(self, ref: PrincipalRef) -> Caller:
        """A principal of an account the snapshot does not hold: its identity side is
        unknown, so it is assumed to allow (`_outsider`)."""
        account = ref.account
        if account is not None and self.holds(account):
            raise ResolutionError(Problem(
                "unknown-principal", f"`{ref.text}` is not in account {account}'s snapshot",
                source="<expr>"))
        if account is None:
            return Caller(ref.text, ref.text, None, account,
                          notes=(f"{ref.text} is outside the snapshot: no identity-based "
                                 "policy is known for it",))
        kind, name, path = ref.kind, ref.name, ref.path or "/"
        parts = split_arn(ref.text) if kind == "arn" else None
        if parts is not None:
            kind = parts.resource.split("/", 1)[0] if parts.service == "iam" else "arn"
        session = ref.session_name or DEFAULT_SESSION_NAME
        if kind == "role" and name:
            role_arn = f"arn:aws:iam::{account}:role{path}{name}"
            return self._outsider(
                f"arn:aws:sts::{account}:assumed-role/{name}/{session}",
                f"{account}:role/{name}" + (f" as session {ref.session_name}"
                                             if ref.session_name else ""),
                account, {"aws:PrincipalArn": role_arn})
        if kind == "user" and name:
            arn = f"arn:aws:iam::{account}:user{path}{name}"
            return self._outsider(arn, f"{account}:user/{name}", account,
                                  {"aws:PrincipalArn": arn})
        return self._outsider(ref.text, ref.text, account)

    def _outsider(self, request_principal: str, display: str, account: str,
                  context: Mapping[str, object] | None = None, *,
                  allowed_if: str | None = None) -> Caller:
        """A caller whose account's IAM data is not in the snapshot. The resource side and
        the organization's controls are evaluated as they are (RCPs of the resource's
        account; SCPs of its own account only when the organization lists it); its
        identity-based policies are unknown and stand in as one policy that allows
        everything, named so: an Allow then means "allowed if that account allows it"."""
        policy = self._assumed.get(account)
        if policy is None:
            owner = "their own account" if allowed_if else f"account {account}"
            policy = self._assumed[account] = compile_policy(
                ASSUMED_ALLOW, name=f"identity policies of {owner} (not in the snapshot; "
                "assumed to allow)")
        merged = dict(self._org_context(account))
        merged.update(context or {})
        condition = allowed_if or f"account {account} allows it"
        note = (f"{display} is outside the snapshot: the identity-based policies of its "
                f"account are unknown and assumed to allow, so an Allow holds only if "
                f"{condition}")
        return Caller(request_principal, display, None, account, (policy,), None, merged,
                      (note,), condition)

    def any_outsider(self) -> Caller:
        """Any principal of an account outside the snapshot and its organization, as one
        role session of an account nobody names (who-can's external access)."""
        known = set(self.known_accounts())
        account = next(f"{n:012d}" for n in range(1000) if f"{n:012d}" not in known)
        key = (ANY_OUTSIDER, None)
        found = self._callers.get(key)
        if found is None:
            found = self._callers[key] = self._outsider(
                f"arn:aws:sts::{account}:assumed-role/any-role/{DEFAULT_SESSION_NAME}",
                ANY_OUTSIDER, account,
                {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/any-role"},
                allowed_if="their own account allows it")
        return found

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
        missing_boundary: str | None = None
        if entity.permissions_boundary is not None:
            found = snapshot.boundary_of(entity)
            if found is None:
                # Leaving it out would over-state access; a Deny would invent one.
                arn = missing_boundary = entity.permissions_boundary.arn
                boundary = self.missing_policy(arn)
                notes.append(f"the permissions boundary {arn} is not in the snapshot: it is "
                             "treated as allowing nothing, so what it would have to allow "
                             "is implicitly denied")
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
                      boundary, context, tuple(notes), missing_boundary=missing_boundary)

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
        is_s3 = arn is not None and arn.service == "s3" and not arn.account
        if governing is None:
            account, notes = self.resource_account(resource, resource_account)
            s3 = self.s3_access(None, account) if is_s3 else None
            return Target(resource, account, None, self._resource_context(account), notes,
                          s3)
        context: dict[str, object] = {f"aws:ResourceTag/{k}": v
                                      for k, v in governing.tags.items()}
        context.update(self._resource_context(governing.account))
        policy = self.compiled(governing.policy) if governing.policy else None
        s3 = self.s3_access(governing, governing.account) if is_s3 else None
        return Target(resource, governing.account, policy, context, s3=s3,
                      grants=self.grants_of(governing.arn, governing.grants))

    def s3_access(self, bucket: Resource | None, account: str | None) -> S3Access | None:
        """The bucket's settings with its owner's account-level Block Public Access, once
        per bucket; None when neither is configured (then nothing is evaluated)."""
        key = (bucket.arn if bucket is not None else "", account)
        if key in self._s3:
            return self._s3[key]
        settings = self.s3_settings(bucket, account)
        found = None
        if settings is not None:
            policy = bucket.policy.document if bucket is not None and bucket.policy else None
            found = compile_s3_access(settings, policy)
        self._s3[key] = found
        return found

    def s3_settings(self, bucket: Resource | None, account: str | None
                    ) -> S3AccessSettings | None:
        """The bucket's settings as a case file would state them: its own, its owner's
        account-level Block Public Access and the snapshot's canonical user ids."""
        owner = self.snapshot.account(account) if account else None
        account_block = owner.s3_public_access_block if owner is not None else None
        own = bucket.s3 if bucket is not None else None
        if own is None and account_block is None:
            return None
        mapping = {a.canonical_user_id: a.id for a in self.snapshot.accounts.values()
                   if a.canonical_user_id}
        return (own or S3AccessSettings()).model_copy(update={
            "account_public_access_block": account_block, "canonical_users": mapping})

    def grants_of(self, arn: str, grants: tuple[KmsGrant, ...]) -> tuple[CompiledGrant, ...]:
        """A key's grants, compiled once."""
        if not grants:
            return ()
        found = self._grants.get(arn)
        if found is None:
            found = self._grants[arn] = tuple(compile_grant(g) for g in grants)
        return found

    def endpoint_policy(self, request: Request) -> CompiledPolicy | None:
        """The policy of the VPC endpoint the request names with `aws:SourceVpce`, if the
        snapshot holds that endpoint (None: no endpoint, or its default full-access
        policy)."""
        value = request.context.get("aws:sourcevpce")
        if value is None or value.single is None:
            return None
        endpoint = self.snapshot.vpc_endpoints.get(value.single)
        if endpoint is None or endpoint.policy is None:
            return None
        return self.compiled(endpoint.policy)

    def known_accounts(self) -> tuple[str, ...]:
        """Every account the snapshot holds or its organization lists, sorted."""
        accounts = set(self.snapshot.accounts)
        organization = self.snapshot.organization
        if organization is not None:
            accounts.update(organization.paths)
        return tuple(sorted(accounts))

    def resource_account(self, resource: str, given: str | None = None, *,
                         fix: str = IN_ACCOUNT_FIX, source: str = "<expr>"
                         ) -> tuple[str | None, tuple[str, ...]]:
        """The account that owns `resource`, and a note when it had to be assumed.

        The account given, the one in the ARN, the one of the snapshot resource that
        governs it, or, for an ARN without one (S3, Route 53...), the snapshot's only
        account. With several, which one cannot be guessed: same-account and
        cross-account requests are decided differently
        (reference_policies_evaluation-logic-cross-account.html), so the error says how
        to name it (`fix`).
        """
        if given is not None or resource == "*":
            return given, ()
        arn = split_arn(resource)
        if arn is None or arn.account:
            return (arn.account if arn is not None and is_account_id(arn.account) else None), ()
        governing = self.snapshot.resource_for(resource)
        if governing is not None:
            return governing.account, ()
        accounts = self.known_accounts()
        if len(accounts) == 1:
            return accounts[0], (f"`{resource}` names no account; it is taken to be in the "
                                 f"snapshot's only account, {accounts[0]}",)
        held = f"which holds several accounts ({', '.join(accounts)})" if accounts else \
            "which holds no account"
        raise ResolutionError(Problem(
            "missing-element", f"`{resource}` names no account and is not a resource in the "
            f"snapshot, {held}; {fix}", source=source))

    # -- requests ---------------------------------------------------------------------

    def policy_set(self, caller: Caller, target: Target,
                   session_policy: CompiledPolicy | None = None,
                   endpoint: CompiledPolicy | None = None) -> PolicySet:
        """The set for a caller and target; the same one (and so its evaluator, with what
        it remembers) each time they meet again. Compiled policies key it by identity."""
        key = (caller.identity, caller.boundary, session_policy, target.policy,
               caller.account, target.account, target.s3, target.grants, endpoint)
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
                s3=target.s3,
                vpc_endpoint_policy=endpoint,
                grants=target.grants,
            ))
        return found

    def request(self, caller: Caller, action: str, target: Target,
                context: Mapping[str, object] | None = None) -> Request:
        return make_request(caller.request_principal, action, target.arn,
                            resource_account=target.account,
                            context=self.context_for(caller, target, context), now=self.now,
                            source="<expr>")

    @staticmethod
    def context_for(caller: Caller, target: Target,
                    context: Mapping[str, object] | None = None) -> dict[str, object]:
        """The request context before AWS's derived keys: the caller's, the target's,
        then what the question states."""
        merged: dict[str, object] = {**caller.context, **target.context}
        for key, value in (context or {}).items():
            merged[key] = list(value) if isinstance(value, tuple) else value
        return merged

    def evaluate(self, caller: Caller, action: str, target: Target,
                 context: Mapping[str, object] | None = None) -> EvaluationResult:
        """The engine's decision, with what the snapshot could not tell added as notes."""
        request = self.request(caller, action, target, context)
        result = evaluate(request, self.policy_set(caller, target,
                                                   endpoint=self.endpoint_policy(request)))
        notes = caller.notes + target.notes
        if caller.missing_boundary is not None and result.allowed:
            # An explicit Deny in a boundary overrides any Allow, even a resource policy's
            # that names the caller (access_policies_boundaries.html), and this one is
            # unknown: the Allow holds only if it has none that matches.
            notes += (f"allowed only if the permissions boundary {caller.missing_boundary}, "
                      "missing from the snapshot, has no Deny that matches the request",)
        if not notes:
            return result
        verdict = replace(result.verdict, notes=result.verdict.notes + notes)
        return replace(result, verdict=verdict)

    def ask(self, question: Question, *, source: str = "<expr>") -> EvaluationResult:
        """Answer a question; errors point at the question's line and column in `source`."""
        try:
            problems = question_problems(question.action, question.context, source=source,
                                         pointer="")
            if problems:
                raise ResolutionError(problems)
            caller = self.caller(question.principal)
            target = self.target(question.action, question.resource,
                                 question.resource_account)
            result = self.evaluate(caller, question.action, target, question.context)
            warning = resource_warning(question.action, target.arn)
            if warning is None:
                return result
            verdict = replace(result.verdict, notes=(*result.verdict.notes, warning))
            return replace(result, verdict=verdict)
        except PolicyEngineError as error:
            first = error.problems[0]
            raise type(error)(Problem(first.code, first.message, first.pointer,
                                      question.line, question.column, source)) from None

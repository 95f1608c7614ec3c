"""The one `evaluate()`: gather what every applicable policy says, then read the table.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
and reference_policies_evaluation-logic-cross-account.html. `decide.py` holds the table;
this module only scans policies (fast path) and builds traces (explanation path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from policy_engine.engine.compiler import (
    CompiledPolicy,
    CompiledStatement,
    PolicySet,
    Slot,
    SlotGroup,
)
from policy_engine.engine.decide import Facts, PolicyScan, decide
from policy_engine.engine.match_principal import VIA_STRENGTH, PrincipalVia
from policy_engine.engine.request import Request, RequestPrincipal
from policy_engine.engine.result import (
    Decision,
    Explanation,
    Gate,
    Mismatch,
    PolicyRole,
    PolicyTrace,
    StatementTrace,
    Verdict,
)
from policy_engine.engine.services import (
    RCP_EXEMPT_ACTIONS,
    is_kms_cross_account_blocked,
    rcp_services,
    resource_policy_role,
)

_NAMED = PrincipalVia.EXACT  # stand-in "via" for policies without a Principal element


def _principal_via(statement: CompiledStatement, caller: RequestPrincipal,
                   caller_has_boundary: bool) -> PrincipalVia | None:
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


def gather_facts(request: Request, policies: PolicySet) -> Facts | Verdict:
    """Scan every applicable statement once; an applicable Deny ends the scan at once.

    Returns the explicit-deny Verdict when a Deny applies (it is final, R1.3 step 1),
    otherwise the Facts the decision table reads.
    """
    caller = request.principal
    iam_caller = caller.is_iam_identity
    has_boundary = policies.permissions_boundary is not None and iam_caller
    plan = policies.plan_for(request.action_lower)
    layout = plan.layout
    scp_on = scp_applies(request, policies)
    rcp_on = rcp_applies(request, policies)
    active = (scp_on, rcp_on, True, iam_caller, iam_caller, caller.is_session)
    slots = layout.slots
    vias: list[PrincipalVia | None] = [None] * len(slots)
    allow_at: list[int | None] = [None] * len(slots)
    resource, context = request.resource, request.context
    # The engine's hot path: each check is inlined; a statement applies when its resource,
    # principal and conditions all do (its action was matched when the plan was built).
    for slot_index, group, statement in plan.statements:
        if not active[group]:
            continue
        resources = statement.resources
        if resources is not None:
            # Constant patterns: the per-statement memo answers without a call.
            applies = resources.memo.get(resource) if not resources.templates else None
            if applies is None:
                applies = resources.applies(resource, context, is_allow=statement.is_allow)
            if not applies:
                continue
        if statement.principals is None:
            via = _NAMED
        else:
            found = _principal_via(statement, caller, has_boundary)
            if found is None:
                continue
            via = found
        conditions = statement.conditions
        if conditions is not None and not conditions.holds(context):
            continue
        if not statement.is_allow:
            return explicit_deny_verdict(slots[slot_index], statement.index, request)
        current = vias[slot_index]
        if current is None or VIA_STRENGTH[via] > VIA_STRENGTH[current]:
            vias[slot_index], allow_at[slot_index] = via, statement.index

    def scan(index: int) -> PolicyScan:
        via = vias[index]
        policy = slots[index].policy
        return policy.silent_scan if via is None else \
            PolicyScan(policy.name, via, allow_at[index])

    def levels(spec: tuple[tuple[int, ...], ...] | None, on: bool
               ) -> tuple[tuple[PolicyScan, ...], ...] | None:
        return None if spec is None or not on else \
            tuple([tuple([scan(i) for i in level]) for level in spec])

    role = resource_policy_role(request)
    return Facts(
        caller=caller,
        cross_account=request.is_cross_account,
        resource_role=role,
        identity=tuple([scan(i) for i in layout.identity]) if iam_caller else (),
        boundary=scan(layout.boundary) if iam_caller and layout.boundary is not None else None,
        session=scan(layout.session) if caller.is_session and layout.session is not None
        else None,
        resource=None if layout.resource is None else scan(layout.resource),
        scp_levels=levels(layout.scp_levels, scp_on),
        rcp_levels=levels(layout.rcp_levels, rcp_on),
        kms_cross_account_blocked=is_kms_cross_account_blocked(request, role),
    )


_GROUP_ROLE = {SlotGroup.SCP: PolicyRole.SCP, SlotGroup.RCP: PolicyRole.RCP,
               SlotGroup.IDENTITY: PolicyRole.IDENTITY,
               SlotGroup.BOUNDARY: PolicyRole.PERMISSIONS_BOUNDARY,
               SlotGroup.SESSION: PolicyRole.SESSION}


def explicit_deny_verdict(slot: Slot, statement_index: int, request: Request) -> Verdict:
    role = _GROUP_ROLE.get(slot.group) or resource_policy_role(request)
    known = slot.policy.deny_verdicts
    verdict = known.get((statement_index, role))
    if verdict is None:  # built once per statement: verdicts are immutable
        name = slot.policy.name
        verdict = known[(statement_index, role)] = Verdict(
            Decision.EXPLICIT_DENY, Gate.EXPLICIT_DENY,
            f"a Deny statement in the {role.value} policy `{name}` matches the request",
            name, statement_index)
    return verdict


def scp_applies(request: Request, policies: PolicySet) -> bool:
    """SCPs limit IAM users and roles (and root) of member accounts, not the management
    account and not service-linked roles (orgs_manage_policies_scps.html)."""
    caller = request.principal
    return (policies.scps is not None and caller.is_iam_identity
            and caller.account != policies.management_account
            and not caller.is_service_linked)


def rcp_applies(request: Request, policies: PolicySet) -> bool:
    """RCPs limit requests to resources of member accounts for the services they cover
    (orgs_manage_policies_rcps.html)."""
    return (policies.rcps is not None and request.resource_account is not None
            and request.resource_account != policies.management_account
            and not request.principal.is_service_linked
            and request.service in rcp_services()
            and request.action_lower not in RCP_EXEMPT_ACTIONS)


@dataclass(frozen=True)
class EvaluationResult:
    """A decision; its explanation trace is built on first access."""

    verdict: Verdict
    request: Request
    policies: PolicySet = field(repr=False)

    @property
    def decision(self) -> Decision:
        return self.verdict.decision

    @property
    def allowed(self) -> bool:
        return self.verdict.decision is Decision.ALLOWED

    @cached_property
    def explanation(self) -> Explanation:
        return explain(self.request, self.policies, self.verdict)

    def to_dict(self) -> dict[str, object]:
        return {"decision": self.decision.value, "explanation": self.explanation.to_dict()}


def evaluate_verdict(request: Request, policies: PolicySet) -> Verdict:
    facts = gather_facts(request, policies)
    return facts if isinstance(facts, Verdict) else decide(facts)


def evaluate(request: Request, policies: PolicySet) -> EvaluationResult:
    """The decision AWS would make for `request` under `policies`, with its explanation."""
    return EvaluationResult(evaluate_verdict(request, policies), request, policies)


def evaluate_decision(request: Request, policies: PolicySet) -> Decision:
    return evaluate_verdict(request, policies).decision


# --- explanation path: every statement, with the reason it did or did not apply ---------


def explain(request: Request, policies: PolicySet, verdict: Verdict) -> Explanation:
    caller = request.principal
    has_boundary = policies.permissions_boundary is not None and caller.is_iam_identity
    traces: list[PolicyTrace] = []

    def add(policy: CompiledPolicy | None, role: PolicyRole, applies: bool, note: str,
            level: int | None = None) -> None:
        if policy is not None:
            traces.append(trace_policy(policy, role, request, has_boundary, applies, note,
                                       level))

    scp_on = scp_applies(request, policies)
    for level_index, level in enumerate(policies.scps or ()):
        for policy in level:
            add(policy, PolicyRole.SCP, scp_on,
                "" if scp_on else _scp_exemption(request, policies), level_index)
    rcp_on = rcp_applies(request, policies)
    for level_index, level in enumerate(policies.rcps or ()):
        for policy in level:
            add(policy, PolicyRole.RCP, rcp_on,
                "" if rcp_on else _rcp_exemption(request, policies), level_index)
    add(policies.resource_policy, resource_policy_role(request), True, "")
    iam_note = "" if caller.is_iam_identity else \
        f"a {caller.type.value.lower()} caller has no identity-based permissions"
    for policy in policies.identity:
        add(policy, PolicyRole.IDENTITY, caller.is_iam_identity, iam_note)
    add(policies.permissions_boundary, PolicyRole.PERMISSIONS_BOUNDARY,
        caller.is_iam_identity, iam_note)
    add(policies.session_policy, PolicyRole.SESSION, caller.is_session,
        "" if caller.is_session else "session policies apply only to session principals")
    spelled = {name.lower(): name for name in request.key_spellings}
    request_summary = {
        "principal": caller.text,
        "principal_type": caller.type.value,
        "action": request.action,
        "resource": request.resource,
        "resource_account": request.resource_account,
        "cross_account": request.is_cross_account,
        "context": {spelled.get(k, k): (list(v.values) if v.is_multi else v.values[0])
                    for k, v in sorted(request.context.items())},
    }
    derived = tuple(spelled.get(k, k) for k in request.derived_keys)
    return Explanation(verdict, request_summary, tuple(traces), derived)


def _scp_exemption(request: Request, policies: PolicySet) -> str:
    caller = request.principal
    if not caller.is_iam_identity:
        return "SCPs apply only to IAM users and roles of member accounts"
    if caller.account == policies.management_account:
        return "SCPs do not restrict the management account"
    return "SCPs do not restrict service-linked roles"


def _rcp_exemption(request: Request, policies: PolicySet) -> str:
    if request.resource_account is None:
        return "the resource has no account, so no RCP applies"
    if request.resource_account == policies.management_account:
        return "RCPs do not restrict resources in the management account"
    if request.principal.is_service_linked:
        return "RCPs do not restrict service-linked roles"
    if request.action_lower in RCP_EXEMPT_ACTIONS:
        return f"RCPs do not restrict `{request.action}`"
    return f"RCPs do not cover the `{request.service}` service"


def trace_policy(policy: CompiledPolicy, role: PolicyRole, request: Request,
                 has_boundary: bool, applies: bool, note: str, level: int | None
                 ) -> PolicyTrace:
    statements = tuple(trace_statement(s, request, has_boundary) for s in policy.statements)
    return PolicyTrace(policy.name, role, level, applies, note, statements)


def trace_statement(statement: CompiledStatement, request: Request,
                    has_boundary: bool) -> StatementTrace:
    base = {"index": statement.index, "sid": statement.sid, "effect": statement.effect}
    if not statement.actions.matches(request.action_lower):
        element = "NotAction" if statement.actions.negated else "Action"
        verb = "is listed in" if statement.actions.negated else "is not matched by"
        return StatementTrace(**base, matched=False, mismatch=Mismatch.ACTION,
                              detail=f"`{request.action}` {verb} {element} "
                              f"{_listing(p.source for p in statement.actions.patterns)}")
    if statement.resources is not None and not statement.resource_applies(
            request.resource, request.context):
        element = "NotResource" if statement.resources.negated else "Resource"
        sources = [p.source for p in statement.resources.constant] + \
            [t.source for t in statement.resources.templates]
        verb = "is covered by" if statement.resources.negated else "is not matched by"
        return StatementTrace(**base, matched=False, mismatch=Mismatch.RESOURCE,
                              detail=f"`{request.resource}` {verb} {element} "
                              f"{_listing(sources)}")
    via: PrincipalVia | None = None
    if statement.principals is not None:
        via = _principal_via(statement, request.principal, has_boundary)
        if via is None:
            element = "NotPrincipal" if statement.principal_negated else "Principal"
            return StatementTrace(**base, matched=False, mismatch=Mismatch.PRINCIPAL,
                                  detail=f"`{request.principal.text}` is not matched by "
                                  f"{element}")
    conditions: tuple[dict[str, object], ...] = ()
    if statement.conditions is not None:
        results = statement.conditions.explain(request.context)
        conditions = tuple(
            {"operator": r.operator, "key": r.key, "policy_values": list(r.policy_values),
             "request_values": None if r.request_values is None else list(r.request_values),
             "holds": r.holds, "reason": r.reason}
            for r in results
        )
        failed = next((r for r in results if not r.holds), None)
        if failed is not None:
            shown = "absent" if failed.request_values is None else \
                _listing(failed.request_values)
            return StatementTrace(
                **base, matched=False, mismatch=Mismatch.CONDITION,
                detail=f"condition {failed.operator} on `{failed.key}` does not hold "
                f"(request value {shown}, policy {_listing(failed.policy_values)}; "
                f"{failed.reason})",
                principal_via=via.value if via else None, conditions=conditions)
    return StatementTrace(**base, matched=True, detail="applies",
                          principal_via=via.value if via else None, conditions=conditions)


def _listing(values: object) -> str:
    items = [f"`{v}`" for v in values]  # type: ignore[union-attr]
    return "[" + ", ".join(items) + "]"

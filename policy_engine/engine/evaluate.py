"""The one `evaluate()`: gather what every applicable policy says, then read the table.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
and reference_policies_evaluation-logic-cross-account.html. `decide.py` holds the table;
this module only scans policies (fast path); `explain.py` builds traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import product

from policy_engine.engine.compiler import Placement, PolicySet
from policy_engine.engine.decide import Facts, PolicyScan, decide
from policy_engine.engine.explain import explain
from policy_engine.engine.match_principal import VIA_STRENGTH, PrincipalVia, principal_via
from policy_engine.engine.request import Request
from policy_engine.engine.result import Decision, Explanation, Gate, Verdict
from policy_engine.engine.scope import Scope, rcp_applies, scp_applies
from policy_engine.engine.services import is_kms_cross_account_blocked
from policy_engine.engine.slots import LAID_OUT, Slot

_NAMED = PrincipalVia.EXACT  # stand-in "via" for policies without a Principal element

# The slots each scope includes, one frozenset per combination of the scope's flags.
_ACTIVE = {flags: frozenset(s for s in LAID_OUT if Scope(*flags).includes(s))
           for flags in product((False, True), repeat=4)}


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
    active = _ACTIVE[scp_on, rcp_on, iam_caller, caller.is_session]
    placements = layout.placements
    vias: list[PrincipalVia | None] = [None] * len(placements)
    allow_at: list[int | None] = [None] * len(placements)
    resource, context = request.resource, request.context
    # The engine's hot path: each check is inlined; a statement applies when its resource,
    # principal and conditions all do (its action was matched when the plan was built).
    for index, slot, statement in plan.statements:
        if slot not in active:
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
            found = principal_via(statement, caller, has_boundary)
            if found is None:
                continue
            via = found
        conditions = statement.conditions
        if conditions is not None and not conditions.holds(context):
            continue
        if not statement.is_allow:
            return explicit_deny_verdict(placements[index], statement.index, request)
        current = vias[index]
        if current is None or VIA_STRENGTH[via] > VIA_STRENGTH[current]:
            vias[index], allow_at[index] = via, statement.index

    def scan(index: int) -> PolicyScan:
        via = vias[index]
        policy = placements[index].policy
        return policy.silent_scan if via is None else \
            PolicyScan(policy.name, via, allow_at[index])

    def levels(spec: tuple[tuple[int, ...], ...] | None, on: bool
               ) -> tuple[tuple[PolicyScan, ...], ...] | None:
        return None if spec is None or not on else \
            tuple([tuple([scan(i) for i in level]) for level in spec])

    return Facts(
        caller=caller,
        cross_account=request.is_cross_account,
        resource_slot=request.resource_slot,
        identity=tuple([scan(i) for i in layout.identity]) if iam_caller else (),
        boundary=scan(layout.boundary) if iam_caller and layout.boundary is not None else None,
        session=scan(layout.session) if caller.is_session and layout.session is not None
        else None,
        resource=None if layout.resource is None else scan(layout.resource),
        scp_levels=levels(layout.scp_levels, scp_on),
        rcp_levels=levels(layout.rcp_levels, rcp_on),
        kms_cross_account_blocked=is_kms_cross_account_blocked(request),
    )


def explicit_deny_verdict(placement: Placement, statement_index: int, request: Request
                          ) -> Verdict:
    slot = request.resource_slot if placement.slot is Slot.RESOURCE else placement.slot
    known = placement.policy.deny_verdicts
    verdict = known.get((statement_index, slot))
    if verdict is None:  # built once per statement: verdicts are immutable
        name = placement.policy.name
        verdict = known[(statement_index, slot)] = Verdict(
            Decision.EXPLICIT_DENY, Gate.EXPLICIT_DENY,
            f"a Deny statement in the {slot.label} policy `{name}` matches the request",
            name, statement_index)
    return verdict  # type: ignore[return-value]


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

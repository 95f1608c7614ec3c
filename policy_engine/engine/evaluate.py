"""The one `evaluate()`: gather what every applicable policy says, then read the table.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
and reference_policies_evaluation-logic-cross-account.html. `decide.py` holds the table;
this module scans policies (the fast path) through an `Evaluator` over one policy set,
which owns every memo of an evaluation; `explain.py` builds the traces.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from policy_engine.engine.compiler import CompiledPolicy, CompiledStatement, Layout, PolicySet
from policy_engine.engine.conditions import CompiledConditionBlock
from policy_engine.engine.conditions.block import RememberingConditions
from policy_engine.engine.decide import (
    ExtendedFacts,
    Facts,
    PolicyScan,
    decide,
    decide_extended,
    silent_scan,
)
from policy_engine.engine.explain import explain
from policy_engine.engine.grants import first_applying
from policy_engine.engine.match_principal import VIA_STRENGTH, PrincipalVia, principal_via
from policy_engine.engine.match_resource import RENDERED_LIMIT, CompiledResources, covered
from policy_engine.engine.request import PrincipalType, Request
from policy_engine.engine.result import Decision, Explanation, Gate, Verdict
from policy_engine.engine.s3_access import s3_verdict
from policy_engine.engine.scope import included, rcp_applies, scp_applies
from policy_engine.engine.service_rules import (
    RULES,
    UNSIGNED_REFUSED,
    apply_rules,
    requires_signature,
)
from policy_engine.engine.services import is_kms_cross_account_blocked
from policy_engine.engine.slots import Slot
from policy_engine.memo import BoundedMemo

_NAMED = PrincipalVia.EXACT  # stand-in "via" for policies without a Principal element

# Larger than the whole action catalogue (about 22,000), so what-can never evicts.
_PLAN_LIMIT = 65536
_CANDIDATE_LIMIT = 65536
_RESOURCE_LIMIT = 4096
_DENY_LIMIT = 4096
_MEMO_AFTER = 4  # a plan gets its statements' memos when its key is met this often

# (action, SCPs apply, RCPs apply, IAM caller, session caller): what a plan depends on.
PlanKey = tuple[str, bool, bool, bool, bool]
Conditions = CompiledConditionBlock | RememberingConditions
# (placement index, statement, its Resource element, that element's memo: answers per
# resource for an element without variables, rendered patterns for one with them; its
# Condition block, with memos of verdicts per request value where a condition has them).
PlanEntry = tuple[int, CompiledStatement, CompiledResources | None, BoundedMemo | None,
                  Conditions | None]
StatementMemos = tuple[BoundedMemo | None, Conditions | None]


class Evaluator:
    """Decides requests under one policy set, remembering what repeats between requests:
    the statements that can apply per action and scope, each Resource element's answer
    per resource (or its rendered patterns), each condition's verdict per request value,
    and the explicit-deny verdict per statement.

    The memos never change a decision: each holds the value of a pure function of the
    compiled set and its key.
    """

    __slots__ = ("_denies", "_extras", "_grants", "_has_boundary", "_kept", "_plans",
                 "_policies", "_s3", "_seen", "_silent", "_statement_memos", "_unbound",
                 "layout", "management_account", "rcps", "scps")

    def __init__(self, policies: PolicySet, *, owned_by_set: bool = False) -> None:
        # The set's own evaluator (`evaluator_for`) refers to its set weakly: a strong
        # reference would make every set and its memos cyclic garbage, and analyses drop
        # a set per caller.
        self._policies = weakref.ref(policies)
        self._kept = None if owned_by_set else policies
        # The set's organization paths, which the SCP and RCP rules read (`Organizations`).
        self.scps, self.rcps = policies.scps, policies.rcps
        self.management_account = policies.management_account
        self._has_boundary = policies.permissions_boundary is not None
        self._s3 = policies.s3
        self._grants = policies.grants
        # Grants or an endpoint policy: Facts get their fields (a set without either pays
        # one attribute test per request).
        self._extras = bool(policies.grants) or policies.vpc_endpoint_policy is not None
        self.layout: Layout = policies.layout
        placements = self.layout.placements
        self._plans: BoundedMemo[PlanKey, tuple[PlanEntry, ...]] = BoundedMemo(_PLAN_LIMIT)
        # How often each plan key without a kept plan has been met.
        self._seen: BoundedMemo[PlanKey, int] = BoundedMemo(_PLAN_LIMIT)
        # Per (placement, statement): never more than the set has statements, so never
        # emptied in practice.
        # Made when first needed: a set asked once needs neither.
        self._statement_memos: BoundedMemo[tuple[int, int], StatementMemos] | None = None
        self._denies: BoundedMemo[tuple[int, int, Slot], Verdict] | None = None
        # The scan of a policy with nothing to say about a request, one per placement.
        self._silent = tuple([silent_scan(p.policy.name) for p in placements])
        # The evaluator of this set without its resource policy (`_without_resource_policy`).
        self._unbound: Evaluator | None = None

    @property
    def policies(self) -> PolicySet:
        policies = self._policies()
        assert policies is not None  # its owner, or kept alive by `_kept`
        return policies

    def evaluate(self, request: Request) -> EvaluationResult:
        """The decision AWS would make for `request`, with its explanation."""
        return EvaluationResult(self.verdict(request), request, self.policies)

    def verdict(self, request: Request) -> Verdict:
        """The policies' verdict, then the service rules of the action (most actions have
        none: one dict lookup)."""
        facts = self.facts(request)
        if isinstance(facts, Verdict):
            verdict = facts
        elif self._s3 is not None:  # S3 settings only ever remove access or rename it
            verdict = s3_verdict(facts, request, self._s3)
        else:
            verdict = decide_extended(facts) if self._extras else decide(facts)  # type: ignore[arg-type]
        rules = RULES.get(request.action_lower)
        if request.principal.type is PrincipalType.ANONYMOUS and requires_signature(request):
            rules = (UNSIGNED_REFUSED, *(rules or ()))
        if rules is None:
            return verdict
        return apply_rules(rules, request, verdict, self._without_resource_policy)

    def _policies_verdict(self, facts: Facts | Verdict, request: Request) -> Verdict:
        if isinstance(facts, Verdict):
            return facts
        # S3 settings only ever remove access or rename what granted it (`s3_access`).
        if self._s3 is not None:
            return s3_verdict(facts, request, self._s3)
        return decide_extended(facts) if self._extras else decide(facts)  # type: ignore[arg-type]

    def _without_resource_policy(self, request: Request) -> Verdict:
        """The policies' verdict (no service rules) with the set's resource policy left
        out (the S3 bucket-owner rule); that set's evaluator is made once."""
        evaluator = self._unbound
        if evaluator is None:
            evaluator = self._unbound = Evaluator(replace(self.policies, resource_policy=None))
        return evaluator._policies_verdict(evaluator.facts(request), request)

    def facts(self, request: Request) -> Facts | Verdict:
        """Scan every applicable statement once; an applicable Deny ends the scan at once.

        Returns the explicit-deny Verdict when a Deny applies (it is final, R1.3 step 1),
        otherwise the Facts the decision table reads.
        """
        caller = request.principal
        iam_caller = caller.is_iam_identity
        has_boundary = self._has_boundary and iam_caller
        scp_on = scp_applies(request, self)
        rcp_on = rcp_applies(request, self)
        key = (request.action_lower, scp_on, rcp_on, iam_caller, caller.is_session)
        entries = self._plans.get(key)
        if entries is None:
            entries = self._plan(key)
        count = len(self._silent)
        vias: list[PrincipalVia | None] = [None] * count
        allow_at: list[int | None] = [None] * count
        resource, context = request.resource, request.context
        # The engine's hot path: each check is inlined; a statement applies when its
        # resource, principal and conditions all do (its action and its slot's scope were
        # matched when the plan was built).
        for index, statement, resources, memo, conditions in entries:
            if resources is not None:
                if resources.templates:
                    applies = resources.applies(resource, context, is_allow=statement.is_allow,
                                                rendered=memo)
                elif memo is None:
                    applies = covered(resources, resource)
                else:
                    applies = memo.get(resource)
                    if applies is None:
                        applies = memo.put(resource, resources.covers(resource))
                if not applies:
                    continue
            if statement.principals is None:
                via = _NAMED
            else:
                found = principal_via(statement, caller, has_boundary)
                if found is None:
                    continue
                via = found
            if conditions is not None and not conditions.holds(context):
                continue
            if not statement.is_allow:
                return self._deny(index, statement.index, request)
            current = vias[index]
            if current is None or VIA_STRENGTH[via] > VIA_STRENGTH[current]:
                vias[index], allow_at[index] = via, statement.index

        layout, silent = self.layout, self._silent

        def scan(index: int) -> PolicyScan:
            via = vias[index]
            return silent[index] if via is None else \
                PolicyScan(silent[index].name, via, allow_at[index])

        def levels(spec: tuple[tuple[int, ...], ...] | None, on: bool
                   ) -> tuple[tuple[PolicyScan, ...], ...] | None:
            return None if spec is None or not on else \
                tuple([tuple([scan(i) for i in level]) for level in spec])

        facts = (ExtendedFacts if self._extras else Facts)(
            caller=caller,
            cross_account=request.is_cross_account,
            resource_slot=request.resource_slot,
            identity=tuple([scan(i) for i in layout.identity]) if iam_caller else (),
            boundary=scan(layout.boundary) if iam_caller and layout.boundary is not None
            else None,
            session=scan(layout.session) if caller.is_session and layout.session is not None
            else None,
            resource=None if layout.resource is None else scan(layout.resource),
            scp_levels=levels(layout.scp_levels, scp_on),
            rcp_levels=levels(layout.rcp_levels, rcp_on),
            kms_cross_account_blocked=is_kms_cross_account_blocked(request),
        )
        if self._extras:
            object.__setattr__(facts, "endpoint",
                               None if layout.endpoint is None else scan(layout.endpoint))
            object.__setattr__(facts, "grant", first_applying(self._grants, request)
                               if self._grants else None)
        return facts

    def _plan(self, key: PlanKey) -> tuple[PlanEntry, ...]:
        """The statements that can apply to the action, in placement order, from the slots
        the scope includes.

        Until a key has been met `_MEMO_AFTER` times its plan has no memos and is not
        kept: analyses make one set per caller and ask it a few times, where memos would
        only cost (such plans use the process-wide `candidates` and `covered`). Then it is
        built with its statements' memos and kept.
        """
        action_lower, *flags = key
        placements = self.layout.placements
        pairs = [(index, statement) for index in included(self.layout.slots, *flags)
                 for statement in candidates(placements[index].policy, action_lower)]
        met = self._seen.get(key, 0) + 1
        if met < _MEMO_AFTER:
            self._seen.put(key, met)
            return tuple([(index, statement, statement.resources, None, statement.conditions)
                          for index, statement in pairs])
        entries = tuple([(index, statement, statement.resources,
                          *self._memos_for(index, statement)) for index, statement in pairs])
        return self._plans.put(key, entries)

    def _memos_for(self, index: int, statement: CompiledStatement) -> StatementMemos:
        memos = self._statement_memos
        if memos is None:
            memos = self._statement_memos = BoundedMemo(_PLAN_LIMIT)
        found = memos.get((index, statement.index))
        if found is None:
            resources, conditions = statement.resources, statement.conditions
            resource_memo = None if resources is None else BoundedMemo(
                RENDERED_LIMIT if resources.templates else _RESOURCE_LIMIT)
            remembering = None if conditions is None else conditions.remembering()
            found = memos.put((index, statement.index), (resource_memo, remembering))
        return found

    def _deny(self, index: int, statement_index: int, request: Request) -> Verdict:
        slot = self.layout.placements[index].slot
        if slot is Slot.RESOURCE:  # the request says which part the resource policy plays
            slot = request.resource_slot
        key = (index, statement_index, slot)
        denies = self._denies
        if denies is None:
            denies = self._denies = BoundedMemo(_DENY_LIMIT)
        verdict = denies.get(key)
        if verdict is None:  # built once per statement and slot: verdicts are immutable
            name = self._silent[index].name
            verdict = denies.put(key, Verdict(
                Decision.EXPLICIT_DENY, Gate.EXPLICIT_DENY,
                f"a Deny statement in the {slot.label} policy `{name}` matches the request",
                name, statement_index))
        return verdict


@lru_cache(maxsize=_CANDIDATE_LIMIT)
def candidates(policy: CompiledPolicy, action_lower: str) -> tuple[CompiledStatement, ...]:
    """The policy's statements whose Action/NotAction element matches the action.

    A pure function of an immutable policy (hashed by identity), memoised per process
    rather than per evaluator: analyses build one set per caller from shared compiled
    policies (who-can, what-can), and the SCPs and resource policy they share would
    otherwise be matched against the action again for every set.
    """
    return policy.statements_for(action_lower)


def evaluator_for(policies: PolicySet) -> Evaluator:
    """The set's one evaluator, created on first use (see `PolicySet._evaluator`)."""
    evaluator = policies._evaluator
    if evaluator is None:
        evaluator = Evaluator(policies, owned_by_set=True)
        object.__setattr__(policies, "_evaluator", evaluator)
    return evaluator


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
    return (policies._evaluator or evaluator_for(policies)).verdict(request)


def evaluate(request: Request, policies: PolicySet) -> EvaluationResult:
    """The decision AWS would make for `request` under `policies`, with its explanation."""
    verdict = (policies._evaluator or evaluator_for(policies)).verdict(request)
    return EvaluationResult(verdict, request, policies)


def evaluate_decision(request: Request, policies: PolicySet) -> Decision:
    return (policies._evaluator or evaluator_for(policies)).verdict(request).decision

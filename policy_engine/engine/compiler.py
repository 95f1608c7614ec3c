"""Policies -> compiled form: pre-split wildcard patterns, statements indexed by action.

Compile once, evaluate many: nothing here runs on the evaluation hot path except the
per-action candidate cache, which is filled the first time an action is seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

from policy_engine.engine.conditions import CompiledConditionBlock, compile_condition_block
from policy_engine.engine.context import RequestContext
from policy_engine.engine.decide import PolicyScan
from policy_engine.engine.match_action import CompiledActions, compile_actions
from policy_engine.engine.match_principal import CompiledPrincipals, compile_principals
from policy_engine.engine.match_resource import CompiledResources, compile_resources
from policy_engine.model.policy import PolicyDocument, Statement

# Larger than the whole action catalogue (about 22,000), so what-can never evicts.
_CANDIDATE_CACHE_LIMIT = 65536


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    index: int
    sid: str | None
    is_allow: bool
    actions: CompiledActions
    resources: CompiledResources | None  # None: no Resource element (role trust policies)
    principals: CompiledPrincipals | None
    principal_negated: bool
    conditions: CompiledConditionBlock | None

    @property
    def effect(self) -> str:
        return "Allow" if self.is_allow else "Deny"

    def resource_applies(self, resource: str, context: RequestContext) -> bool:
        return self.resources is None or self.resources.applies(resource, context,
                                                                is_allow=self.is_allow)


@dataclass(frozen=True)
class CompiledPolicy:
    name: str
    statements: tuple[CompiledStatement, ...]
    document: PolicyDocument
    _by_service: dict[str, tuple[CompiledStatement, ...]] = field(repr=False, compare=False)
    _any_service: tuple[CompiledStatement, ...] = field(repr=False, compare=False)
    _candidates: dict[str, tuple[CompiledStatement, ...]] = field(
        default_factory=dict, repr=False, compare=False)
    _pools: dict[str, tuple[CompiledStatement, ...]] = field(
        default_factory=dict, repr=False, compare=False)
    # (statement index, policy role) -> its explicit-deny Verdict, filled by the evaluator.
    deny_verdicts: dict[tuple[int, object], object] = field(
        default_factory=dict, repr=False, compare=False)

    @cached_property
    def silent_scan(self) -> PolicyScan:
        """The scan of a policy with nothing to say about a request, built once."""
        return PolicyScan(self.name, allow_via=None, allow_at=None)

    @property
    def has_principal_elements(self) -> bool:
        return any(s.principals is not None for s in self.statements)

    def statements_for(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element matches the action (memoised)."""
        found = self._candidates.get(action_lower)
        if found is None:
            pool = self._pool(action_lower.split(":", 1)[0])
            found = tuple(s for s in pool if s.actions.matches(action_lower))
            if len(self._candidates) >= _CANDIDATE_CACHE_LIMIT:
                self._candidates.clear()
            self._candidates[action_lower] = found
        return found

    def _pool(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that may name an action of the service, in statement order."""
        pool = self._pools.get(service)
        if pool is None:
            pool = tuple(sorted(self._by_service.get(service, ()) + self._any_service,
                                key=lambda s: s.index))
            self._pools[service] = pool
        return pool


def compile_statement(index: int, statement: Statement, *,
                      variables_enabled: bool) -> CompiledStatement:
    action_patterns = statement.action or statement.not_action or ()
    resource_patterns = statement.resource or statement.not_resource
    principal_spec = statement.principal or statement.not_principal
    return CompiledStatement(
        index=index,
        sid=statement.sid,
        is_allow=statement.is_allow,
        actions=compile_actions(action_patterns, negated=statement.action is None),
        resources=None if resource_patterns is None else compile_resources(
            resource_patterns, negated=statement.resource is None,
            variables_enabled=variables_enabled),
        principals=None if principal_spec is None else compile_principals(principal_spec),
        principal_negated=statement.not_principal is not None,
        conditions=None if not statement.condition else compile_condition_block(
            statement.condition, variables_enabled=variables_enabled,
            deny_statement=not statement.is_allow),
    )


def compile_policy(document: PolicyDocument, *, name: str = "policy") -> CompiledPolicy:
    statements = tuple(
        compile_statement(i, s, variables_enabled=document.variables_enabled)
        for i, s in enumerate(document.statements)
    )
    by_service: dict[str, list[CompiledStatement]] = {}
    any_service: list[CompiledStatement] = []
    for statement in statements:
        services = statement.actions.services
        if services is None:
            any_service.append(statement)
        else:
            for service in services:
                by_service.setdefault(service, []).append(statement)
    return CompiledPolicy(
        name=name,
        statements=statements,
        document=document,
        _by_service={k: tuple(v) for k, v in by_service.items()},
        _any_service=tuple(any_service),
    )


@dataclass(frozen=True)
class PolicySet:
    """Every policy that can take part in one request, compiled.

    `scps` are the principal's account path and `rcps` the resource's account path, one
    tuple of policies per level, root first; None means not in an organization.
    """

    identity: tuple[CompiledPolicy, ...] = ()
    permissions_boundary: CompiledPolicy | None = None
    session_policy: CompiledPolicy | None = None
    resource_policy: CompiledPolicy | None = None
    scps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    rcps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    management_account: str | None = None
    _plans: dict[str, ActionPlan] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def layout(self) -> Layout:
        return _build_layout(self)

    def plan_for(self, action_lower: str) -> ActionPlan:
        """Each policy with its statements that can apply to this action (memoised)."""
        plan = self._plans.get(action_lower)
        if plan is None:
            plan = _build_plan(self, action_lower)
            if len(self._plans) >= _CANDIDATE_CACHE_LIMIT:
                self._plans.clear()
            self._plans[action_lower] = plan
        return plan


class SlotGroup(IntEnum):
    """Policy groups in the order their Deny statements are reported."""

    SCP = 0
    RCP = 1
    RESOURCE = 2
    IDENTITY = 3
    BOUNDARY = 4
    SESSION = 5


@dataclass(frozen=True, slots=True)
class Slot:
    group: SlotGroup
    level: int | None
    policy: CompiledPolicy


@dataclass(frozen=True, slots=True)
class Layout:
    """Every policy of a set in a slot, in the order their Denys are reported."""

    slots: tuple[Slot, ...]
    scp_levels: tuple[tuple[int, ...], ...] | None
    rcp_levels: tuple[tuple[int, ...], ...] | None
    resource: int | None
    identity: tuple[int, ...]
    boundary: int | None
    session: int | None


@dataclass(frozen=True, slots=True)
class ActionPlan:
    """One flat list of the statements that can apply to an action, each tagged with its
    policy's slot: one loop evaluates a whole request."""

    layout: Layout
    statements: tuple[tuple[int, SlotGroup, CompiledStatement], ...]  # (slot, its group, …)


def _build_layout(policies: PolicySet) -> Layout:
    slots: list[Slot] = []

    def add(group: SlotGroup, policy: CompiledPolicy | None, level: int | None = None
            ) -> int | None:
        if policy is None:
            return None
        slots.append(Slot(group, level, policy))
        return len(slots) - 1

    def levels(group: SlotGroup, spec: tuple[tuple[CompiledPolicy, ...], ...] | None
               ) -> tuple[tuple[int, ...], ...] | None:
        if spec is None:
            return None
        return tuple(tuple(add(group, p, n) for p in level)  # type: ignore[misc]
                     for n, level in enumerate(spec))

    scp_levels = levels(SlotGroup.SCP, policies.scps)
    rcp_levels = levels(SlotGroup.RCP, policies.rcps)
    resource = add(SlotGroup.RESOURCE, policies.resource_policy)
    identity = tuple(add(SlotGroup.IDENTITY, p) for p in policies.identity)
    boundary = add(SlotGroup.BOUNDARY, policies.permissions_boundary)
    session = add(SlotGroup.SESSION, policies.session_policy)
    return Layout(tuple(slots), scp_levels, rcp_levels, resource,
                  identity, boundary, session)  # type: ignore[arg-type]


def _build_plan(policies: PolicySet, action_lower: str) -> ActionPlan:
    layout = policies.layout
    statements = tuple((index, slot.group, statement)
                       for index, slot in enumerate(layout.slots)
                       for statement in slot.policy.statements_for(action_lower))
    return ActionPlan(layout, statements)


def compile_policy_set(
    *,
    identity: Iterable[tuple[str, PolicyDocument]] = (),
    permissions_boundary: tuple[str, PolicyDocument] | None = None,
    session_policy: tuple[str, PolicyDocument] | None = None,
    resource_policy: tuple[str, PolicyDocument] | None = None,
    scps: Sequence[Sequence[tuple[str, PolicyDocument]]] | None = None,
    rcps: Sequence[Sequence[tuple[str, PolicyDocument]]] | None = None,
    management_account: str | None = None,
) -> PolicySet:
    """Compile named documents into a PolicySet."""

    def one(named: tuple[str, PolicyDocument] | None) -> CompiledPolicy | None:
        return None if named is None else compile_policy(named[1], name=named[0])

    def levels(spec: Sequence[Sequence[tuple[str, PolicyDocument]]] | None
               ) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        if spec is None:
            return None
        return tuple(tuple(compile_policy(d, name=n) for n, d in level) for level in spec)

    return PolicySet(
        identity=tuple(compile_policy(d, name=n) for n, d in identity),
        permissions_boundary=one(permissions_boundary),
        session_policy=one(session_policy),
        resource_policy=one(resource_policy),
        scps=levels(scps),
        rcps=levels(rcps),
        management_account=management_account,
    )



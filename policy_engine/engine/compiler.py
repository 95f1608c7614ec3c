"""Policies -> compiled form: pre-split wildcard patterns, statements indexed by service.

Compile once, evaluate many. Everything here is immutable data built once; what an
evaluation learns (statements per action, answers per resource, deny verdicts) is
remembered by the evaluator of a set (`engine.evaluate.Evaluator`), not here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from policy_engine.engine.conditions import CompiledConditionBlock, compile_condition_block
from policy_engine.engine.context import RequestContext
from policy_engine.engine.grants import CompiledGrant
from policy_engine.engine.match_action import CompiledActions, compile_actions
from policy_engine.engine.match_principal import CompiledPrincipals, compile_principals
from policy_engine.engine.match_resource import CompiledResources, compile_resources
from policy_engine.engine.slots import Slot
from policy_engine.model.oddities import action_oddity, condition_key_oddity
from policy_engine.model.policy import PolicyDocument, Statement

if TYPE_CHECKING:
    from policy_engine.engine.evaluate import Evaluator
    from policy_engine.engine.s3_access import S3Access


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
    # (service prefix, warning) per odd action string, then warnings per odd condition key
    # (`model.oddities`); None for the statements AWS's grammar describes, nearly all.
    oddities: tuple[tuple[tuple[str, str], ...], tuple[str, ...]] | None = None

    @property
    def effect(self) -> str:
        return "Allow" if self.is_allow else "Deny"

    def resource_applies(self, resource: str, context: RequestContext) -> bool:
        return self.resources is None or self.resources.applies(resource, context,
                                                                is_allow=self.is_allow)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    """One compiled policy document. Compared and hashed by identity: it is built once and
    shared by every set that holds it, and is a key of the evaluator's candidate memo."""

    name: str
    statements: tuple[CompiledStatement, ...]
    document: PolicyDocument
    # Service prefix -> the statements that may name one of its actions, in statement
    # order; statements that name no service (`*`, NotAction) are in every pool.
    _pools: Mapping[str, tuple[CompiledStatement, ...]] = field(repr=False, compare=False)
    _any_service: tuple[CompiledStatement, ...] = field(repr=False, compare=False)

    def statements_for(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction element matches the action (not memoised
        here: see `engine.evaluate.candidates`)."""
        pool = self._pools.get(action_lower.split(":", 1)[0], self._any_service)
        return tuple(s for s in pool if s.actions.matches(action_lower))


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
        oddities=_oddities(action_patterns, statement.condition or {}),
    )


def _oddities(actions: Iterable[str], condition: Mapping[str, Mapping[str, object]]
              ) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]] | None:
    """The statement's strings outside the grammar, found once so that explanations of
    well-formed statements (nearly all) pay nothing for them."""
    odd_actions = tuple((action.lower().partition(":")[0].strip(), oddity.warning)
                        for action in actions if (oddity := action_oddity(action)) is not None)
    odd_keys = tuple(oddity.warning for block in condition.values() for key in block
                     if (oddity := condition_key_oddity(key)) is not None)
    return (odd_actions, odd_keys) if odd_actions or odd_keys else None


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
    pools = {service: tuple(sorted(named + any_service, key=lambda s: s.index))
             for service, named in by_service.items()}
    return CompiledPolicy(name, statements, document, MappingProxyType(pools),
                          tuple(any_service))


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
    # The VPC endpoint the request travels through: its policy must allow (never grants).
    vpc_endpoint_policy: CompiledPolicy | None = None
    # The KMS grants of the request's key (grants.html): each can allow, none can deny.
    grants: tuple[CompiledGrant, ...] = ()
    # The evaluator of this set, attached by `engine.evaluate.evaluator_for` on first use.
    # `evaluate(request, policy_set)` is the public API and keeps no state, and the set is
    # the one object its callers keep between calls, so the evaluator (whose memos make
    # repeated actions and resources cheap) lives here. Not part of the set's value.
    _evaluator: Evaluator | None = field(default=None, init=False, repr=False,
                                         compare=False)
    # S3 Block Public Access, Object Ownership and ACLs of the request's bucket
    # (`engine.s3_access`); None: not configured, and the evaluator never looks.
    s3: S3Access | None = None

    @cached_property
    def layout(self) -> Layout:
        """Where each policy sits; derived from the fields, built on first use."""
        return _build_layout(self)


@dataclass(frozen=True, slots=True)
class Placement:
    """One policy of a set in its slot (`level`: its organization level, root first)."""

    slot: Slot
    level: int | None
    policy: CompiledPolicy


@dataclass(frozen=True, slots=True)
class Layout:
    """Every policy of a set, placed in report order (`Slot.order`), and where each
    slot's policies are among the placements."""

    placements: tuple[Placement, ...]
    slots: tuple[Slot, ...]  # each placement's slot
    scp_levels: tuple[tuple[int, ...], ...] | None
    rcp_levels: tuple[tuple[int, ...], ...] | None
    resource: int | None
    identity: tuple[int, ...]
    boundary: int | None
    session: int | None
    endpoint: int | None = None


def _build_layout(policies: PolicySet) -> Layout:
    """Place the set's policies slot by slot, in report order (`LAID_OUT`)."""
    placements: list[Placement] = []

    def one(slot: Slot, policy: CompiledPolicy | None) -> int | None:
        if policy is None:
            return None
        placements.append(Placement(slot, None, policy))
        return len(placements) - 1

    def levels(slot: Slot, spec: tuple[tuple[CompiledPolicy, ...], ...] | None
               ) -> tuple[tuple[int, ...], ...] | None:
        if spec is None:
            return None
        indices = []
        for number, level in enumerate(spec):
            start = len(placements)
            placements.extend([Placement(slot, number, policy) for policy in level])
            indices.append(tuple(range(start, len(placements))))
        return tuple(indices)

    scp_levels = levels(Slot.SCP, policies.scps)
    rcp_levels = levels(Slot.RCP, policies.rcps)
    resource = one(Slot.RESOURCE, policies.resource_policy)
    identity = tuple([one(Slot.IDENTITY, policy) for policy in policies.identity])
    boundary = one(Slot.PERMISSIONS_BOUNDARY, policies.permissions_boundary)
    session = one(Slot.SESSION, policies.session_policy)
    endpoint = one(Slot.VPC_ENDPOINT, policies.vpc_endpoint_policy)
    return Layout(tuple(placements), tuple([p.slot for p in placements]), scp_levels,
                  rcp_levels, resource, identity, boundary, session,  # type: ignore[arg-type]
                  endpoint)


def compile_policy_set(
    *,
    identity: Iterable[tuple[str, PolicyDocument]] = (),
    permissions_boundary: tuple[str, PolicyDocument] | None = None,
    session_policy: tuple[str, PolicyDocument] | None = None,
    resource_policy: tuple[str, PolicyDocument] | None = None,
    scps: Sequence[Sequence[tuple[str, PolicyDocument]]] | None = None,
    rcps: Sequence[Sequence[tuple[str, PolicyDocument]]] | None = None,
    management_account: str | None = None,
    s3: S3Access | None = None,
    vpc_endpoint_policy: tuple[str, PolicyDocument] | None = None,
    grants: Sequence[CompiledGrant] = (),
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
        s3=s3,
        vpc_endpoint_policy=one(vpc_endpoint_policy),
        grants=tuple(grants),
    )



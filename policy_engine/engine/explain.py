"""The explanation path: every policy and statement, with the reason it did or did not apply.

Slow by design and never on the decision path: `EvaluationResult.explanation` builds it on
first access. Policies are reported in layout order (`Slot.order`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from policy_engine.engine.compiler import CompiledPolicy, CompiledStatement, PolicySet
from policy_engine.engine.grants import check_grant
from policy_engine.engine.match_principal import PrincipalVia, principal_via
from policy_engine.engine.request import Request
from policy_engine.engine.result import (
    Explanation,
    GrantTrace,
    Mismatch,
    PolicyTrace,
    StatementTrace,
    Verdict,
)
from policy_engine.engine.s3_access import resource_kind, s3_trace
from policy_engine.engine.scope import exemption, scope_of
from policy_engine.engine.slots import Slot


def explain(request: Request, policies: PolicySet, verdict: Verdict) -> Explanation:
    caller = request.principal
    has_boundary = policies.permissions_boundary is not None and caller.is_iam_identity
    scope = scope_of(request, policies)
    traces: list[PolicyTrace] = []
    for placement in policies.layout.placements:
        applies = scope.includes(placement.slot)
        note = "" if applies else exemption(placement.slot, request, policies)
        slot = request.resource_slot if placement.slot is Slot.RESOURCE else placement.slot
        traces.append(trace_policy(placement.policy, slot, request, has_boundary, applies,
                                   note, placement.level))
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
    s3 = None if policies.s3 is None or resource_kind(request) is None else \
        s3_trace(request, policies.s3)
    return Explanation(verdict, request_summary, tuple(traces), derived, s3,
                       trace_grants(policies, request))


def trace_grants(policies: PolicySet, request: Request) -> tuple[GrantTrace, ...]:
    """Every grant of the key, with whether it applies to the request and why."""
    traces = []
    for grant in policies.grants:
        check = check_grant(grant, request)
        model = grant.grant
        detail = check.reason
        if check.applies and check.delegated:
            detail += " (through the caller's account: its own policies must allow it)"
        traces.append(GrantTrace(grant.label, model.GrantId, model.Name, model.grantee,
                                 model.Operations, check.applies, detail,
                                 check.constraints_held))
    return tuple(traces)


def trace_policy(policy: CompiledPolicy, slot: Slot, request: Request,
                 has_boundary: bool, applies: bool, note: str, level: int | None
                 ) -> PolicyTrace:
    # Well-formed statements (nearly all) skip the warnings step.
    statements = tuple(_trace_statement(s, request, has_boundary) if s.oddities is None
                       else trace_statement(s, request, has_boundary) for s in policy.statements)
    return PolicyTrace(policy.name, slot, level, applies, note, statements)


def trace_statement(statement: CompiledStatement, request: Request,
                    has_boundary: bool) -> StatementTrace:
    trace = _trace_statement(statement, request, has_boundary)
    warnings = oddity_warnings(statement, request, trace.mismatch is not Mismatch.ACTION)
    return replace(trace, warnings=warnings) if warnings else trace


def oddity_warnings(statement: CompiledStatement, request: Request,
                    conditions_examined: bool) -> tuple[str, ...]:
    """The statement's strings outside the grammar that bear on this request: odd actions
    of the request's service (which match only what they literally say, so they never
    match the request's real action), and odd condition keys once conditions are read."""
    if statement.oddities is None:
        return ()
    odd_actions, odd_keys = statement.oddities
    service = request.action_lower.partition(":")[0]
    found = [warning for prefix, warning in odd_actions if prefix == service]
    if conditions_examined:
        found.extend(odd_keys)
    return tuple(dict.fromkeys(found))


def _trace_statement(statement: CompiledStatement, request: Request,
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
        via = principal_via(statement, request.principal, has_boundary)
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


def _listing(values: Iterable[object]) -> str:
    return "[" + ", ".join(f"`{v}`" for v in values) + "]"

"""A concrete request that proves a reported new access, decided by the engine.

The set comparison of `access_diff` is exact over the catalogue but conservative on
conditions; the engine decides one request exactly. For each finding of an identity
policy (no Principal element to fill in) this builds a request for one of its actions on
a resource its pattern matches, with no request context, and evaluates it against OLD
and against NEW alone with the one `evaluate()`. When NEW allows it and OLD does not,
the finding carries that request as its proof; otherwise (a condition the empty context
fails, a sample resource OLD happens to cover) the finding stands without one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from policy_engine.analysis.access_diff import DiffReport, NewAccess, display_name
from policy_engine.analysis.patterns import patterns_intersect
from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.evaluate import evaluate_decision
from policy_engine.engine.request import Request, make_request
from policy_engine.engine.result import Decision
from policy_engine.engine.wildcard import compile_wildcard
from policy_engine.errors import PolicyEngineError
from policy_engine.model.kinds import Family, rules_for
from policy_engine.parse import ParsedPolicy

WITNESS_ACCOUNT = "111122223333"
WITNESS_CALLER = f"arn:aws:iam::{WITNESS_ACCOUNT}:user/diff-witness"
_FILLERS = ("diff-witness", "x", "diff-witness/x", "")


@dataclass(frozen=True)
class Witness:
    principal: str
    action: str
    resource: str
    old_decision: str
    new_decision: str


def with_witnesses(report: DiffReport, old: ParsedPolicy, new: ParsedPolicy) -> DiffReport:
    """The report, each finding of an identity-side policy with a proving request when
    one of the sample requests proves it."""
    if rules_for(new.kind).family is not Family.IDENTITY or not report.new_access:
        return report
    old_set = compile_policy_set(identity=[("old", old.document)])
    new_set = compile_policy_set(identity=[("new", new.document)])
    found = tuple(replace(f, witness=_prove(f, old_set, new_set)) for f in report.new_access)
    return replace(report, new_access=found)


def _prove(found: NewAccess, old_set: PolicySet, new_set: PolicySet) -> Witness | None:
    for action in found.actions[:3]:
        for resource in _samples(found, action.partition(":")[0]):
            request = _request(display_name(action), resource)
            if request is None:
                continue
            new_decision = evaluate_decision(request, new_set)
            if new_decision is not Decision.ALLOWED:
                continue
            old_decision = evaluate_decision(request, old_set)
            if old_decision is not Decision.ALLOWED:
                return Witness(WITNESS_CALLER, request.action, resource, old_decision.value,
                               new_decision.value)
    return None


def _samples(found: NewAccess, service: str) -> list[str]:
    """Concrete resources the finding's pattern matches (for NotResource: ones it does
    not exclude)."""
    generic = [f"arn:aws:{service}:us-east-1:{WITNESS_ACCOUNT}:diff-witness",
               f"arn:aws:{service}:::diff-witness"]
    if found.resources_negated:
        return [c for c in generic if not any(patterns_intersect(p, c) for p in found.resources)]
    pattern = found.resources[0]
    filled = [pattern.replace("?", "x").replace("*", filler) for filler in _FILLERS]
    matcher = compile_wildcard(pattern)
    return list(dict.fromkeys([*filled, *(c for c in generic if matcher.matches(c))]))


def _request(action: str, resource: str) -> Request | None:
    for account in (None, WITNESS_ACCOUNT):
        try:
            return make_request(WITNESS_CALLER, action, resource, resource_account=account)
        except PolicyEngineError:
            continue
    return None

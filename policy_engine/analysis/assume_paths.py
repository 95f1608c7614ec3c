"""assume-paths PRINCIPAL [--to ROLE]: chains of role assumptions a principal can walk.

Each hop is checked on both sides by `evaluate()`: the target role's trust policy (as its
resource policy) and the caller's own permissions, SCPs included (AssumeRole API
reference; reference_policies_evaluation-logic-cross-account.html). A session of a role
acts with that role's policies, so the walk continues from every role reached. SAML and
web-identity providers start a chain with AssumeRoleWithSAML / AssumeRoleWithWebIdentity.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from policy_engine.analysis.resolve import Caller, Resolver
from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.engine.slots import Slot
from policy_engine.snapshot import Role

# The audience the AWS sign-in endpoint puts in console SAML assertions
# (id_roles_providers_enable-console-saml.html); other claims must be given.
SAML_DEFAULT_CONTEXT = {"SAML:aud": "https://signin.aws.amazon.com/saml"}


@dataclass(frozen=True)
class Hop:
    from_display: str
    role: Role
    action: str
    result: EvaluationResult


@dataclass(frozen=True)
class AssumePath:
    hops: tuple[Hop, ...]

    @property
    def end(self) -> Role:
        return self.hops[-1].role


def assume_action(caller: Caller) -> str:
    text = caller.request_principal
    if ":saml-provider/" in text:
        return "sts:AssumeRoleWithSAML"
    if ":oidc-provider/" in text or ("." in text and not text.startswith("arn:")):
        return "sts:AssumeRoleWithWebIdentity"
    return "sts:AssumeRole"


@dataclass(frozen=True)
class BlockedHop:
    """The hop that failed on the nearest chain: `reached` is the chain up to its caller."""

    reached: tuple[Hop, ...]
    caller: str
    role: str
    action: str
    result: EvaluationResult
    caller_outside: bool = False  # its identity side is assumed, so it tells nothing

    @property
    def number(self) -> int:
        return len(self.reached) + 1

    @property
    def deciding_statement(self) -> tuple[str, str, str] | None:
        """(policy role, policy name, statement Sid or `#index`) of the statement that
        decided, when one did."""
        verdict = self.result.verdict
        if verdict.deciding_policy is None:
            return None
        for trace in self.result.explanation.policies:
            if trace.name != verdict.deciding_policy:
                continue
            for statement in trace.statements:
                if statement.index == verdict.deciding_statement:
                    return (trace.slot.value, trace.name,
                            statement.sid or f"#{statement.index}")
            return (trace.slot.value, trace.name, "")
        return None

    def to_dict(self) -> dict[str, object]:
        verdict = self.result.verdict
        role, name, sid = self.deciding_statement or (None, None, None)
        return {"hop": self.number,
                "reached": [{"from": h.from_display, "role": h.role.arn} for h in self.reached],
                "principal": self.caller, "role": self.role, "action": self.action,
                "decision": verdict.decision.value, "decided_by": verdict.gate.value,
                "policy_role": role, "policy": name, "statement": sid or None,
                "reason": verdict.reason}


@dataclass(frozen=True)
class AssumeSearch:
    """The chains found and, when there are none, the hop that blocked the nearest one."""

    paths: tuple[AssumePath, ...]
    blocked: BlockedHop | None


def assume_paths(resolver: Resolver, start: Caller, *, to: str | None = None,
                 max_hops: int = 5, context: Mapping[str, object] | None = None
                 ) -> list[AssumePath]:
    """Every simple path (no role twice) of at most `max_hops` hops, shortest first.

    With `to`, only paths that end at that role ARN.
    """
    return list(search_assume_paths(resolver, start, to=to, max_hops=max_hops,
                                    context=context).paths)


def search_assume_paths(resolver: Resolver, start: Caller, *, to: str | None = None,
                        max_hops: int = 5, context: Mapping[str, object] | None = None
                        ) -> AssumeSearch:
    """`assume_paths`, and when none is found the refused hop nearest to succeeding.

    The refused hops considered end at `to` (or, without `to`, start the walk and are let
    through by the trust policy or the caller's policies). The nearest is the one whose
    trust policy and caller's identity-based policies allow the most (both: something
    else, such as an SCP, blocked it), then the shortest.
    """
    roles = [p for p in resolver.snapshot.principals() if isinstance(p, Role)]
    found: list[AssumePath] = []
    refused: list[BlockedHop] = []
    queue: deque[tuple[Caller, tuple[Hop, ...]]] = deque([(start, ())])
    edges: dict[tuple[str, str], tuple[str, EvaluationResult]] = {}
    while queue:
        caller, hops = queue.popleft()
        if len(hops) >= max_hops:
            continue
        visited = {hop.role.arn for hop in hops}
        if caller.entity is not None:
            visited.add(caller.entity.arn)
        for role in roles:
            if role.arn in visited:
                continue
            action, result = _edge(resolver, caller, role, edges, context)
            if not result.allowed:
                if role.arn == to or (to is None and not hops):
                    refused.append(BlockedHop(hops, caller.display, role.arn, action, result,
                                              caller.is_outside))
                continue
            path = (*hops, Hop(caller.display, role, action, result))
            if to is None or role.arn == to:
                found.append(AssumePath(path))
            queue.append((resolver.caller_for(role, session_name=f"hop{len(path)}"), path))
    if to is None:
        # Without a target, a hop is worth naming only if the trust policy or the caller's
        # own policies let it get somewhere.
        refused = [hop for hop in refused if _distance(hop)[0] < 2]
    nearest = None if found or not refused else min(refused, key=_distance)
    return AssumeSearch(tuple(found), nearest)


def _distance(blocked: BlockedHop) -> tuple[int, int]:
    """Fewer of (trust policy allows, identity-based policy allows) missing, then fewer hops."""
    policies = blocked.result.explanation.policies
    trust = any(p.allows for p in policies if p.slot is Slot.TRUST)
    identity = not blocked.caller_outside and any(
        p.allows for p in policies if p.slot is Slot.IDENTITY)
    return (2 - trust - identity, blocked.number)


def _edge(resolver: Resolver, caller: Caller, role: Role,
          edges: dict[tuple[str, str], tuple[str, EvaluationResult]],
          context: Mapping[str, object] | None) -> tuple[str, EvaluationResult]:
    key = (caller.request_principal.rsplit("/", 1)[0], role.arn)
    cached = edges.get(key)
    if cached is not None:
        return cached
    action = assume_action(caller)
    extra = dict(SAML_DEFAULT_CONTEXT) if action == "sts:AssumeRoleWithSAML" else {}
    extra.update(context or {})
    target = resolver.target(action, role.arn)
    edges[key] = action, resolver.evaluate(caller, action, target, extra)
    return edges[key]

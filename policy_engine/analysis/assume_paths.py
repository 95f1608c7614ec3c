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


def assume_paths(resolver: Resolver, start: Caller, *, to: str | None = None,
                 max_hops: int = 5, context: Mapping[str, object] | None = None
                 ) -> list[AssumePath]:
    """Every simple path (no role twice) of at most `max_hops` hops, shortest first.

    With `to`, only paths that end at that role ARN.
    """
    roles = [p for p in resolver.snapshot.principals() if isinstance(p, Role)]
    found: list[AssumePath] = []
    queue: deque[tuple[Caller, tuple[Hop, ...]]] = deque([(start, ())])
    edges: dict[tuple[str, str], Hop | None] = {}
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
            hop = _edge(resolver, caller, role, edges, context)
            if hop is None:
                continue
            path = (*hops, hop)
            if to is None or role.arn == to:
                found.append(AssumePath(path))
            queue.append((resolver.caller_for(role, session_name=f"hop{len(path)}"), path))
    return found


def _edge(resolver: Resolver, caller: Caller, role: Role,
          edges: dict[tuple[str, str], Hop | None],
          context: Mapping[str, object] | None) -> Hop | None:
    key = (caller.request_principal.rsplit("/", 1)[0], role.arn)
    if key in edges:
        cached = edges[key]
        return None if cached is None else Hop(caller.display, role, cached.action,
                                               cached.result)
    action = assume_action(caller)
    extra = dict(SAML_DEFAULT_CONTEXT) if action == "sts:AssumeRoleWithSAML" else {}
    extra.update(context or {})
    target = resolver.target(action, role.arn)
    result = resolver.evaluate(caller, action, target, extra)
    hop = Hop(caller.display, role, action, result) if result.allowed else None
    edges[key] = hop
    return hop

"""The decision table, read against the AWS evaluation-logic pages.

Sources:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html

Order (first final answer wins):
 1. any applicable Deny ................................... explicitDeny
 2. RCPs: a level of the resource's path without an Allow .. implicitDeny
 3. SCPs: a level of the principal's path without an Allow . implicitDeny
 3a. VPC endpoint policy (the request uses an endpoint) without an Allow for the caller
    (vpc/latest/privatelink/vpc-endpoints-access.html) ....... implicitDeny
 4. KMS operation that does not work across accounts ...... implicitDeny
 4a. a KMS grant on the key allows the operation for the caller (kms grants.html;
    limited by boundary and session policy) ................ allowed
 5. caller without IAM identity (anonymous, service, IdP):
    resource policy grants it ............................. allowed, else implicitDeny
 6. same account: resource policy names the caller directly allowed (limits by R1.4)
    cross account: resource side AND identity side ......... allowed
 7. identity path: identity Allow, boundary Allow, session Allow (and for KMS keys and
    trust policies, the resource policy delegates to the account) ... allowed
 8. otherwise, blame the first missing Allow ............... implicitDeny
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from policy_engine.engine.match_principal import PrincipalVia
from policy_engine.engine.request import PrincipalType, RequestPrincipal
from policy_engine.engine.result import Decision, Gate, RuleCitation, Verdict
from policy_engine.engine.slots import Slot

if TYPE_CHECKING:
    from policy_engine.engine.grants import GrantCheck


@dataclass(frozen=True, slots=True)
class PolicyScan:
    """What one policy says about one request (fast path: no trace)."""

    name: str
    allow_via: PrincipalVia | None
    allow_at: int | None

    @property
    def allows(self) -> bool:
        return self.allow_via is not None


@lru_cache(maxsize=4096)
def silent_scan(name: str) -> PolicyScan:
    """The scan of a policy with nothing to say about a request (immutable, shared)."""
    return PolicyScan(name, allow_via=None, allow_at=None)


@dataclass(frozen=True, slots=True)
class Facts:
    caller: RequestPrincipal
    cross_account: bool
    resource_slot: Slot  # RESOURCE, or KEY / TRUST: policies that must name the caller
    identity: tuple[PolicyScan, ...]
    boundary: PolicyScan | None
    session: PolicyScan | None
    resource: PolicyScan | None
    scp_levels: tuple[tuple[PolicyScan, ...], ...] | None
    rcp_levels: tuple[tuple[PolicyScan, ...], ...] | None
    kms_cross_account_blocked: bool


_KMS_CROSS_ACCOUNT = RuleCitation(
    "kms-operation-not-cross-account",
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html")


@dataclass(frozen=True, slots=True)
class ExtendedFacts(Facts):
    """Facts of a set with KMS grants or a VPC endpoint policy (kept apart so that a set
    without them pays nothing for them): the endpoint policy's scan (None: no endpoint)
    and the grant that allows the request (None: none does)."""

    endpoint: PolicyScan | None = None
    grant: GrantCheck | None = None


_RESOURCE_GATE = {Slot.KEY: Gate.KEY_POLICY, Slot.TRUST: Gate.TRUST_POLICY,
                  Slot.RESOURCE: Gate.RESOURCE_POLICY}


def decide(facts: Facts) -> Verdict:
    """Steps 2-8. Step 1 happens while scanning: the first applicable Deny ends the scan
    with an explicitDeny verdict (evaluate.Evaluator.facts), so Facts never hold a Deny."""
    return (
        _organization_gate(facts.rcp_levels, Gate.RCP, "RCP")
        or _organization_gate(facts.scp_levels, Gate.SCP, "SCP")
        or _kms_cross_account(facts)
        or _caller_without_identity(facts)
        or _allow_paths(facts)
    )


def decide_extended(facts: ExtendedFacts) -> Verdict:
    """`decide`, with steps 3a (the endpoint policy) and 4a (a KMS grant)."""
    return (
        _organization_gate(facts.rcp_levels, Gate.RCP, "RCP")
        or _organization_gate(facts.scp_levels, Gate.SCP, "SCP")
        or (facts.endpoint is not None and _endpoint_gate(facts))
        or _kms_cross_account(facts)
        or (facts.grant is not None and _grant_path(facts))
        or _caller_without_identity(facts)
        or _allow_paths(facts)
    )


def decide_any(facts: Facts) -> Verdict:
    """`decide_extended` for facts that carry an endpoint or a grant, else `decide`: for
    callers that rewrite facts (`s3_access`) and must keep every gate."""
    return decide_extended(facts) if isinstance(facts, ExtendedFacts) else decide(facts)


def _deny(gate: Gate, reason: str, scan: PolicyScan | None = None,
          at: int | None = None, notes: tuple[str, ...] = ()) -> Verdict:
    return Verdict(Decision.IMPLICIT_DENY, gate, reason, scan.name if scan else None, at, notes)


def _organization_gate(levels: tuple[tuple[PolicyScan, ...], ...] | None, gate: Gate,
                       label: str) -> Verdict | None:
    for number, level in enumerate(levels or ()):
        if not any(scan.allows for scan in level):
            where = "the root" if number == 0 else f"level {number} of the organization path"
            return _deny(gate, f"no {label} attached at {where} allows the action; every "
                         "level must allow it, and a resource policy cannot override this")
    return None


def _kms_cross_account(facts: Facts) -> Verdict | None:
    if facts.kms_cross_account_blocked:
        return replace(_deny(Gate.SERVICE_RULE, "this KMS operation cannot be used with a "
                             "key in another account, whatever the policies allow"),
                       service_rule=_KMS_CROSS_ACCOUNT)
    return None


def _endpoint_gate(facts: ExtendedFacts) -> Verdict | None:
    """The endpoint policy must allow the request; it never grants (vpc-endpoints-access).

    An account named in its Principal element stands for the account's root user only,
    not its users and roles (the page's gateway-endpoint note); reading it so everywhere
    can only refuse."""
    scan = facts.endpoint
    assert scan is not None
    via = scan.allow_via
    if via is not None and (via is not PrincipalVia.ACCOUNT
                            or facts.caller.type is PrincipalType.ROOT):
        return None
    return _deny(Gate.VPC_ENDPOINT, "the request travels through a VPC endpoint whose policy "
                 "does not allow it for this caller", scan)


def _grant_path(facts: ExtendedFacts) -> Verdict | None:
    """A KMS grant allows its operations for its grantee without any policy (grants.html).

    The IAM and KMS pages say nothing of permissions boundaries or session policies
    against a grant; a grant is read here as limited by both, the answer that cannot be a
    wrong Allow. A grant that names the caller's account delegates to the account: the
    caller's own policies must then allow the request."""
    check = facts.grant
    assert check is not None
    if check.delegated:
        if _identity_path_gap(facts) is not None:
            return None
    elif facts.caller.is_iam_identity and not (_boundary_allows(facts)
                                               and _session_allows(facts)):
        return None
    return Verdict(Decision.ALLOWED, Gate.GRANT, f"the KMS grant `{check.grant.label}` "
                   f"allows the request: {check.reason}", check.grant.label)


def _caller_without_identity(facts: Facts) -> Verdict | None:
    """Anonymous callers, AWS services and identity providers: resource side only."""
    if facts.caller.is_iam_identity:
        return None
    resource_gate = _RESOURCE_GATE[facts.resource_slot]
    if facts.resource is not None and facts.resource.allows:
        return Verdict(Decision.ALLOWED, resource_gate,
                       "the resource policy allows this caller, which needs no "
                       "identity-based permission", facts.resource.name,
                       facts.resource.allow_at)
    return _deny(resource_gate, f"{facts.caller.type.with_article} is allowed only by a "
                 "resource policy that names it, and none does", facts.resource)


def _identity_allows(facts: Facts) -> bool:
    # R1.1: the root user has full access in its own account without any policy.
    return facts.caller.type is PrincipalType.ROOT or any(s.allows for s in facts.identity)


def _boundary_allows(facts: Facts) -> bool:
    return facts.boundary is None or facts.boundary.allows


def _session_allows(facts: Facts) -> bool:
    if facts.caller.type is PrincipalType.FEDERATED_USER:
        # GetFederationToken without a session policy gives the session no permissions.
        return facts.session is not None and facts.session.allows
    return facts.session is None or facts.session.allows


def _allow_paths(facts: Facts) -> Verdict:
    resource = facts.resource
    via = resource.allow_via if resource is not None else None
    resource_gate = _RESOURCE_GATE[facts.resource_slot]
    must_name_caller = facts.resource_slot in {Slot.KEY, Slot.TRUST}
    if facts.cross_account:
        if via is None:
            what = "key policy" if facts.resource_slot is Slot.KEY else (
                "trust policy" if facts.resource_slot is Slot.TRUST else "resource policy")
            return _deny(resource_gate, f"cross-account access needs the {what} of the "
                         "resource's account to allow the caller, and it does not", resource)
        missing = _identity_path_gap(facts)
        if missing is not None:
            return missing
        assert resource is not None
        return Verdict(Decision.ALLOWED, resource_gate,
                       "cross-account: the resource policy allows the caller and the "
                       "caller's own account allows the request", resource.name,
                       resource.allow_at)
    direct = _same_account_direct_grant(facts, via)
    if direct is not None:
        return direct
    if must_name_caller and via is None:
        what = "key policy" if facts.resource_slot is Slot.KEY else "trust policy"
        return _deny(resource_gate, f"the {what} neither names the caller nor delegates to "
                     "its account, so identity-based policies cannot grant access", resource)
    missing = _identity_path_gap(facts)
    if missing is not None:
        return missing
    if facts.caller.type is PrincipalType.ROOT and not any(s.allows for s in facts.identity):
        return Verdict(Decision.ALLOWED, Gate.ROOT, "the account root user has full access to "
                       "its own account's resources")
    granting = next(s for s in facts.identity if s.allows) if facts.identity else None
    return Verdict(Decision.ALLOWED, Gate.IDENTITY, "an identity-based policy allows the "
                   "request and nothing limits it", granting.name if granting else None,
                   granting.allow_at if granting else None)


def _same_account_direct_grant(facts: Facts, via: PrincipalVia | None) -> Verdict | None:
    """R1.4: which implicit denies still bite depends on how the resource policy named
    the caller."""
    resource = facts.resource
    if resource is None or via is None or via is PrincipalVia.ACCOUNT:
        return None
    gate = _RESOURCE_GATE[facts.resource_slot]
    if via is PrincipalVia.ROLE:
        # Naming the role ARN grants every session of it, but a boundary or session
        # policy still limits the grant.
        if not (_boundary_allows(facts) and _session_allows(facts)):
            return None
        reason = "the resource policy names the caller's role"
    else:
        if facts.resource_slot is Slot.TRUST and not _boundary_allows(facts):
            # id_roles_update-role-trust-policy: a trusted user's boundary must still
            # allow sts:AssumeRole.
            return None
        reason = "the resource policy names the caller directly, so no identity-based " \
                 "permission is needed"
    return Verdict(Decision.ALLOWED, gate, reason, resource.name, resource.allow_at)


def _identity_path_gap(facts: Facts) -> Verdict | None:
    if not _identity_allows(facts):
        granting = "no identity-based policy allows the request"
        if facts.caller.type is PrincipalType.FEDERATED_USER:
            granting += " (the federating user's policies)"
        if not facts.cross_account and facts.resource is not None:
            granting += " and the resource policy does not grant it directly"
        return _deny(Gate.IDENTITY, granting)
    if not _boundary_allows(facts):
        return _deny(Gate.PERMISSIONS_BOUNDARY, "the permissions boundary does not allow the "
                     "request", facts.boundary)
    if not _session_allows(facts):
        if facts.session is None:
            return _deny(Gate.SESSION_POLICY, "a federated-user session created without a "
                         "session policy has no permissions")
        return _deny(Gate.SESSION_POLICY, "the session policy does not allow the request",
                     facts.session)
    return None

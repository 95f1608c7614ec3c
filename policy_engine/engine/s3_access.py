"""S3 Block Public Access, Object Ownership and ACL grants, applied around the decision table.

Sources:
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html

A set with S3 settings carries one `S3Access`, compiled once (the bucket policy's
"public" verdict included); a set without them carries None and the evaluator never comes
here. The rules, each of which can only remove access (the property tests check it):

- Block Public Access: the account's and the bucket's settings combine, the more
  restrictive winning (each setting is on if either level turns it on).
- RestrictPublicBuckets, when the bucket policy is public: what the bucket policy grants
  counts only for AWS service principals and for callers of the bucket owner's account;
  anonymous and cross-account access derived from the policy is blocked.
- ACL grants count only when Object Ownership allows ACLs (not BucketOwnerEnforced; no
  ownership controls at all behaves as ObjectWriter, ACLs enabled), and IgnorePublicAcls
  drops the grants to AllUsers and AuthenticatedUsers. A grant acts as a resource-based
  grant to its grantee for the actions its permission maps to; a grant to an account
  delegates to that account, whose own policies must still allow a cross-account caller.
- BlockPublicAcls refuses PutBucketAcl, PutObjectAcl, PutObject and CreateBucket when the
  request sets a public ACL (`s3:x-amz-acl` or an `s3:x-amz-grant-*` header naming
  AllUsers or AuthenticatedUsers); BucketOwnerEnforced refuses them as well, since the
  bucket accepts no ACL but bucket-owner-full-control.

A refusal is an implicitDeny: nothing denied explicitly, S3 refused what policies allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from policy_engine.engine.decide import Facts, PolicyScan, decide_any
from policy_engine.engine.match_principal import VIA_STRENGTH, PrincipalVia
from policy_engine.engine.request import PrincipalType, Request, RequestPrincipal
from policy_engine.engine.result import Decision, Gate, Verdict
from policy_engine.engine.s3_public import is_public_policy
from policy_engine.model.policy import PolicyDocument
from policy_engine.model.s3_access import (
    ALL_USERS_URI,
    AUTHENTICATED_USERS_URI,
    LOG_DELIVERY_URI,
    PUBLIC_GROUP_URIS,
    AccessControlList,
    AclPermission,
    CannedAcl,
    ObjectOwnership,
    PublicAccessBlock,
    S3AccessSettings,
)

BPA_SETTINGS: Final = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                       "RestrictPublicBuckets")
LOG_DELIVERY_SERVICE: Final = "logging.s3.amazonaws.com"
PUBLIC_CANNED: Final = frozenset({CannedAcl.PUBLIC_READ, CannedAcl.PUBLIC_READ_WRITE,
                                  CannedAcl.AUTHENTICATED_READ})
# Requests that can set an ACL (access-control-block-public-access.html, BlockPublicAcls).
ACL_WRITES: Final = frozenset({"s3:putbucketacl", "s3:putobjectacl", "s3:putobjectversionacl",
                               "s3:putobject", "s3:createbucket"})
ACL_HEADERS: Final = ("s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp",
                      "s3:x-amz-grant-write-acp", "s3:x-amz-grant-full-control")

# acl-overview.html, "Mapping of ACL permissions and access policy permissions": what each
# permission allows, granted on a bucket (bucket operations, plus WRITE's object uploads)
# and on an object. WRITE on a bucket lets any grantee create objects; deleting and
# overwriting others' objects is the owners' (so only s3:PutObject here).
_BUCKET_ACTIONS: Final = MappingProxyType({
    AclPermission.READ: ("s3:listbucket", "s3:listbucketversions",
                         "s3:listbucketmultipartuploads"),
    AclPermission.READ_ACP: ("s3:getbucketacl",),
    AclPermission.WRITE_ACP: ("s3:putbucketacl",),
})
_BUCKET_OBJECT_ACTIONS: Final = MappingProxyType({AclPermission.WRITE: ("s3:putobject",)})
_OBJECT_ACTIONS: Final = MappingProxyType({
    AclPermission.READ: ("s3:getobject", "s3:getobjectversion", "s3:getobjecttorrent"),
    AclPermission.READ_ACP: ("s3:getobjectacl", "s3:getobjectversionacl"),
    AclPermission.WRITE_ACP: ("s3:putobjectacl", "s3:putobjectversionacl"),
})
_FULL: Final = (AclPermission.READ, AclPermission.WRITE, AclPermission.READ_ACP,
                AclPermission.WRITE_ACP)
# Every action whose S3 decision reads its name beyond the policies' Action elements:
# those an ACL permission covers and those that can set an ACL (`_write_block`).
ACTIONS_NAMED_BY_S3_SETTINGS: Final = frozenset(
    {action for table in (_BUCKET_ACTIONS, _BUCKET_OBJECT_ACTIONS, _OBJECT_ACTIONS)
     for actions in table.values() for action in actions} | ACL_WRITES)


class Grantee(StrEnum):
    BUCKET_OWNER = "bucket-owner"
    ACCOUNT = "account"
    ALL_USERS = "AllUsers"
    AUTHENTICATED_USERS = "AuthenticatedUsers"
    LOG_DELIVERY = "LogDelivery"
    UNMAPPED = "unmapped"  # a canonical user or e-mail no mapping names: matches nobody


@dataclass(frozen=True, slots=True)
class CompiledAclGrant:
    acl: str  # "bucket ACL" or "object ACL"
    grantee: Grantee
    account: str | None
    permission: AclPermission
    label: str  # the grantee as written

    @property
    def is_public(self) -> bool:
        return self.grantee in (Grantee.ALL_USERS, Grantee.AUTHENTICATED_USERS)

    def via(self, caller: RequestPrincipal, bucket_account: str | None) -> PrincipalVia | None:
        """How the grant names the caller (as a Principal element would), or None."""
        match self.grantee:
            case Grantee.ALL_USERS:
                return PrincipalVia.EVERYONE
            case Grantee.AUTHENTICATED_USERS:  # any AWS account; requests must be signed
                return PrincipalVia.EVERYONE if caller.is_iam_identity else None
            case Grantee.LOG_DELIVERY:
                return PrincipalVia.SERVICE if caller.type is PrincipalType.SERVICE and \
                    caller.text == LOG_DELIVERY_SERVICE else None
            case Grantee.BUCKET_OWNER | Grantee.ACCOUNT:
                account = bucket_account if self.grantee is Grantee.BUCKET_OWNER \
                    else self.account
                return PrincipalVia.ACCOUNT if caller.is_iam_identity and account and \
                    caller.account == account else None
        return None

    def describe(self) -> str:
        return f"the {self.acl} grants {self.permission.value} to {self.label}"


@dataclass(frozen=True, slots=True, eq=False)
class S3Access:
    """One bucket's (and object's) S3 settings, compiled for one policy set. Compared and
    hashed by identity, as compiled policies are: it is a key of the resolver's sets."""

    settings: MappingProxyType[str, tuple[str, ...]]  # BPA setting -> levels that set it
    object_ownership: ObjectOwnership | None
    policy_is_public: bool
    bucket_grants: tuple[CompiledAclGrant, ...]
    object_grants: tuple[CompiledAclGrant, ...]

    def on(self, setting: str) -> bool:
        return bool(self.settings[setting])

    @property
    def acls_enabled(self) -> bool:
        return self.object_ownership is not ObjectOwnership.BUCKET_OWNER_ENFORCED

    def ignored_by(self, grant: CompiledAclGrant) -> str | None:
        """The setting that makes S3 ignore the grant, or None when it counts."""
        if not self.acls_enabled:
            return "BucketOwnerEnforced"
        if grant.is_public and self.on("IgnorePublicAcls"):
            return "IgnorePublicAcls"
        return None

    def grants_for(self, request: Request) -> tuple[CompiledAclGrant, ...]:
        """The grants whose permission covers the request's action on its resource."""
        kind = resource_kind(request)
        action = request.action_lower
        found: list[CompiledAclGrant] = []
        for grant in self.bucket_grants:
            table = _BUCKET_ACTIONS if kind == "bucket" else _BUCKET_OBJECT_ACTIONS
            if kind is not None and action in _actions(table, grant.permission):
                found.append(grant)
        if kind == "object":
            found += [g for g in self.object_grants
                      if action in _actions(_OBJECT_ACTIONS, g.permission)]
        return tuple(found)


def _actions(table: MappingProxyType[AclPermission, tuple[str, ...]],
             permission: AclPermission) -> tuple[str, ...]:
    if permission is AclPermission.FULL_CONTROL:
        return tuple(a for p in _FULL for a in table.get(p, ()))
    return table.get(permission, ())


def acl_actions_naming(access: S3Access, request: Request) -> frozenset[str]:
    """The actions (lower-cased) that an ACL grant naming the request's caller covers on
    the request's resource, grants S3 ignores included: the only actions the bucket's S3
    settings can allow where no policy statement does (`s3_verdict`: everything else they
    do only takes access away)."""
    kind = resource_kind(request)
    if kind is None:
        return frozenset()
    caller, account = request.principal, request.resource_account
    table = _BUCKET_ACTIONS if kind == "bucket" else _BUCKET_OBJECT_ACTIONS
    found = {action for grant in access.bucket_grants if grant.via(caller, account)
             for action in _actions(table, grant.permission)}
    if kind == "object":
        found.update(action for grant in access.object_grants if grant.via(caller, account)
                     for action in _actions(_OBJECT_ACTIONS, grant.permission))
    return frozenset(found)


def resource_kind(request: Request) -> str | None:
    """`bucket` or `object` for an S3 bucket or object ARN, else None (access points and
    other resources are not what bucket settings govern)."""
    arn = request.resource_arn
    if arn is None or arn.service != "s3" or arn.region or arn.account or not arn.resource:
        return None
    return "object" if "/" in arn.resource else "bucket"


# -- compiling ------------------------------------------------------------------------

def compile_s3_access(settings: S3AccessSettings,
                      resource_policy: PolicyDocument | None) -> S3Access:
    """The settings compiled; the bucket policy's "public" verdict is computed here, once."""
    levels: dict[str, tuple[str, ...]] = {}
    for setting in BPA_SETTINGS:
        levels[setting] = tuple(
            level for level, block in (("account", settings.account_public_access_block),
                                       ("bucket", settings.public_access_block))
            if block is not None and _setting(block, setting))
    mapping = settings.canonical_users
    return S3Access(
        settings=MappingProxyType(levels),
        object_ownership=settings.object_ownership,
        policy_is_public=resource_policy is not None and is_public_policy(resource_policy),
        bucket_grants=_grants(settings.bucket_acl, "bucket ACL", mapping, None),
        object_grants=_grants(settings.object_acl, "object ACL", mapping,
                              _owner_id(settings.bucket_acl)),
    )


def _setting(block: PublicAccessBlock, setting: str) -> bool:
    return bool({"BlockPublicAcls": block.block_public_acls,
                 "IgnorePublicAcls": block.ignore_public_acls,
                 "BlockPublicPolicy": block.block_public_policy,
                 "RestrictPublicBuckets": block.restrict_public_buckets}[setting])


def _owner_id(acl: CannedAcl | AccessControlList | None) -> str | None:
    if isinstance(acl, AccessControlList) and acl.owner is not None:
        return acl.owner.id
    return None


def _grants(acl: CannedAcl | AccessControlList | None, which: str, mapping: dict[str, str],
            bucket_owner_id: str | None) -> tuple[CompiledAclGrant, ...]:
    if acl is None:
        return ()
    if isinstance(acl, CannedAcl):
        return _canned(acl, which)
    owner_id = acl.owner.id if acl.owner is not None else None
    owners = {i for i in (owner_id, bucket_owner_id) if i is not None}
    found: list[CompiledAclGrant] = []
    for grant in acl.grants:
        grantee = grant.grantee
        if grantee.type == "Group":
            kind = {ALL_USERS_URI: Grantee.ALL_USERS,
                    AUTHENTICATED_USERS_URI: Grantee.AUTHENTICATED_USERS,
                    LOG_DELIVERY_URI: Grantee.LOG_DELIVERY}[grantee.uri or ""]
            found.append(CompiledAclGrant(which, kind, None, grant.permission, kind.value))
            continue
        name = grantee.id if grantee.type == "CanonicalUser" else grantee.email_address
        assert name is not None
        account = mapping.get(name)
        if account is not None:
            kind = Grantee.ACCOUNT
        elif name in owners:
            # The ACL's owner (and an object ACL's grant to the bucket's owner) is the
            # bucket's account unless the mapping says otherwise.
            kind = Grantee.BUCKET_OWNER
        else:
            kind = Grantee.UNMAPPED
        label = {Grantee.ACCOUNT: f"account {account} ({grantee.label})",
                 Grantee.BUCKET_OWNER: f"the bucket owner ({grantee.label})"}.get(
            kind, f"{grantee.label}, which no account mapping names")
        found.append(CompiledAclGrant(which, kind, account, grant.permission, label))
    return tuple(found)


def _canned(acl: CannedAcl, which: str) -> tuple[CompiledAclGrant, ...]:
    """acl-overview.html, "Canned ACL": the grants each name adds (the owner always gets
    FULL_CONTROL; an object's owner is taken to be the bucket's account)."""
    def grant(kind: Grantee, permission: AclPermission, label: str | None = None
              ) -> CompiledAclGrant:
        return CompiledAclGrant(which, kind, None, permission, label or kind.value)

    owner = grant(Grantee.BUCKET_OWNER, AclPermission.FULL_CONTROL, "the owner")
    extra: dict[CannedAcl, tuple[CompiledAclGrant, ...]] = {
        CannedAcl.PUBLIC_READ: (grant(Grantee.ALL_USERS, AclPermission.READ),),
        CannedAcl.PUBLIC_READ_WRITE: (grant(Grantee.ALL_USERS, AclPermission.READ),
                                      grant(Grantee.ALL_USERS, AclPermission.WRITE)),
        CannedAcl.AUTHENTICATED_READ: (grant(Grantee.AUTHENTICATED_USERS, AclPermission.READ),),
        # Amazon EC2's canonical user: no account of ours, so it matches nobody.
        CannedAcl.AWS_EXEC_READ: (grant(Grantee.UNMAPPED, AclPermission.READ, "Amazon EC2"),),
        CannedAcl.LOG_DELIVERY_WRITE: (grant(Grantee.LOG_DELIVERY, AclPermission.WRITE),
                                       grant(Grantee.LOG_DELIVERY, AclPermission.READ_ACP)),
    }
    return (owner, *extra.get(acl, ()))


# -- evaluating -----------------------------------------------------------------------

def s3_verdict(facts: Facts, request: Request, access: S3Access) -> Verdict:
    """The decision table read with the bucket's S3 settings applied (see the module)."""
    if resource_kind(request) is None:
        return decide_any(facts)
    resource = facts.resource
    restricted = resource is not None and resource.allows and _restricts(access, request)
    grants = access.grants_for(request)
    counted = tuple(g for g in grants if access.ignored_by(g) is None)
    policy_side = PolicyScan(resource.name, None, None) if restricted and resource \
        else resource
    acl_scan, acl_grant = _acl_scan(counted, request)
    side = _stronger(policy_side, acl_scan)
    verdict = decide_any(facts if side is resource else replace(facts, resource=side))
    if verdict.decision is Decision.ALLOWED:
        if side is acl_scan and acl_grant is not None and verdict.gate in _RESOURCE_GATES:
            verdict = _acl_verdict(verdict, acl_grant, request)
        return _write_block(access, request) or verdict
    if not restricted and len(counted) == len(grants):
        return verdict
    # Would the access S3 blocked have allowed it? Then the block decided; name it.
    all_scan, all_grant = _acl_scan(grants, request)
    unblocked = decide_any(replace(facts, resource=_stronger(resource, all_scan)))
    if unblocked.decision is not Decision.ALLOWED:
        return verdict
    if restricted and (all_grant is None or unblocked.deciding_policy != all_scan.name):
        return _deny(Gate.BLOCK_PUBLIC_ACCESS, "RestrictPublicBuckets is on "
                     f"({_levels(access, 'RestrictPublicBuckets')}) and the bucket policy is "
                     "public, so what it grants counts only for AWS service principals and "
                     "the bucket owner's account; this caller is neither", resource)
    ignored = None if all_grant is None else access.ignored_by(all_grant)
    if all_grant is None or ignored is None:
        return verdict
    if ignored == "BucketOwnerEnforced":
        return _deny(Gate.ACL, f"{all_grant.describe()}, but Object Ownership is "
                     "BucketOwnerEnforced: ACLs are disabled and not evaluated")
    return _deny(Gate.BLOCK_PUBLIC_ACCESS, f"{all_grant.describe()}, but IgnorePublicAcls is "
                 f"on ({_levels(access, 'IgnorePublicAcls')}), so S3 ignores public ACL grants")


_RESOURCE_GATES = frozenset({Gate.RESOURCE_POLICY})


def _restricts(access: S3Access, request: Request) -> bool:
    """RestrictPublicBuckets with a public bucket policy, for a caller that is neither an
    AWS service principal nor of the bucket owner's account."""
    if not (access.policy_is_public and access.on("RestrictPublicBuckets")):
        return False
    caller = request.principal
    if caller.type is PrincipalType.SERVICE:
        return False
    return not (caller.is_iam_identity and caller.account is not None
                and caller.account == request.resource_account)


def _acl_scan(grants: tuple[CompiledAclGrant, ...], request: Request
              ) -> tuple[PolicyScan | None, CompiledAclGrant | None]:
    best: tuple[PrincipalVia, CompiledAclGrant] | None = None
    for grant in grants:
        via = grant.via(request.principal, request.resource_account)
        if via is not None and (best is None or VIA_STRENGTH[via] > VIA_STRENGTH[best[0]]):
            best = (via, grant)
    if best is None:
        return None, None
    return PolicyScan(best[1].acl, best[0], None), best[1]


def _stronger(policy: PolicyScan | None, acl: PolicyScan | None) -> PolicyScan | None:
    """The resource-side scan that names the caller more strongly (the policy on a tie)."""
    if acl is None or acl.allow_via is None:
        return policy
    if policy is None or policy.allow_via is None:
        return acl
    return acl if VIA_STRENGTH[acl.allow_via] > VIA_STRENGTH[policy.allow_via] else policy


def _acl_verdict(verdict: Verdict, grant: CompiledAclGrant, request: Request) -> Verdict:
    reason = grant.describe()
    if request.is_cross_account:
        reason += ", and the caller's own account allows the request"
    elif not request.principal.is_iam_identity:
        reason += ", which needs no identity-based permission"
    return Verdict(Decision.ALLOWED, Gate.ACL, reason, grant.acl, None, verdict.notes)


def _write_block(access: S3Access, request: Request) -> Verdict | None:
    """BlockPublicAcls / BucketOwnerEnforced: a request that sets a public ACL fails."""
    if request.action_lower not in ACL_WRITES:
        return None
    header = public_acl_header(request)
    if header is None:
        return None
    if access.on("BlockPublicAcls"):
        return _deny(Gate.BLOCK_PUBLIC_ACCESS, f"BlockPublicAcls is on "
                     f"({_levels(access, 'BlockPublicAcls')}) and the request sets a public "
                     f"ACL (`{header}`), so S3 rejects it")
    if not access.acls_enabled and request.action_lower != "s3:createbucket":
        return _deny(Gate.ACL, f"Object Ownership is BucketOwnerEnforced: the bucket accepts "
                     f"no ACL but bucket-owner-full-control, and the request sets a public "
                     f"one (`{header}`)")
    return None


def public_acl_header(request: Request) -> str | None:
    """The context key through which the request sets a public ACL, or None."""
    canned = request.context.get("s3:x-amz-acl")
    if canned is not None and any(v in PUBLIC_CANNED for v in canned.values):
        return "s3:x-amz-acl"
    for key in ACL_HEADERS:
        value = request.context.get(key)
        if value is not None and any(uri.lower() in v.lower() for v in value.values
                                     for uri in PUBLIC_GROUP_URIS):
            return key
    return None


def _levels(access: S3Access, setting: str) -> str:
    return " and ".join(f"{level} level" for level in access.settings[setting])


def _deny(gate: Gate, reason: str, scan: PolicyScan | None = None) -> Verdict:
    return Verdict(Decision.IMPLICIT_DENY, gate, reason, scan.name if scan else None)


# -- explaining -----------------------------------------------------------------------

def s3_trace(request: Request, access: S3Access) -> dict[str, Any]:
    """The `s3` member of a JSON explanation: settings, the policy's status, ACL grants."""
    matching = set(access.grants_for(request))
    grants = []
    for grant in (*access.bucket_grants, *access.object_grants):
        names = grant.via(request.principal, request.resource_account) is not None
        grants.append({"acl": grant.acl, "grantee": grant.label, "permission":
                       grant.permission.value, "applies": grant in matching and names,
                       "ignored_by": access.ignored_by(grant)})
    return {
        "block_public_access": {s: {"on": access.on(s), "set_at": list(access.settings[s])}
                                for s in BPA_SETTINGS},
        "bucket_policy_public": access.policy_is_public,
        "object_ownership": access.object_ownership.value if access.object_ownership
        else None,
        "acls_evaluated": access.acls_enabled,
        "acl_grants": grants,
    }

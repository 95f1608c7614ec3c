"""The loaded `Snapshot` (internal form): accounts, entities, organization and resources.

Plain frozen dataclasses: typed, immutable, with every lookup built once at load time
(`policy_engine.snapshot.build`). Entities compare by identity (each exists once per
snapshot), so they can be used as dictionary keys. The file format they are loaded from is
`policy_engine.snapshot.snapshot_file`.

Sources: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
(SCPs do not restrict the management account); IAM User Guide
reference_policies_condition-keys.html for aws:PrincipalOrgPaths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Final

from policy_engine.arn import arn_segments
from policy_engine.errors import Problem
from policy_engine.model.grants import KmsGrant
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.model.s3_access import PublicAccessBlock, S3AccessSettings
from policy_engine.snapshot.authorization_details import RoleLastUsed
from policy_engine.snapshot.snapshot_file import OrgPolicyType


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an element came from: file, JSON pointer, and line/column when known."""

    source: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where} ({self.pointer})" if self.pointer else where


BUILT_IN: Final = Origin("<built-in>")


@dataclass(frozen=True, slots=True, eq=False)
class SnapshotPolicy:
    """One validated policy document, named the way explanations should show it."""

    name: str
    kind: PolicyKind
    document: PolicyDocument
    origin: Origin
    arn: str | None = None  # managed policies

    @property
    def named(self) -> tuple[str, PolicyDocument]:
        """The `(name, document)` pair that `compile_policy_set` takes."""
        return self.name, self.document

    def __repr__(self) -> str:
        return f"SnapshotPolicy({self.name!r}, kind={self.kind.value}, origin={self.origin})"


@dataclass(frozen=True, slots=True, eq=False)
class ManagedPolicyVersion:
    """One version of a managed policy.

    The default version is validated at load time. Other versions never take part in a
    decision, so each is validated on first access of `policy` (once; a problem raises
    `SnapshotError` then): in a large account they are most of the documents.
    """

    version_id: str
    is_default: bool
    create_date: datetime | None
    _parse: Callable[[], SnapshotPolicy] = field(repr=False)
    _parsed: list[SnapshotPolicy] = field(default_factory=list, repr=False)

    @property
    def policy(self) -> SnapshotPolicy:
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    @property
    def is_parsed(self) -> bool:
        return bool(self._parsed)

    def __repr__(self) -> str:
        return f"ManagedPolicyVersion({self.version_id!r}, is_default={self.is_default})"


@dataclass(frozen=True, slots=True, eq=False)
class ManagedPolicy:
    """A managed policy with every version; `default` is the operative one.

    `boundary` is the default version validated as a permissions boundary, present when a
    user or role in the snapshot uses the policy as its boundary.
    """

    arn: str
    name: str
    account: str | None  # None for AWS managed policies (`arn:aws:iam::aws:policy/...`)
    policy_id: str | None
    path: str
    default_version_id: str
    versions: tuple[ManagedPolicyVersion, ...]
    default: SnapshotPolicy
    boundary: SnapshotPolicy | None
    attachment_count: int | None
    permissions_boundary_usage_count: int | None
    is_attachable: bool
    description: str | None
    create_date: datetime | None
    update_date: datetime | None
    origin: Origin

    @property
    def is_aws_managed(self) -> bool:
        return self.account is None

    @property
    def document(self) -> PolicyDocument:
        return self.default.document

    def version(self, version_id: str) -> ManagedPolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def __repr__(self) -> str:
        return f"ManagedPolicy({self.arn!r}, default={self.default_version_id})"


@dataclass(frozen=True, slots=True)
class AttachedPolicyRef:
    """An attachment as written; the policy may be absent from a filtered snapshot."""

    arn: str
    name: str | None
    origin: Origin


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class _Entity:
    """What users, groups and roles have in common (keyword arguments only)."""

    account: str
    name: str
    arn: str
    path: str
    inline_policies: tuple[SnapshotPolicy, ...]
    attached_policies: tuple[AttachedPolicyRef, ...]
    create_date: datetime | None
    origin: Origin

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.arn!r})"


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class Group(_Entity):
    group_id: str | None


class EntityType(StrEnum):
    """Which IAM entity a snapshot principal is. Not the request's `PrincipalType` (the
    values of `aws:PrincipalType`): this one only tells users from roles."""

    USER = "user"
    ROLE = "role"


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class _PrincipalEntity(_Entity):
    """What users and roles have beyond groups."""

    permissions_boundary: AttachedPolicyRef | None
    tags: Mapping[str, str]

    type: ClassVar[EntityType]

    @property
    def short_name(self) -> str:
        """`user/NAME` or `role/NAME`."""
        return f"{self.type.value}/{self.name}"


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class User(_PrincipalEntity):
    user_id: str | None
    group_names: tuple[str, ...]

    type: ClassVar[EntityType] = EntityType.USER

    @property
    def unique_id(self) -> str | None:
        return self.user_id


@dataclass(frozen=True, slots=True, eq=False)
class InstanceProfile:
    name: str
    arn: str
    instance_profile_id: str | None
    path: str
    role_names: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class Role(_PrincipalEntity):
    role_id: str | None
    trust_policy: SnapshotPolicy | None
    instance_profiles: tuple[InstanceProfile, ...]
    last_used: RoleLastUsed | None

    type: ClassVar[EntityType] = EntityType.ROLE

    @property
    def unique_id(self) -> str | None:
        return self.role_id

    @property
    def is_service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


Principal = User | Role


@dataclass(frozen=True, slots=True, eq=False)
class Account:
    id: str
    name: str | None
    users: Mapping[str, User]
    groups: Mapping[str, Group]
    roles: Mapping[str, Role]
    # Every managed policy this account's authorization details listed (customer managed
    # and the AWS managed ones in use), by ARN.
    managed_policies: Mapping[str, ManagedPolicy]
    identity_providers: tuple[str, ...]
    has_authorization_details: bool
    origin: Origin
    # S3: the account-level Block Public Access settings and the canonical user id that
    # ACL grants name the account by; None: not configured / not known.
    s3_public_access_block: PublicAccessBlock | None = None
    canonical_user_id: str | None = None

    def principals(self) -> Iterator[Principal]:
        yield from self.users.values()
        yield from self.roles.values()

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.id}:root"

    def __repr__(self) -> str:
        return (f"Account({self.id!r}, name={self.name!r}, users={len(self.users)}, "
                f"groups={len(self.groups)}, roles={len(self.roles)}, "
                f"managed_policies={len(self.managed_policies)})")


@dataclass(frozen=True, slots=True, eq=False)
class OrgPolicy:
    id: str
    name: str
    type: OrgPolicyType
    policy: SnapshotPolicy
    description: str | None = None
    aws_managed: bool = False

    def __repr__(self) -> str:
        return f"OrgPolicy({self.id!r}, {self.name!r}, {self.type.value})"


class OrgNodeType(StrEnum):
    ROOT = "ROOT"
    ORGANIZATIONAL_UNIT = "ORGANIZATIONAL_UNIT"
    ACCOUNT = "ACCOUNT"


@dataclass(frozen=True, slots=True, eq=False)
class OrgLevel:
    """One node on an account's organization path and the policies attached to it."""

    node_id: str
    node_type: OrgNodeType
    name: str | None
    scps: tuple[OrgPolicy, ...]
    rcps: tuple[OrgPolicy, ...]
    origin: Origin

    def __repr__(self) -> str:
        return (f"OrgLevel({self.node_id!r}, scps={[p.name for p in self.scps]}, "
                f"rcps={[p.name for p in self.rcps]})")


@dataclass(frozen=True, slots=True, eq=False)
class Organization:
    id: str
    management_account: str
    root_id: str
    policy_types: frozenset[OrgPolicyType]
    policies: Mapping[str, OrgPolicy]
    # account id -> (root, OU, ..., account): every account placed in the tree.
    paths: Mapping[str, tuple[OrgLevel, ...]]
    organizational_units: Mapping[str, OrgLevel]
    origin: Origin

    def path(self, account: str) -> tuple[OrgLevel, ...] | None:
        return self.paths.get(account)

    def scps_for(self, account: str) -> tuple[tuple[SnapshotPolicy, ...], ...] | None:
        """The SCPs of each level, root first; None when SCPs do not apply to the account.

        SCPs do not restrict the management account (orgs_manage_policies_scps.html).
        """
        return self._levels(account, OrgPolicyType.SCP)

    def rcps_for(self, account: str) -> tuple[tuple[SnapshotPolicy, ...], ...] | None:
        """The RCPs of each level, root first; None when RCPs do not apply to the account."""
        return self._levels(account, OrgPolicyType.RCP)

    def org_paths_for(self, account: str) -> str | None:
        """The `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value of an account.

        `o-ORG/r-ROOT/ou-.../` — the OUs from the root down, ending in `/`.
        """
        levels = self.paths.get(account)
        if levels is None:
            return None
        parts = [self.id] + [lvl.node_id for lvl in levels if lvl.node_type is not
                             OrgNodeType.ACCOUNT]
        return "/".join(parts) + "/"

    def _levels(self, account: str, kind: OrgPolicyType
                ) -> tuple[tuple[SnapshotPolicy, ...], ...] | None:
        levels = self.paths.get(account)
        if levels is None or kind not in self.policy_types or account == self.management_account:
            return None
        pick = (lambda lvl: lvl.scps) if kind is OrgPolicyType.SCP else (lambda lvl: lvl.rcps)
        return tuple(tuple(p.policy for p in pick(lvl)) for lvl in levels)

    def __repr__(self) -> str:
        return f"Organization({self.id!r}, accounts={len(self.paths)})"


class ResourceType(StrEnum):
    S3_BUCKET = "s3-bucket"
    KMS_KEY = "kms-key"
    SQS_QUEUE = "sqs-queue"
    SNS_TOPIC = "sns-topic"
    LAMBDA_FUNCTION = "lambda-function"
    LAMBDA_LAYER_VERSION = "lambda-layer-version"
    SECRETSMANAGER_SECRET = "secretsmanager-secret"
    ECR_REPOSITORY = "ecr-repository"
    OTHER = "other"


RESOURCE_POLICY_KINDS: Final = MappingProxyType({
    ResourceType.S3_BUCKET: PolicyKind.S3_BUCKET,
    ResourceType.KMS_KEY: PolicyKind.KMS_KEY,
    ResourceType.SQS_QUEUE: PolicyKind.SQS_QUEUE,
    ResourceType.SNS_TOPIC: PolicyKind.SNS_TOPIC,
    ResourceType.LAMBDA_FUNCTION: PolicyKind.LAMBDA_FUNCTION,
    ResourceType.LAMBDA_LAYER_VERSION: PolicyKind.LAMBDA_LAYER,
    ResourceType.SECRETSMANAGER_SECRET: PolicyKind.SECRETSMANAGER_SECRET,
    ResourceType.ECR_REPOSITORY: PolicyKind.ECR_REPOSITORY,
    ResourceType.OTHER: PolicyKind.RESOURCE,
})


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """A resource and its policy. `name`: the bucket, key id, queue, topic, function,
    `layer:version`, secret, repository, or the ARN's resource part for other types."""

    arn: str
    type: ResourceType
    account: str
    name: str
    region: str | None
    policy: SnapshotPolicy | None
    tags: Mapping[str, str]
    origin: Origin
    aliases: tuple[str, ...] = ()  # KMS keys: `alias/NAME`
    type_name: str | None = None  # generic resources: the type as written
    # S3 buckets: Block Public Access, Object Ownership and the bucket ACL as given (the
    # account-level settings are the owner's `Account`); None: none configured.
    s3: S3AccessSettings | None = None
    grants: tuple[KmsGrant, ...] = ()  # KMS keys: their grants

    def __repr__(self) -> str:
        return f"Resource({self.arn!r}, type={self.type.value})"


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class VpcEndpoint:
    """A VPC endpoint; `policy` None: the default endpoint policy (full access)."""

    id: str
    account: str
    vpc_id: str | None
    service_name: str | None
    policy: SnapshotPolicy | None
    origin: Origin

    def __repr__(self) -> str:
        return f"VpcEndpoint({self.id!r})"


@dataclass(frozen=True, slots=True, eq=False)
class Snapshot:
    """Accounts, organization and resources, with every lookup built once at load time.

    `warnings` lists what the snapshot could not know (a managed policy or group referenced
    but absent from filtered output, truncated output, ...); `load_snapshot(strict=True)`
    raises on them instead.
    """

    accounts: Mapping[str, Account]
    organization: Organization | None
    resources: Mapping[str, Resource]
    warnings: tuple[Problem, ...]
    sources: tuple[str, ...]
    _principals: Mapping[str, Principal] = field(default_factory=_empty, repr=False)
    _unique_ids: Mapping[str, Principal] = field(default_factory=_empty, repr=False)
    _aws_managed: Mapping[str, ManagedPolicy] = field(default_factory=_empty, repr=False)
    _groups_of: Mapping[str, tuple[Group, ...]] = field(default_factory=_empty, repr=False)
    _kms_aliases: Mapping[str, Resource] = field(default_factory=_empty, repr=False)
    vpc_endpoints: Mapping[str, VpcEndpoint] = field(default_factory=_empty)

    def __repr__(self) -> str:
        org = self.organization.id if self.organization else None
        return (f"Snapshot(accounts={list(self.accounts)}, organization={org!r}, "
                f"resources={len(self.resources)}, warnings={len(self.warnings)})")

    # -- principals

    def principals(self) -> Iterator[Principal]:
        for account in self.accounts.values():
            yield from account.principals()

    def principal(self, arn: str) -> Principal | None:
        """A user or role by ARN (with its path, as IAM writes it, or without)."""
        return self._principals.get(arn)

    def principal_by_unique_id(self, unique_id: str) -> Principal | None:
        """By `AIDA...`/`AROA...` id, the value of `aws:userid` (before any `:session`)."""
        return self._unique_ids.get(unique_id)

    def find_principals(self, name: str, *, type: EntityType | str | None = None,
                        account: str | None = None) -> tuple[Principal, ...]:
        """Users and roles with this short name, optionally of one type and account."""
        wanted = EntityType(type) if type is not None else None
        found: list[Principal] = []
        if account is None:
            accounts = list(self.accounts.values())
        else:
            accounts = [self.accounts[account]] if account in self.accounts else []
        for acct in accounts:
            if wanted in (None, EntityType.USER) and name in acct.users:
                found.append(acct.users[name])
            if wanted in (None, EntityType.ROLE) and name in acct.roles:
                found.append(acct.roles[name])
        return tuple(found)

    def groups_of(self, user: User) -> tuple[Group, ...]:
        """The user's groups that the snapshot holds (missing ones are in `warnings`)."""
        return self._groups_of.get(user.arn, ())

    # -- managed policies

    def managed_policy(self, arn: str, *, account: str | None = None) -> ManagedPolicy | None:
        """By ARN; AWS managed policies are looked up in `account` first, then anywhere."""
        owner = _policy_account(arn)
        if owner is not None:
            holder = self.accounts.get(owner)
            return holder.managed_policies.get(arn) if holder else None
        if account is not None and account in self.accounts:
            found = self.accounts[account].managed_policies.get(arn)
            if found is not None:
                return found
        return self._aws_managed.get(arn)

    def managed_policies_of(self, entity: Principal | Group) -> tuple[ManagedPolicy, ...]:
        """The attached managed policies the snapshot holds, in attachment order."""
        found = (self.managed_policy(ref.arn, account=entity.account)
                 for ref in entity.attached_policies)
        return tuple(policy for policy in found if policy is not None)

    def boundary_of(self, principal: Principal) -> SnapshotPolicy | None:
        """The principal's permissions boundary, validated as one; None when it has none
        or when the boundary policy is missing from the snapshot (see `warnings`)."""
        ref = principal.permissions_boundary
        if ref is None:
            return None
        policy = self.managed_policy(ref.arn, account=principal.account)
        return policy.boundary if policy is not None else None

    # -- resources and organization

    def resource(self, arn: str) -> Resource | None:
        return self.resources.get(arn)

    def resource_for(self, arn: str) -> Resource | None:
        """The resource whose policy governs `arn`: itself, the bucket of an S3 object,
        the key a KMS alias ARN names, or the function of a qualified Lambda ARN."""
        found = self.resources.get(arn)
        if found is not None:
            return found
        parts = arn_segments(arn)
        if len(parts) != 6:
            return None
        service, resource = parts[2], parts[5]
        if service == "s3" and "/" in resource:
            return self.resources.get(arn.split("/", 1)[0])
        if service == "kms" and resource.startswith("alias/"):
            return self._kms_aliases.get(arn)
        if service == "lambda" and resource.startswith("function:") and resource.count(":") > 1:
            return self.resources.get(arn.rsplit(":", 1)[0])
        return None

    def org_path(self, account: str) -> tuple[OrgLevel, ...] | None:
        """Root -> OUs -> account, with the SCPs/RCPs at each level; None outside the org."""
        return self.organization.path(account) if self.organization else None

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)


def _policy_account(arn: str) -> str | None:
    parts = arn_segments(arn)
    if len(parts) == 6 and parts[4] and parts[4] != "aws":
        return parts[4]
    return None

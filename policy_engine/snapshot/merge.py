"""Pass 2 of loading: every input's accounts, organization and resources, merged.

Accounts merge by id, resources by ARN, and the organization is given once. The same thing
given twice identically is fine; two different versions of it are an error. Nothing is
validated beyond its shape here: the parts are kept, with where they came from, for the
build pass (`policy_engine.snapshot.build`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel

from policy_engine.arn import arn_account
from policy_engine.errors import Problem
from policy_engine.model.s3_access import PublicAccessBlock
from policy_engine.snapshot.authorization_details import AuthorizationDetails
from policy_engine.snapshot.messages import ProblemLog, conflict
from policy_engine.snapshot.model import Origin, ResourceType
from policy_engine.snapshot.read import Input, is_authorization_details, read_file, validate
from policy_engine.snapshot.snapshot_file import (
    SNAPSHOT_FORMAT,
    AccountEntry,
    FetchedEntry,
    OrganizationEntry,
    ResourcesEntry,
    S3BucketEntry,
    SnapshotFile,
    VpcEndpointEntry,
)

__all__ = ["RESOURCE_LISTS", "AccountParts", "AuthzPart", "Merger", "OrgPart", "ResourcePart"]

# The lists of `resources` in a snapshot file and the type of resource each holds.
RESOURCE_LISTS: Final = MappingProxyType({
    "s3_buckets": ResourceType.S3_BUCKET,
    "kms_keys": ResourceType.KMS_KEY,
    "sqs_queues": ResourceType.SQS_QUEUE,
    "sns_topics": ResourceType.SNS_TOPIC,
    "lambda_functions": ResourceType.LAMBDA_FUNCTION,
    "lambda_layer_versions": ResourceType.LAMBDA_LAYER_VERSION,
    "secretsmanager_secrets": ResourceType.SECRETSMANAGER_SECRET,
    "ecr_repositories": ResourceType.ECR_REPOSITORY,
    "other": ResourceType.OTHER,
})
if set(RESOURCE_LISTS) != set(ResourcesEntry.model_fields):  # pragma: no cover
    raise RuntimeError("RESOURCE_LISTS is out of date with ResourcesEntry")

# What an input lacks when it is not the output of the AWS CLI command.
_NOT_AUTHORIZATION_DETAILS: Final = (
    "the output of `aws iam get-account-authorization-details` (no UserDetailList, "
    "GroupDetailList, RoleDetailList or Policies)")


@dataclass(slots=True)
class AuthzPart:
    """One account's authorization details, in `input` at JSON pointer `prefix`."""

    details: AuthorizationDetails
    input: Input
    prefix: str

    def origin(self) -> Origin:
        """Where the details start."""
        return self.input.origin(self.prefix)


@dataclass(slots=True)
class AccountParts:
    """What the inputs say about one account."""

    id: str
    origin: Origin
    name: str | None = None
    name_origin: Origin | None = None
    authz: AuthzPart | None = None
    # (provider ARN, the input naming it, its JSON pointer there)
    providers: list[tuple[str, Input, str]] = field(default_factory=list)
    # S3 account-level settings (`AccountEntry`); the first input that gives each wins.
    s3_public_access_block: PublicAccessBlock | None = None
    canonical_user_id: str | None = None


@dataclass(slots=True)
class ResourcePart:
    """One resource entry of a snapshot file, of the type its list holds."""

    type: ResourceType
    entry: BaseModel
    input: Input
    pointer: str


@dataclass(slots=True)
class OrgPart:
    """The organization entry of a snapshot file."""

    entry: OrganizationEntry
    input: Input
    pointer: str


class Merger:
    """Takes inputs one by one; `accounts`, `organization` and `resources` hold the merge."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        self.accounts: dict[str, AccountParts] = {}
        self.organization: OrgPart | None = None
        self.resources: dict[str, ResourcePart] = {}
        # VPC endpoint id -> (entry, its input, its pointer)
        self.vpc_endpoints: dict[str, tuple[VpcEndpointEntry, Input, str]] = {}

    def add_input(self, item: Input | None) -> None:
        """A snapshot file or an authorization-details file (None: it could not be read)."""
        if item is None:
            return
        self.log.add_source(item.source)
        value = item.value
        if isinstance(value, dict) and "format" in value:
            snapshot = validate(SnapshotFile, item, self.log)
            if snapshot is not None:
                self._add_snapshot(snapshot, item)
        elif is_authorization_details(value):
            details = validate(AuthorizationDetails, item, self.log)
            if details is not None:
                part = AuthzPart(details, item, "")
                account = self._authz_account(part)
                if account is not None:
                    self._add_account(account, part.origin(), authz=part)
        else:
            self.log.problems.append(item.problem(
                "unknown-format",
                "this is neither a policy-engine snapshot (no `format: "
                f"{SNAPSHOT_FORMAT}`) nor {_NOT_AUTHORIZATION_DETAILS}", ""))

    # -- snapshot files

    def _add_snapshot(self, snapshot: SnapshotFile, item: Input) -> None:
        seen: dict[str, int] = {}
        for index, entry in enumerate(snapshot.accounts):
            pointer = f"/accounts/{index}"
            if entry.id in seen:
                self.log.problems.append(item.problem(
                    "duplicate-account", f"account `{entry.id}` is listed twice in this file "
                    f"(first at /accounts/{seen[entry.id]}); give each account once",
                    pointer + "/id"))
                continue
            seen[entry.id] = index
            self._add_account_entry(entry, item, pointer)
        if snapshot.organization is not None:
            self._add_organization(OrgPart(snapshot.organization, item, "/organization"))
        self._add_resources(snapshot, item)
        for index, endpoint in enumerate(snapshot.vpc_endpoints):
            pointer = f"/vpc_endpoints/{index}"
            known = self.vpc_endpoints.get(endpoint.id)
            if known is not None and known[0] != endpoint:
                self.log.problems.append(conflict(
                    f"VPC endpoint `{endpoint.id}` is described differently here and in "
                    f"{known[1].origin(known[2])}", item.origin(pointer)))
                continue
            self.vpc_endpoints.setdefault(endpoint.id, (endpoint, item, pointer))
        if snapshot.fetched is not None:
            self.log.warnings.extend(_fetch_warnings(snapshot.fetched, item))

    def _add_account_entry(self, entry: AccountEntry, item: Input, pointer: str) -> None:
        authz = self._account_details(entry, item, pointer)
        if entry.authorization_details is not None and authz is None:
            return  # its problems are reported already
        self._add_account(entry.id, item.origin(pointer), authz=authz, name=entry.name,
                          name_origin=item.origin(pointer + "/name"))
        parts = self.accounts[entry.id]
        parts.providers.extend(
            (arn, item, f"{pointer}/identity_providers/{i}")
            for i, arn in enumerate(entry.identity_providers))
        for key in ("s3_public_access_block", "canonical_user_id"):
            value, known = getattr(entry, key), getattr(parts, key)
            if value is not None and known is not None and value != known:
                self.log.problems.append(conflict(
                    f"account `{entry.id}` has a different `{key}` here than in another "
                    "input; give it once", item.origin(f"{pointer}/{key}")))
            elif value is not None:
                setattr(parts, key, value)

    def _account_details(self, entry: AccountEntry, item: Input, pointer: str
                         ) -> AuthzPart | None:
        """The account's details, inline or read from the file the snapshot names."""
        spec = entry.authorization_details
        if spec is None:
            return None
        at = pointer + "/authorization_details"
        if isinstance(spec, AuthorizationDetails):
            return AuthzPart(spec, item, at)
        if item.base_dir is None:
            self.log.problems.append(item.problem(
                "missing-file", f"`{spec}` cannot be found: this snapshot was not read from a "
                "file, so relative paths have no base; give the authorization details inline",
                at))
            return None
        referenced = read_file(item.base_dir / spec, self.log, referenced_at=(item, at))
        if referenced is None:
            return None
        if not is_authorization_details(referenced.value):
            self.log.problems.append(item.problem(
                "unknown-format", f"`{spec}` does not hold {_NOT_AUTHORIZATION_DETAILS}", at))
            return None
        details = validate(AuthorizationDetails, referenced, self.log)
        return AuthzPart(details, referenced, "") if details is not None else None

    def _authz_account(self, part: AuthzPart) -> str | None:
        """The account a stand-alone authorization-details file describes, from its ARNs."""
        for arn in part.details.arns():
            account = arn_account(arn)
            if account and account != "aws":
                return account
        self.log.problems.append(part.input.problem(
            "unknown-account", "cannot tell which account this output describes: it holds no "
            "user, group, role or customer managed policy; list it in a snapshot file under "
            "`accounts` with its `id`", part.prefix))
        return None

    # -- merging

    def _add_account(self, account_id: str, origin: Origin, *, authz: AuthzPart | None,
                     name: str | None = None, name_origin: Origin | None = None) -> None:
        parts = self.accounts.get(account_id)
        if parts is None:
            self.accounts[account_id] = AccountParts(account_id, origin, name, name_origin,
                                                     authz)
            return
        if name is not None:
            self._merge_name(parts, name, name_origin, origin)
        if authz is not None:
            self._merge_details(parts, authz)

    def _merge_name(self, parts: AccountParts, name: str, name_origin: Origin | None,
                    origin: Origin) -> None:
        if parts.name is not None and parts.name != name:
            self.log.problems.append(conflict(
                f"account `{parts.id}` is named `{name}` here but `{parts.name}` in "
                f"{parts.name_origin}", name_origin or origin))
        elif parts.name is None:
            parts.name, parts.name_origin = name, name_origin

    def _merge_details(self, parts: AccountParts, authz: AuthzPart) -> None:
        if parts.authz is None:
            parts.authz = authz
        elif parts.authz.details != authz.details:
            self.log.problems.append(conflict(
                f"account `{parts.id}` has different authorization details here and in "
                f"{parts.authz.origin()}; give each account's details once", authz.origin()))

    def _add_organization(self, part: OrgPart) -> None:
        if self.organization is None:
            self.organization = part
        elif self.organization.entry != part.entry:
            first = self.organization.input.origin(self.organization.pointer)
            self.log.problems.append(conflict(
                f"a different organization is already given in {first}; a snapshot holds one "
                "organization", part.input.origin(part.pointer)))

    def _add_resources(self, snapshot: SnapshotFile, item: Input) -> None:
        in_file: dict[str, str] = {}
        for key, rtype in RESOURCE_LISTS.items():
            entries: Sequence[BaseModel] = getattr(snapshot.resources, key)
            for index, entry in enumerate(entries):
                pointer = f"/resources/{key}/{index}"
                arn = _resource_arn(entry)
                if arn in in_file:
                    self.log.problems.append(item.problem(
                        "duplicate-resource", f"`{arn}` is listed twice in this file (first "
                        f"at {in_file[arn]}); give each resource once",
                        pointer + ("/name" if rtype is ResourceType.S3_BUCKET else "/arn")))
                    continue
                in_file[arn] = pointer
                self._add_resource(arn, ResourcePart(rtype, entry, item, pointer))

    def _add_resource(self, arn: str, part: ResourcePart) -> None:
        known = self.resources.get(arn)
        if known is None:
            self.resources[arn] = part
        elif known.type is not part.type or known.entry != part.entry:
            self.log.problems.append(conflict(
                f"`{arn}` is described differently here and in "
                f"{known.input.origin(known.pointer)}", part.input.origin(part.pointer)))


def _fetch_warnings(fetched: FetchedEntry, item: Input) -> list[Problem]:
    """What `policy-engine fetch` could not read, said on every load: decisions that
    depend on it may differ from AWS's."""
    found = []
    for index, warning in enumerate(fetched.warnings):
        where = " ".join(part for part in (warning.resource, warning.region) if part)
        found.append(item.problem(
            "incomplete", f"when the snapshot was taken, {warning.service} "
            f"{warning.operation}{' (' + where + ')' if where else ''} failed with "
            f"{warning.code}: {warning.message}; what it reads is missing here",
            f"/fetched/warnings/{index}"))
    return found


def _resource_arn(entry: BaseModel) -> str:
    if isinstance(entry, S3BucketEntry):
        return f"arn:aws:s3:::{entry.name}"
    return str(getattr(entry, "arn", ""))

"""Snapshot files and authorization-details files -> one merged, validated `Snapshot`.

Three passes, each reporting every problem it finds before the next one starts, so a
mistake is reported once and never as a cascade:

1. read: each file is read (JSON or YAML), recognised by its top-level keys (`format` for
   a snapshot file; `UserDetailList`/`GroupDetailList`/`RoleDetailList`/`Policies` for the
   output of `aws iam get-account-authorization-details`) and checked against its pydantic
   model; files named by a snapshot are read relative to it.
2. merge: accounts merge by id, resources by ARN, the organization is given once; the same
   thing given twice identically is fine, two different versions of it are an error.
3. build: every policy document is validated once with `parse_policy` under the kind it is
   used as (errors carry its JSON pointer), references are resolved, lookups are built.

Problems carry the file, JSON pointer, line and column. Large JSON files (the output of a
big account) are decoded by `json.loads` alone; their lines and columns are worked out only
when there is a problem to show.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Final, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from policy_engine.errors import (
    PolicyEngineError,
    PolicyValidationError,
    Problem,
    escape_pointer_token,
    join_pointer,
)
from policy_engine.model.kinds import DEFAULT_QUOTAS, PolicyKind, Quotas
from policy_engine.parse import parse_policy
from policy_engine.schema import DIALECT, SCHEMA_ID_BASE
from policy_engine.snapshot.authorization_details import (
    AUTHORIZATION_DETAILS_KEYS,
    AuthorizationDetails,
    GroupDetail,
    InlinePolicy,
    ManagedPolicyDetail,
    RoleDetail,
    UserDetail,
)
from policy_engine.snapshot.model import (
    BUILT_IN,
    PATTERN_WORDS,
    RESOURCE_POLICY_KINDS,
    SNAPSHOT_FORMAT,
    Account,
    AccountEntry,
    AttachedPolicyRef,
    GenericResourceEntry,
    Group,
    InstanceProfile,
    KmsKeyEntry,
    ManagedPolicy,
    ManagedPolicyVersion,
    Organization,
    OrganizationalUnitNode,
    OrganizationEntry,
    OrgLevel,
    OrgNodeType,
    OrgPolicy,
    OrgPolicyType,
    Origin,
    Principal,
    Resource,
    ResourcesEntry,
    ResourceType,
    Role,
    RootNode,
    S3BucketEntry,
    Snapshot,
    SnapshotFile,
    SnapshotPolicy,
    User,
)
from policy_engine.source import SourceDocument, guess_format, load_json_text, load_text

__all__ = [
    "SnapshotError",
    "load_snapshot",
    "load_snapshot_value",
    "parse_snapshot_text",
    "snapshot_schema",
]


class SnapshotError(PolicyEngineError):
    """A snapshot or authorization-details file is malformed or inconsistent."""


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


# JSON up to this many characters is read with full location tracking (and duplicate-key
# detection); larger files are decoded by `json.loads` and located only on error.
EAGER_LOCATION_CHARS: Final = 8 * 1024 * 1024
MAX_FILE_CHARS: Final = 1 << 31
# AWS managed policies are not bound by the customer managed policy quota (ReadOnlyAccess
# is far larger); the API's PolicyVersion `Document` length limit applies instead.
AWS_MANAGED_QUOTAS: Final = DEFAULT_QUOTAS.with_changes(managed_policy=131_072)

FULL_AWS_ACCESS_ID: Final = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ID: Final = "p-RCPFullAWSAccess"
# The AWS managed organization policies, as AWS publishes them (orgs_manage_policies_scps
# and orgs_manage_policies_rcps pages); known without being listed in a snapshot.
_BUILT_IN_ORG_POLICIES: Final = MappingProxyType({
    FULL_AWS_ACCESS_ID: ("FullAWSAccess", OrgPolicyType.SCP, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }),
    RCP_FULL_AWS_ACCESS_ID: ("RCPFullAWSAccess", OrgPolicyType.RCP, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }),
})


# ------------------------------------------------------------------------------ public API


def load_snapshot(paths: Sequence[str | Path] | str | Path, *, strict: bool = False) -> Snapshot:
    """Read snapshot files and/or authorization-details files and merge them.

    `strict=True` turns warnings (a managed policy, boundary or group referenced but absent
    from filtered output; truncated output) into errors. Raises `SnapshotError`.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise SnapshotError(Problem("missing-input", "no snapshot file was given",
                                    source="<arguments>"))
    builder = _Builder(strict=strict)
    for item in items:
        builder.add_input(builder.read_file(Path(item)))
    return builder.build()


def load_snapshot_value(
    value: Any,
    *,
    source: str = "<input>",
    base_dir: str | Path | None = None,
    document: SourceDocument | None = None,
    strict: bool = False,
) -> Snapshot:
    """Build a snapshot from one already-parsed value (a snapshot or authorization details).

    `base_dir` resolves the relative paths a snapshot names; `document`, when given, supplies
    line and column for problems.
    """
    builder = _Builder(strict=strict)
    builder.add_input(_Input(source, value, document=document,
                             base_dir=Path(base_dir) if base_dir is not None else None))
    return builder.build()


def parse_snapshot_text(text: str, *, source: str = "<input>",
                        base_dir: str | Path | None = None, strict: bool = False) -> Snapshot:
    """Build a snapshot from JSON or YAML text."""
    builder = _Builder(strict=strict)
    builder.add_input(builder.read_text(text, source,
                                        Path(base_dir) if base_dir is not None else None))
    return builder.build()


def snapshot_schema() -> dict[str, Any]:
    """The JSON Schema of the snapshot file (`policy-engine schema --kind snapshot`)."""
    schema = SnapshotFile.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_ID_BASE}snapshot.json",
        "title": "policy-engine snapshot",
        "description": (
            f"`format: {SNAPSHOT_FORMAT}`: AWS accounts (with the output of `aws iam "
            "get-account-authorization-details` inline or by relative path), the "
            "organization tree with SCPs and RCPs, and resources with their policies."),
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


# ------------------------------------------------------------------------------- inputs


class _Input:
    """One file's value, and where each of its elements is (computed lazily if need be)."""

    def __init__(self, source: str, value: Any, *, document: SourceDocument | None = None,
                 text: str | None = None, base_dir: Path | None = None) -> None:
        self.source = source
        self.value = value
        self.document = document
        self.text = text  # kept only when locations are still to be computed
        self.base_dir = base_dir

    def _located(self) -> SourceDocument | None:
        if self.document is None and self.text is not None:
            text, self.text = self.text, None
            try:
                self.document = load_text(text, source=self.source, fmt="json",
                                          max_chars=MAX_FILE_CHARS)
            except PolicyEngineError:
                return None
        return self.document

    def origin(self, pointer: str) -> Origin:
        """Where `pointer` is; never forces the location scan of a large file."""
        found = self.document.locate(pointer) if self.document is not None else None
        return Origin(self.source, pointer, *(found or (None, None)))

    def problem(self, code: str, message: str, pointer: str, *, at_key: bool = False) -> Problem:
        return self.place(Problem(code, message, pointer, source=self.source), at_key=at_key)

    def place(self, problem: Problem, *, at_key: bool | None = None) -> Problem:
        if problem.line is not None or problem.source != self.source:
            return problem
        document = self._located()
        if document is None:
            return problem
        if at_key is None:
            at_key = problem.code in _AT_KEY_CODES
        found = document.locate_key(problem.pointer) if at_key else None
        found = found or document.nearest(problem.pointer)
        return replace(problem, line=found[0], column=found[1]) if found else problem


_AT_KEY_CODES: Final = frozenset({"unknown-element", "duplicate-key", "forbidden-element",
                                  "conflicting-elements", "unknown-operator"})


@dataclass(slots=True)
class _AuthzPart:
    details: AuthorizationDetails
    input: _Input
    prefix: str

    def origin(self) -> Origin:
        return self.input.origin(self.prefix)


@dataclass(slots=True)
class _AccountParts:
    id: str
    origin: Origin
    name: str | None = None
    name_origin: Origin | None = None
    authz: _AuthzPart | None = None
    providers: list[tuple[str, _Input, str]] = field(default_factory=list)


@dataclass(slots=True)
class _ResourcePart:
    type: ResourceType
    entry: BaseModel
    input: _Input
    pointer: str


@dataclass(slots=True)
class _OrgPart:
    entry: OrganizationEntry
    input: _Input
    pointer: str


# ------------------------------------------------------------------------------ builder

_T = TypeVar("_T", bound=BaseModel)


class _Builder:
    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.sources: list[str] = []
        self.accounts: dict[str, _AccountParts] = {}
        self.organization: _OrgPart | None = None
        self.resources: dict[str, _ResourcePart] = {}
        self._documents: dict[tuple[PolicyKind, Quotas, str], Any] = {}

    # -- pass 1: read and check shapes

    def read_file(self, path: Path, *, referenced_at: tuple[_Input, str] | None = None
                  ) -> _Input | None:
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            if referenced_at is not None:
                parent, pointer = referenced_at
                self.problems.append(parent.problem(
                    "missing-file", f"cannot read `{source}`: {reason}", pointer))
            else:
                self.problems.append(Problem("missing-file", f"cannot read the file: {reason}",
                                             source=source))
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.problems.append(Problem(
                "invalid-character",
                f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
                source=source))
            return None
        return self.read_text(text, source, path.parent)

    def read_text(self, text: str, source: str, base_dir: Path | None) -> _Input | None:
        if source not in self.sources:
            self.sources.append(source)
        fmt = guess_format(text, source)
        try:
            if fmt == "yaml" or len(text) <= EAGER_LOCATION_CHARS:
                document = load_text(text, source=source, fmt=fmt, max_chars=MAX_FILE_CHARS)
                return _Input(source, document.value, document=document, base_dir=base_dir)
            try:
                value = json.loads(text)
            except ValueError:
                load_json_text(text, source=source, max_chars=MAX_FILE_CHARS)  # locates it
                raise
            return _Input(source, value, text=text, base_dir=base_dir)
        except PolicyEngineError as error:
            self.problems.extend(error.problems)
        except ValueError as error:
            self.problems.append(Problem("invalid-json", f"the file is not JSON ({error})",
                                         source=source))
        return None

    def add_input(self, item: _Input | None) -> None:
        if item is None:
            return
        if item.source not in self.sources:
            self.sources.append(item.source)
        value = item.value
        if isinstance(value, dict) and "format" in value:
            snapshot = self._validate(SnapshotFile, value, item)
            if snapshot is not None:
                self._add_snapshot(snapshot, item)
        elif isinstance(value, dict) and AUTHORIZATION_DETAILS_KEYS & value.keys():
            details = self._validate(AuthorizationDetails, value, item)
            if details is not None:
                part = _AuthzPart(details, item, "")
                account = self._authz_account(part)
                if account is not None:
                    self._add_account(account, part.origin(), authz=part)
        else:
            self.problems.append(item.problem(
                "unknown-format",
                "this is neither a policy-engine snapshot (no `format: "
                f"{SNAPSHOT_FORMAT}`) nor the output of `aws iam "
                "get-account-authorization-details` (no UserDetailList, GroupDetailList, "
                "RoleDetailList or Policies)", ""))

    def _validate(self, model: type[_T], value: Any, item: _Input) -> _T | None:
        try:
            return model.model_validate(value)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                code, message, pointer, at_key = _translate(detail, value, model)
                self.problems.append(item.problem(code, message, pointer, at_key=at_key))
            return None

    def _add_snapshot(self, snapshot: SnapshotFile, item: _Input) -> None:
        seen: dict[str, int] = {}
        for index, entry in enumerate(snapshot.accounts):
            pointer = f"/accounts/{index}"
            if entry.id in seen:
                self.problems.append(item.problem(
                    "duplicate-account", f"account `{entry.id}` is listed twice in this file "
                    f"(first at /accounts/{seen[entry.id]}); give each account once",
                    pointer + "/id"))
                continue
            seen[entry.id] = index
            authz = self._account_details(entry, item, pointer)
            if entry.authorization_details is not None and authz is None:
                continue  # its problems are reported already
            self._add_account(entry.id, item.origin(pointer), authz=authz, name=entry.name,
                              name_origin=item.origin(pointer + "/name"))
            parts = self.accounts[entry.id]
            parts.providers.extend(
                (arn, item, f"{pointer}/identity_providers/{i}")
                for i, arn in enumerate(entry.identity_providers))
        if snapshot.organization is not None:
            self._add_organization(_OrgPart(snapshot.organization, item, "/organization"))
        self._add_resources(snapshot, item)

    def _account_details(self, entry: AccountEntry, item: _Input, pointer: str
                         ) -> _AuthzPart | None:
        spec = entry.authorization_details
        if spec is None:
            return None
        at = pointer + "/authorization_details"
        if isinstance(spec, AuthorizationDetails):
            return _AuthzPart(spec, item, at)
        if item.base_dir is None:
            self.problems.append(item.problem(
                "missing-file", f"`{spec}` cannot be found: this snapshot was not read from a "
                "file, so relative paths have no base; give the authorization details inline",
                at))
            return None
        target = item.base_dir / spec
        referenced = self.read_file(target, referenced_at=(item, at))
        if referenced is None:
            return None
        value = referenced.value
        if not (isinstance(value, dict) and AUTHORIZATION_DETAILS_KEYS & value.keys()):
            self.problems.append(item.problem(
                "unknown-format", f"`{spec}` does not hold the output of `aws iam "
                "get-account-authorization-details` (no UserDetailList, GroupDetailList, "
                "RoleDetailList or Policies)", at))
            return None
        details = self._validate(AuthorizationDetails, value, referenced)
        return _AuthzPart(details, referenced, "") if details is not None else None

    def _authz_account(self, part: _AuthzPart) -> str | None:
        """The account a stand-alone authorization-details file describes, from its ARNs."""
        details = part.details
        arns: Iterable[str] = (
            *(u.arn for u in details.user_detail_list),
            *(g.arn for g in details.group_detail_list),
            *(r.arn for r in details.role_detail_list),
            *(p.arn for p in details.policies),
        )
        for arn in arns:
            account = _arn_account(arn)
            if account and account != "aws":
                return account
        self.problems.append(part.input.problem(
            "unknown-account", "cannot tell which account this output describes: it holds no "
            "user, group, role or customer managed policy; list it in a snapshot file under "
            "`accounts` with its `id`", part.prefix))
        return None

    # -- pass 2: merge

    def _add_account(self, account_id: str, origin: Origin, *, authz: _AuthzPart | None,
                     name: str | None = None, name_origin: Origin | None = None) -> None:
        parts = self.accounts.get(account_id)
        if parts is None:
            self.accounts[account_id] = _AccountParts(account_id, origin, name, name_origin,
                                                      authz)
            return
        if name is not None:
            if parts.name is not None and parts.name != name:
                self.problems.append(_conflict(
                    f"account `{account_id}` is named `{name}` here but `{parts.name}` in "
                    f"{parts.name_origin}", name_origin or origin))
            elif parts.name is None:
                parts.name, parts.name_origin = name, name_origin
        if authz is not None:
            if parts.authz is None:
                parts.authz = authz
            elif parts.authz.details != authz.details:
                self.problems.append(_conflict(
                    f"account `{account_id}` has different authorization details here and in "
                    f"{parts.authz.origin()}; give each account's details once",
                    authz.origin()))

    def _add_organization(self, part: _OrgPart) -> None:
        if self.organization is None:
            self.organization = part
        elif self.organization.entry != part.entry:
            first = self.organization.input.origin(self.organization.pointer)
            self.problems.append(_conflict(
                f"a different organization is already given in {first}; a snapshot holds one "
                "organization", part.input.origin(part.pointer)))

    def _add_resources(self, snapshot: SnapshotFile, item: _Input) -> None:
        in_file: dict[str, str] = {}
        for key, rtype in RESOURCE_LISTS.items():
            entries: Sequence[BaseModel] = getattr(snapshot.resources, key)
            for index, entry in enumerate(entries):
                pointer = f"/resources/{key}/{index}"
                arn = (f"arn:aws:s3:::{entry.name}" if isinstance(entry, S3BucketEntry)
                       else str(getattr(entry, "arn", "")))
                if arn in in_file:
                    self.problems.append(item.problem(
                        "duplicate-resource", f"`{arn}` is listed twice in this file (first "
                        f"at {in_file[arn]}); give each resource once",
                        pointer + ("/name" if rtype is ResourceType.S3_BUCKET else "/arn")))
                    continue
                in_file[arn] = pointer
                known = self.resources.get(arn)
                if known is None:
                    self.resources[arn] = _ResourcePart(rtype, entry, item, pointer)
                elif known.type is not rtype or known.entry != entry:
                    self.problems.append(_conflict(
                        f"`{arn}` is described differently here and in "
                        f"{known.input.origin(known.pointer)}", item.origin(pointer)))

    # -- pass 3: build

    def build(self) -> Snapshot:
        self._stop_on_problems()
        boundary_arns = {
            entity.permissions_boundary.permissions_boundary_arn
            for parts in self.accounts.values() if parts.authz is not None
            for entity in (*parts.authz.details.user_detail_list,
                           *parts.authz.details.role_detail_list)
            if entity.permissions_boundary is not None
        }
        accounts = {account_id: self._build_account(parts, boundary_arns)
                    for account_id, parts in self.accounts.items()}
        aws_managed: dict[str, ManagedPolicy] = {}
        for account in accounts.values():
            for arn, policy in account.managed_policies.items():
                if policy.is_aws_managed:
                    aws_managed.setdefault(arn, policy)
        organization = (self._build_organization(self.organization, accounts)
                        if self.organization is not None else None)
        resources = {arn: resource for arn, part in self.resources.items()
                     if (resource := self._build_resource(arn, part)) is not None}
        self._stop_on_problems()
        snapshot = _snapshot(accounts, organization, resources, aws_managed,
                             tuple(self.sources))
        self._check_references(snapshot)
        if self.strict and self.warnings:
            self.problems.extend(self.warnings)
            self._stop_on_problems()
        return replace(snapshot, warnings=tuple(self.warnings))

    def _stop_on_problems(self) -> None:
        if self.problems:
            order = {source: index for index, source in enumerate(self.sources)}

            def key(problem: Problem) -> tuple[int, int, int, str]:
                return (order.get(problem.source, len(order)), problem.line or 0,
                        problem.column or 0, problem.pointer)

            unique = list(dict.fromkeys(self.problems))
            raise SnapshotError(sorted(unique, key=key))

    def _parse(self, raw: Any, kind: PolicyKind, name: str, item: _Input, pointer: str, *,
               arn: str | None = None, quotas: Quotas = DEFAULT_QUOTAS) -> SnapshotPolicy | None:
        """Validate one document under `kind`, once per distinct content and kind."""
        key = (kind, quotas, json.dumps(raw, sort_keys=True, separators=(",", ":")))
        document = self._documents.get(key)
        if document is None:
            try:
                parsed = parse_policy(raw, kind=kind, source=item.source, pointer_prefix=pointer,
                                      name=name, quotas=quotas)
            except PolicyValidationError as error:
                self.problems.extend(item.place(problem) for problem in error.problems)
                return None
            document = self._documents[key] = parsed.document
        return SnapshotPolicy(name, kind, document, item.origin(pointer), arn)

    # -- accounts

    def _build_account(self, parts: _AccountParts, boundary_arns: set[str]) -> Account:
        providers: dict[str, None] = {}
        for arn, item, pointer in parts.providers:
            if _arn_account(arn) != parts.id:
                self.problems.append(item.problem(
                    "wrong-account", f"`{arn}` belongs to account `{_arn_account(arn)}`, not "
                    f"to `{parts.id}`", pointer))
            providers.setdefault(arn, None)
        users: dict[str, User] = {}
        groups: dict[str, Group] = {}
        roles: dict[str, Role] = {}
        managed: dict[str, ManagedPolicy] = {}
        if parts.authz is not None and self._same_account(parts.authz, parts.id):
            part = parts.authz
            details, item, prefix = part.details, part.input, part.prefix
            if details.is_truncated:
                self.warnings.append(item.problem(
                    "truncated", "the output is truncated (`IsTruncated` is true): the "
                    "principals and policies after `Marker` are missing; run the command "
                    "without --max-items so the CLI fetches every page",
                    prefix + "/IsTruncated"))
            for index, policy in enumerate(details.policies):
                built = self._managed_policy(policy, parts.id, item,
                                             f"{prefix}/Policies/{index}", boundary_arns)
                if built is not None:
                    self._unique(managed, built.arn, built, item,
                                 f"{prefix}/Policies/{index}/Arn", "managed policy")
            for index, group in enumerate(details.group_detail_list):
                pointer = f"{prefix}/GroupDetailList/{index}"
                built_group = self._group(group, parts.id, item, pointer)
                self._unique(groups, group.group_name, built_group, item,
                             pointer + "/GroupName", "group")
            for index, user in enumerate(details.user_detail_list):
                pointer = f"{prefix}/UserDetailList/{index}"
                built_user = self._user(user, parts.id, item, pointer)
                self._unique(users, user.user_name, built_user, item, pointer + "/UserName",
                             "user")
            for index, role in enumerate(details.role_detail_list):
                pointer = f"{prefix}/RoleDetailList/{index}"
                built_role = self._role(role, parts.id, item, pointer)
                self._unique(roles, role.role_name, built_role, item, pointer + "/RoleName",
                             "role")
        return Account(
            id=parts.id, name=parts.name, users=MappingProxyType(users),
            groups=MappingProxyType(groups), roles=MappingProxyType(roles),
            managed_policies=MappingProxyType(managed), identity_providers=tuple(providers),
            has_authorization_details=parts.authz is not None, origin=parts.origin,
        )

    def _same_account(self, part: _AuthzPart, account: str) -> bool:
        """One error when a whole output describes another account (per entity otherwise)."""
        details = part.details
        owners = {_arn_account(arn) for arn in (
            *(u.arn for u in details.user_detail_list),
            *(g.arn for g in details.group_detail_list),
            *(r.arn for r in details.role_detail_list),
            *(p.arn for p in details.policies)) if _arn_account(arn) not in (None, "aws")}
        if len(owners) == 1 and account not in owners:
            self.problems.append(part.input.problem(
                "wrong-account", f"these authorization details describe account "
                f"`{owners.pop()}`, but are given for account `{account}`", part.prefix))
            return False
        return True

    def _unique(self, table: dict[str, Any], key: str, value: Any, item: _Input, pointer: str,
                what: str) -> None:
        if key in table:
            self.problems.append(item.problem(
                "duplicate-entity", f"{what} `{key}` appears twice in this account's "
                f"authorization details (first at {table[key].origin.pointer})", pointer))
        else:
            table[key] = value

    def _check_arn(self, arn: str, resource_type: str, account: str, item: _Input,
                   pointer: str) -> None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or \
                not parts[5].startswith(resource_type + "/"):
            self.problems.append(item.problem(
                "invalid-arn", f"`{arn}` is not an IAM {resource_type} ARN (expected "
                f"`arn:aws:iam::{account}:{resource_type}/NAME`)", pointer))
        elif parts[4] != account:
            self.problems.append(item.problem(
                "wrong-account", f"`{arn}` belongs to account `{parts[4]}`, but these "
                f"authorization details are for account `{account}`", pointer))

    def _inline(self, policies: tuple[InlinePolicy, ...], kind: PolicyKind, item: _Input,
                pointer: str) -> tuple[SnapshotPolicy, ...]:
        parsed = (self._parse(p.policy_document, kind, p.policy_name, item,
                              f"{pointer}/{index}/PolicyDocument")
                  for index, p in enumerate(policies))
        return tuple(p for p in parsed if p is not None)

    def _attached(self, entity: UserDetail | GroupDetail | RoleDetail, item: _Input,
                  pointer: str) -> tuple[AttachedPolicyRef, ...]:
        return tuple(
            AttachedPolicyRef(a.policy_arn, a.policy_name,
                              item.origin(f"{pointer}/AttachedManagedPolicies/{index}"))
            for index, a in enumerate(entity.attached_managed_policies))

    def _boundary(self, entity: UserDetail | RoleDetail, item: _Input, pointer: str
                  ) -> AttachedPolicyRef | None:
        boundary = entity.permissions_boundary
        if boundary is None:
            return None
        return AttachedPolicyRef(boundary.permissions_boundary_arn, None,
                                 item.origin(pointer + "/PermissionsBoundary"))

    def _user(self, user: UserDetail, account: str, item: _Input, pointer: str) -> User:
        self._check_arn(user.arn, "user", account, item, pointer + "/Arn")
        return User(
            account=account, name=user.user_name, arn=user.arn, user_id=user.user_id,
            path=user.path,
            inline_policies=self._inline(user.user_policy_list, PolicyKind.INLINE_USER, item,
                                         pointer + "/UserPolicyList"),
            attached_policies=self._attached(user, item, pointer),
            group_names=user.group_list,
            permissions_boundary=self._boundary(user, item, pointer),
            tags=MappingProxyType({tag.key: tag.value for tag in user.tags}),
            create_date=user.create_date, origin=item.origin(pointer),
        )

    def _group(self, group: GroupDetail, account: str, item: _Input, pointer: str) -> Group:
        self._check_arn(group.arn, "group", account, item, pointer + "/Arn")
        return Group(
            account=account, name=group.group_name, arn=group.arn, group_id=group.group_id,
            path=group.path,
            inline_policies=self._inline(group.group_policy_list, PolicyKind.INLINE_GROUP,
                                         item, pointer + "/GroupPolicyList"),
            attached_policies=self._attached(group, item, pointer),
            create_date=group.create_date, origin=item.origin(pointer),
        )

    def _role(self, role: RoleDetail, account: str, item: _Input, pointer: str) -> Role:
        self._check_arn(role.arn, "role", account, item, pointer + "/Arn")
        trust = None
        if role.assume_role_policy_document is not None:
            trust = self._parse(role.assume_role_policy_document, PolicyKind.TRUST,
                                f"{role.role_name} trust policy", item,
                                pointer + "/AssumeRolePolicyDocument")
        profiles = tuple(
            InstanceProfile(name=p.instance_profile_name, arn=p.arn,
                            instance_profile_id=p.instance_profile_id, path=p.path,
                            role_names=tuple(r.role_name for r in p.roles))
            for p in role.instance_profile_list)
        return Role(
            account=account, name=role.role_name, arn=role.arn, role_id=role.role_id,
            path=role.path, trust_policy=trust,
            inline_policies=self._inline(role.role_policy_list, PolicyKind.INLINE_ROLE, item,
                                         pointer + "/RolePolicyList"),
            attached_policies=self._attached(role, item, pointer),
            permissions_boundary=self._boundary(role, item, pointer),
            tags=MappingProxyType({tag.key: tag.value for tag in role.tags}),
            instance_profiles=profiles, last_used=role.role_last_used,
            create_date=role.create_date, origin=item.origin(pointer),
        )

    def _managed_policy(self, policy: ManagedPolicyDetail, account: str, item: _Input,
                        pointer: str, boundary_arns: set[str]) -> ManagedPolicy | None:
        owner = _arn_account(policy.arn)
        parts = policy.arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("policy/") or \
                owner not in ("aws", account):
            message = (f"`{policy.arn}` belongs to account `{owner}`, but these authorization "
                       f"details are for account `{account}`" if len(parts) == 6 and
                       parts[5].startswith("policy/") else
                       f"`{policy.arn}` is not a managed policy ARN (expected "
                       f"`arn:aws:iam::{account}:policy/NAME` or `arn:aws:iam::aws:policy/NAME`)")
            self.problems.append(item.problem("invalid-arn", message, pointer + "/Arn"))
            return None
        aws_managed = owner == "aws"
        quotas = AWS_MANAGED_QUOTAS if aws_managed else DEFAULT_QUOTAS
        default_id = self._default_version_id(policy, item, pointer)
        if default_id is None:
            return None
        versions: list[ManagedPolicyVersion] = []
        default: SnapshotPolicy | None = None
        default_raw: Any = None
        for index, version in enumerate(policy.policy_version_list):
            at = f"{pointer}/PolicyVersionList/{index}"
            if version.document is None:
                self.problems.append(item.problem(
                    "missing-element", "`Document` is required: the policy version's text is "
                    "missing", at))
                continue
            if version.version_id != default_id:
                versions.append(ManagedPolicyVersion(
                    version.version_id, False, version.create_date,
                    _deferred(version.document, f"{policy.policy_name} ({version.version_id})",
                              item, at + "/Document", policy.arn, quotas)))
                continue
            parsed = self._parse(version.document, PolicyKind.IDENTITY, policy.policy_name,
                                 item, at + "/Document", arn=policy.arn, quotas=quotas)
            if parsed is None:
                return None
            default, default_raw = parsed, version.document
            versions.append(ManagedPolicyVersion(version.version_id, True, version.create_date,
                                                 _parsed_already(parsed), [parsed]))
        if default is None:
            return None
        boundary = None
        if policy.arn in boundary_arns:
            default_at = default.origin.pointer
            boundary = self._parse(default_raw, PolicyKind.BOUNDARY, policy.policy_name, item,
                                   default_at, arn=policy.arn, quotas=quotas)
        return ManagedPolicy(
            arn=policy.arn, name=policy.policy_name, account=None if aws_managed else account,
            policy_id=policy.policy_id, path=policy.path, default_version_id=default_id,
            versions=tuple(versions), default=default, boundary=boundary,
            attachment_count=policy.attachment_count,
            permissions_boundary_usage_count=policy.permissions_boundary_usage_count,
            is_attachable=policy.is_attachable, description=policy.description,
            create_date=policy.create_date, update_date=policy.update_date,
            origin=item.origin(pointer),
        )

    def _default_version_id(self, policy: ManagedPolicyDetail, item: _Input, pointer: str
                            ) -> str | None:
        """`DefaultVersionId`, checked against the versions' `IsDefaultVersion` flags."""
        versions = policy.policy_version_list
        if not versions:
            self.problems.append(item.problem(
                "missing-element", f"managed policy `{policy.policy_name}` has no "
                "`PolicyVersionList`; the command lists every version of each policy",
                pointer))
            return None
        flagged = [v.version_id for v in versions if v.is_default_version]
        ids = [v.version_id for v in versions]
        default_id = policy.default_version_id
        if default_id is None:
            if len(flagged) == 1:
                return flagged[0]
            self.problems.append(item.problem(
                "missing-element", "`DefaultVersionId` is required: no single version is "
                "marked `IsDefaultVersion`", pointer))
            return None
        if default_id not in ids:
            self.problems.append(item.problem(
                "unknown-version", f"`DefaultVersionId` is `{default_id}`, but "
                f"`PolicyVersionList` holds only {_words(ids)}", pointer + "/DefaultVersionId"))
            return None
        if flagged and flagged != [default_id]:
            self.problems.append(item.problem(
                "inconsistent-version", f"`DefaultVersionId` is `{default_id}`, but the "
                f"version marked `IsDefaultVersion` is {_words(flagged)}",
                pointer + "/DefaultVersionId"))
            return None
        return default_id

    # -- references that may be missing from filtered output

    def _check_references(self, snapshot: Snapshot) -> None:
        """Warn once per policy, boundary or group that is referenced but absent."""
        missing: dict[tuple[str, str, str], list[tuple[str, Origin]]] = {}

        def check(refs: Iterable[AttachedPolicyRef], account: str, who: str, what: str) -> None:
            for ref in refs:
                if snapshot.managed_policy(ref.arn, account=account) is None:
                    missing.setdefault((what, account, ref.arn), []).append((who, ref.origin))

        for account in snapshot.accounts.values():
            for group in account.groups.values():
                check(group.attached_policies, account.id, f"group/{group.name}", "policy")
            for principal in account.principals():
                check(principal.attached_policies, account.id, principal.short_name, "policy")
                if principal.permissions_boundary is not None:
                    check((principal.permissions_boundary,), account.id, principal.short_name,
                          "boundary")
            for user in account.users.values():
                for name in user.group_names:
                    if name not in account.groups:
                        missing.setdefault(("group", account.id, name), []).append(
                            (user.short_name, user.origin))
        for (what, account_id, target), users in missing.items():
            self.warnings.append(_missing_warning(what, account_id, target, users))

    # -- organization

    def _build_organization(self, part: _OrgPart, accounts: Mapping[str, Account]
                            ) -> Organization:
        entry, item, prefix = part.entry, part.input, part.pointer
        enabled = frozenset(entry.policy_types)
        policies: dict[str, OrgPolicy] = {}
        for policy_id, policy in entry.policies.items():
            at = f"{prefix}/policies/{escape_pointer_token(policy_id)}"
            kind = PolicyKind.SCP if policy.type is OrgPolicyType.SCP else PolicyKind.RCP
            parsed = self._parse(policy.document, kind, policy.name, item, at + "/document")
            if parsed is not None:
                policies[policy_id] = OrgPolicy(policy_id, policy.name, policy.type, parsed,
                                                policy.description,
                                                policy_id in _BUILT_IN_ORG_POLICIES)
        tree = _Tree(self, item, entry, enabled, policies, accounts)
        root = tree.level(entry.root.id, OrgNodeType.ROOT, "Root", entry.root.policies,
                          prefix + "/root")
        tree.walk(entry.root, prefix + "/root", (root,))
        if entry.management_account not in tree.paths:
            self.warnings.append(item.problem(
                "management-account-not-placed", f"the management account "
                f"`{entry.management_account}` is not placed in the organization tree; "
                "aws:PrincipalOrgPaths is unknown for it", prefix + "/management_account"))
        return Organization(
            id=entry.id, management_account=entry.management_account, root_id=entry.root.id,
            policy_types=enabled, policies=MappingProxyType(tree.policies),
            paths=MappingProxyType(tree.paths),
            organizational_units=MappingProxyType(tree.units), origin=item.origin(prefix),
        )

    # -- resources

    def _build_resource(self, arn: str, part: _ResourcePart) -> Resource | None:
        entry, item, pointer, rtype = part.entry, part.input, part.pointer, part.type
        shape = _RESOURCE_ARNS.get(rtype)
        if isinstance(entry, S3BucketEntry):
            if not _BUCKET_NAME.fullmatch(entry.name):
                self.problems.append(item.problem(
                    "invalid-name", f"`{entry.name}` is not a valid S3 bucket name (3 to 63 "
                    "lowercase letters, digits, dots and hyphens)", pointer + "/name"))
                return None
            account, region, name = entry.account, entry.region, entry.name
        else:
            parts = arn.split(":", 5)
            if shape is not None and not shape[0].fullmatch(arn):
                self.problems.append(item.problem(
                    "invalid-arn", f"`{arn}` is not {shape[1]} (expected `{shape[2]}`)",
                    pointer + "/arn"))
                return None
            if shape is None and (len(parts) != 6 or parts[0] != "arn"):
                self.problems.append(item.problem(
                    "invalid-arn", f"`{arn}` is not an ARN (expected "
                    "`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`)", pointer + "/arn"))
                return None
            account = parts[4]
            if isinstance(entry, GenericResourceEntry) and entry.account is not None:
                if account and account != entry.account:
                    self.problems.append(item.problem(
                        "wrong-account", f"`account` is `{entry.account}`, but the ARN names "
                        f"account `{account}`", pointer + "/account"))
                    return None
                account = entry.account
            if not account:
                self.problems.append(item.problem(
                    "missing-element", f"`{arn}` carries no account; give the owner as "
                    "`account`", pointer))
                return None
            region, name = parts[3] or None, _resource_name(rtype, parts[5])
        aliases = self._aliases(entry, arn, item, pointer) if isinstance(entry, KmsKeyEntry) \
            else ()
        raw = getattr(entry, "policy", None)
        policy = None
        if raw is not None:
            policy = self._parse(raw, RESOURCE_POLICY_KINDS[rtype], arn, item,
                                 pointer + "/policy", arn=arn)
            if policy is None:
                return None
        tags = getattr(entry, "tags", {})
        return Resource(
            arn=arn, type=rtype, account=account, name=name, region=region, policy=policy,
            tags=MappingProxyType(dict(tags)), origin=item.origin(pointer), aliases=aliases,
            type_name=entry.type if isinstance(entry, GenericResourceEntry) else None,
        )

    def _aliases(self, entry: KmsKeyEntry, arn: str, item: _Input, pointer: str
                 ) -> tuple[str, ...]:
        found: list[str] = []
        key_prefix = arn.rsplit(":", 1)[0] + ":"
        for index, alias in enumerate(entry.aliases):
            name = alias
            if alias.startswith("arn:"):
                if not alias.startswith(key_prefix + "alias/"):
                    self.problems.append(item.problem(
                        "invalid-arn", f"`{alias}` is not an alias ARN in the key's account "
                        f"and Region (expected `{key_prefix}alias/NAME`)",
                        f"{pointer}/aliases/{index}"))
                    continue
                name = alias[len(key_prefix):]
            if not re.fullmatch(r"alias/[A-Za-z0-9/_-]+", name) or name.startswith("alias/aws/"):
                self.problems.append(item.problem(
                    "invalid-name", f"`{alias}` is not a customer alias name (expected "
                    "`alias/NAME`; `alias/aws/` is reserved for AWS managed keys)",
                    f"{pointer}/aliases/{index}"))
                continue
            found.append(name)
        return tuple(found)


# ------------------------------------------------------------------- organization tree


class _Tree:
    """Walks the organization tree: one `OrgLevel` per node, paths per account."""

    def __init__(self, builder: _Builder, item: _Input, entry: OrganizationEntry,
                 enabled: frozenset[OrgPolicyType], policies: dict[str, OrgPolicy],
                 accounts: Mapping[str, Account]) -> None:
        self.builder = builder
        self.item = item
        self.entry = entry
        self.enabled = enabled
        self.policies = policies
        self.accounts = accounts
        self.paths: dict[str, tuple[OrgLevel, ...]] = {}
        self.units: dict[str, OrgLevel] = {}
        self._placed: dict[str, str] = {}

    def problem(self, code: str, message: str, pointer: str) -> None:
        self.builder.problems.append(self.item.problem(code, message, pointer))

    def walk(self, node: RootNode | OrganizationalUnitNode, pointer: str,
             path: tuple[OrgLevel, ...]) -> None:
        for index, account in enumerate(node.accounts):
            at = f"{pointer}/accounts/{index}"
            if account.id in self._placed:
                self.problem("duplicate-account", f"account `{account.id}` is placed twice in "
                             f"the organization (first at {self._placed[account.id]}); an "
                             "account has one parent", at + "/id")
                continue
            self._placed[account.id] = at
            known = self.accounts.get(account.id)
            level = self.level(account.id, OrgNodeType.ACCOUNT, known.name if known else None,
                               account.policies, at)
            self.paths[account.id] = (*path, level)
        for index, unit in enumerate(node.organizational_units):
            at = f"{pointer}/organizational_units/{index}"
            if unit.id in self.units:
                self.problem("duplicate-unit", f"organizational unit `{unit.id}` appears twice "
                             f"(first at {self.units[unit.id].origin.pointer})", at + "/id")
                continue
            level = self.level(unit.id, OrgNodeType.ORGANIZATIONAL_UNIT, unit.name,
                               unit.policies, at)
            self.units[unit.id] = level
            self.walk(unit, at, (*path, level))

    def level(self, node_id: str, node_type: OrgNodeType, name: str | None,
              policy_ids: tuple[str, ...], pointer: str) -> OrgLevel:
        attached: dict[OrgPolicyType, list[OrgPolicy]] = {t: [] for t in OrgPolicyType}
        unresolved = False
        seen: set[str] = set()
        for index, policy_id in enumerate(policy_ids):
            at = f"{pointer}/policies/{index}"
            if policy_id in seen:
                self.problem("duplicate-attachment", f"`{policy_id}` is attached twice here", at)
                continue
            seen.add(policy_id)
            if policy_id in self.entry.policies and policy_id not in self.policies:
                unresolved = True  # defined, but its document is invalid (reported already)
                continue
            policy = self._policy(policy_id)
            if policy is None:
                unresolved = True
                known = sorted({*self.entry.policies, *_BUILT_IN_ORG_POLICIES})
                close = difflib.get_close_matches(policy_id, known, n=1)
                self.problem("unknown-policy", f"`{policy_id}` is not a policy of this "
                             "organization (`organization.policies` defines "
                             f"{_words(sorted(self.entry.policies)) or 'none'})"
                             + (f"; did you mean `{close[0]}`?" if close else ""), at)
                continue
            if policy.type not in self.enabled:
                unresolved = True
                self.problem("policy-type-disabled", f"`{policy_id}` is an {policy.type.value}, "
                             f"but {policy.type.value}s are not enabled: add "
                             f"`{policy.type.value}` to `organization.policy_types`", at)
                continue
            attached[policy.type].append(policy)
        what = {OrgNodeType.ROOT: "the root", OrgNodeType.ORGANIZATIONAL_UNIT:
                f"organizational unit `{node_id}`", OrgNodeType.ACCOUNT:
                f"account `{node_id}`"}[node_type]
        quotas = DEFAULT_QUOTAS
        for kind, default_id, limit in (
                (OrgPolicyType.SCP, FULL_AWS_ACCESS_ID, quotas.scps_per_target),
                (OrgPolicyType.RCP, RCP_FULL_AWS_ACCESS_ID, quotas.rcps_per_target)):
            count = len(attached[kind])
            if kind in self.enabled and count == 0 and not unresolved:
                self.problem("no-policy-attached", f"no {kind.value} is attached to {what}; "
                             f"while {kind.value}s are enabled AWS keeps at least one attached "
                             f"to every root, OU and account: attach `{default_id}` (the "
                             f"default) or remove `{kind.value}` from "
                             "`organization.policy_types`", pointer + "/policies")
            if count > limit:
                self.problem("too-many-policies", f"{count} {kind.value}s are attached to "
                             f"{what}; AWS allows at most {limit} per target",
                             pointer + "/policies")
        return OrgLevel(node_id, node_type, name, tuple(attached[OrgPolicyType.SCP]),
                        tuple(attached[OrgPolicyType.RCP]), self.item.origin(pointer))

    def _policy(self, policy_id: str) -> OrgPolicy | None:
        found = self.policies.get(policy_id)
        if found is not None:
            return found
        built_in = _BUILT_IN_ORG_POLICIES.get(policy_id)
        if built_in is None:
            return None
        name, policy_type, document = built_in
        kind = PolicyKind.SCP if policy_type is OrgPolicyType.SCP else PolicyKind.RCP
        parsed = parse_policy(document, kind=kind, source=BUILT_IN.source, name=name)
        policy = OrgPolicy(policy_id, name, policy_type,
                           SnapshotPolicy(name, kind, parsed.document, BUILT_IN),
                           "AWS managed", aws_managed=True)
        self.policies[policy_id] = policy
        return policy


# ------------------------------------------------------------------------------- helpers


def _deferred(raw: Any, name: str, item: _Input, pointer: str, arn: str, quotas: Quotas
              ) -> Callable[[], SnapshotPolicy]:
    """Validation of a non-default managed policy version, run on first use."""

    def parse() -> SnapshotPolicy:
        try:
            parsed = parse_policy(raw, kind=PolicyKind.IDENTITY, source=item.source,
                                  pointer_prefix=pointer, name=name, quotas=quotas)
        except PolicyValidationError as error:
            raise SnapshotError([item.place(problem) for problem in error.problems]) from None
        return SnapshotPolicy(name, PolicyKind.IDENTITY, parsed.document, item.origin(pointer),
                              arn)

    return parse


def _parsed_already(policy: SnapshotPolicy) -> Callable[[], SnapshotPolicy]:
    return lambda: policy


def _snapshot(accounts: dict[str, Account], organization: Organization | None,
              resources: dict[str, Resource], aws_managed: dict[str, ManagedPolicy],
              sources: tuple[str, ...]) -> Snapshot:
    """The snapshot and its indexes (warnings are added by the caller)."""
    principals: dict[str, Principal] = {}
    groups_of: dict[str, tuple[Group, ...]] = {}
    unique_ids: dict[str, Principal] = {}
    short: dict[str, list[Principal]] = {}
    for account in accounts.values():
        for user in account.users.values():
            groups_of[user.arn] = tuple(account.groups[name] for name in user.group_names
                                        if name in account.groups)
        for principal in account.principals():
            principals[principal.arn] = principal
            if principal.unique_id:
                unique_ids[principal.unique_id] = principal
            # Also by the ARN without its path, as people often write it.
            head = principal.arn.rsplit(":", 1)[0]
            short.setdefault(f"{head}:{principal.type.value}/{principal.name}", []).append(
                principal)
    for arn, found in short.items():
        if len(found) == 1 and arn not in principals:
            principals[arn] = found[0]
    aliases: dict[str, Resource] = {}
    for resource in resources.values():
        if resource.type is ResourceType.KMS_KEY:
            prefix = resource.arn.rsplit(":", 1)[0]
            for alias in resource.aliases:
                aliases[f"{prefix}:{alias}"] = resource
    return Snapshot(
        accounts=MappingProxyType(accounts), organization=organization,
        resources=MappingProxyType(resources), warnings=(), sources=sources,
        _principals=MappingProxyType(principals), _unique_ids=MappingProxyType(unique_ids),
        _aws_managed=MappingProxyType(aws_managed), _groups_of=MappingProxyType(groups_of),
        _kms_aliases=MappingProxyType(aliases),
    )


def _missing_warning(what: str, account: str, target: str, users: list[tuple[str, Origin]]
                     ) -> Problem:
    names = list(dict.fromkeys(name for name, _ in users))
    if len(names) > 3:
        shown = ", ".join(names[:3]) + f" and {len(names) - 3} more"
    else:
        shown = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    first = users[0][1]
    if what == "group":
        message = (f"group `{target}` of {shown} is not in account {account}'s authorization "
                   "details (was the output filtered without `Group`?); its policies are "
                   "left out")
        code = "missing-group"
    else:
        aws = _arn_account(target) == "aws"
        fix = "`AWSManagedPolicy`" if aws else "`LocalManagedPolicy`"
        role = "the permissions boundary of" if what == "boundary" else "attached to"
        message = (f"`{target}`, {role} {shown}, is not in the authorization details "
                   f"(was the output filtered without {fix}?); ")
        if what == "boundary":
            message += ("the boundary is treated as one that allows nothing: what it "
                        "would have to allow is implicitly denied")
            code = "missing-boundary"
        else:
            message += "its permissions are left out"
            code = "missing-managed-policy"
    return Problem(code, message, first.pointer, first.line, first.column, first.source)


def _resource_name(rtype: ResourceType, resource: str) -> str:
    """The name people use: the key id, queue, function, layer:version, secret, repository."""
    for prefix in ("key/", "function:", "layer:", "secret:", "repository/"):
        if resource.startswith(prefix) and rtype is not ResourceType.OTHER:
            resource = resource[len(prefix):]
            break
    if rtype is ResourceType.LAMBDA_FUNCTION:
        resource = resource.split(":", 1)[0]
    return resource


def _conflict(message: str, origin: Origin) -> Problem:
    return Problem("conflicting-duplicate", message, origin.pointer, origin.line, origin.column,
                   origin.source)


def _arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else None


def _words(items: Sequence[str]) -> str:
    quoted = [f"`{item}`" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


_BUCKET_NAME: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PARTITION = r"arn:aws[a-z-]*:"
_RESOURCE_ARNS: Final[Mapping[ResourceType, tuple[re.Pattern[str], str, str]]] = \
    MappingProxyType({
        ResourceType.KMS_KEY: (
            re.compile(_PARTITION + r"kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+"),
            "a KMS key ARN", "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID"),
        ResourceType.SQS_QUEUE: (
            re.compile(_PARTITION + r"sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?"),
            "an SQS queue ARN", "arn:aws:sqs:REGION:ACCOUNT:QUEUE"),
        ResourceType.SNS_TOPIC: (
            re.compile(_PARTITION + r"sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?"),
            "an SNS topic ARN", "arn:aws:sns:REGION:ACCOUNT:TOPIC"),
        ResourceType.LAMBDA_FUNCTION: (
            re.compile(_PARTITION + r"lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+"
                       r"(:[A-Za-z0-9$_-]+)?"),
            "a Lambda function ARN", "arn:aws:lambda:REGION:ACCOUNT:function:NAME"),
        ResourceType.LAMBDA_LAYER_VERSION: (
            re.compile(_PARTITION + r"lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+"),
            "a Lambda layer version ARN", "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION"),
        ResourceType.SECRETSMANAGER_SECRET: (
            re.compile(_PARTITION + r"secretsmanager:[a-z0-9-]+:\d{12}:secret:[^*?\s]+"),
            "a Secrets Manager secret ARN", "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"),
        ResourceType.ECR_REPOSITORY: (
            re.compile(_PARTITION + r"ecr:[a-z0-9-]+:\d{12}:repository/[a-z0-9][a-z0-9._/-]*"),
            "an ECR repository ARN", "arn:aws:ecr:REGION:ACCOUNT:repository/NAME"),
    })


# --------------------------------------------------------------------- pydantic errors

_EXPECTED: Final = MappingProxyType({
    "string_type": "text",
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "`true` or `false`", "bool_parsing": "`true` or `false`",
    "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object",
    "list_type": "a list", "tuple_type": "a list",
    "datetime_type": "a date and time such as `2024-01-31T12:00:00Z`",
    "datetime_parsing": "a date and time such as `2024-01-31T12:00:00Z`",
    "datetime_from_date_parsing": "a date and time such as `2024-01-31T12:00:00Z`",
})


def _translate(detail: Mapping[str, Any], raw: Any, model: type[BaseModel]
               ) -> tuple[str, str, str, bool]:
    """One pydantic error -> (code, message, pointer, at_key) in the project's terms."""
    loc = tuple(detail.get("loc", ()))
    kind = str(detail.get("type", ""))
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    tokens: list[str | int] = []
    node = raw
    for index, part in enumerate(loc):
        if _has_member(node, part):
            tokens.append(part)
            node = node[part]
        elif index == len(loc) - 1 and kind == "missing":
            tokens.append(part)
        # anything else is a union branch or key marker that the source does not have
    pointer = join_pointer("", *tokens)
    element = next((str(t) for t in reversed(tokens) if isinstance(t, str)), "value")
    if kind == "missing":
        return "missing-element", f"`{element}` is required", pointer, True
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        message = f"unknown key `{element}`"
        close = difflib.get_close_matches(element, allowed, n=1)
        if close:
            message += f"; did you mean `{close[0]}`?"
        elif allowed:
            message += f" (expected {_words(allowed)})"
        return "unknown-element", message, pointer, True
    at_key = bool(loc) and loc[-1] == "[key]"
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern")), "value of the expected form")
        return "invalid-value", f"`{_clip(value)}` is not a valid {words}", pointer, at_key
    if kind in ("literal_error", "enum"):
        expected = re.sub(r"'([^']*)'", r"`\1`", str(ctx.get("expected", "")))
        return "invalid-value", f"`{element}` must be {expected}, not {_describe(value)}", \
            pointer, at_key
    if kind == "value_error":
        return "invalid-value", str(ctx.get("error", detail.get("msg", ""))), pointer, at_key
    if kind == "details_form":
        return "wrong-type", f"`{element}` {detail.get('msg')}, not {_describe(value)}", \
            pointer, at_key
    expected = _EXPECTED.get(kind)
    if expected is not None:
        message = f"`{element}` must be {expected}, not {_describe(value)}"
        if kind == "string_type" and isinstance(value, int) and re.fullmatch(r"\d{12}",
                                                                            str(value)):
            message += f"; write account ids in quotes (`\"{value}\"`)"
        return "wrong-type", message, pointer, at_key
    message = str(detail.get("msg", "invalid value"))
    return "invalid-value", message[:1].lower() + message[1:], pointer, at_key


def _has_member(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at `loc` (best effort: union branches are followed)."""
    candidates: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for leaf in (leaf for c in candidates for leaf in _leaves(c)):
            if isinstance(part, int) and get_origin(leaf) in (tuple, list):
                following.append(get_args(leaf)[0])
            elif isinstance(leaf, type) and issubclass(leaf, BaseModel) and isinstance(part, str):
                for name, info in leaf.model_fields.items():
                    if part in (name, info.alias):
                        following.append(info.annotation)
            elif get_origin(leaf) is dict and isinstance(part, str):
                following.append(get_args(leaf)[1])
        if following:
            candidates = following
    for leaf in (leaf for c in candidates for leaf in _leaves(c)):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            return [info.alias or name for name, info in leaf.model_fields.items()]
    return []


def _leaves(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return f"`{json.dumps(value)}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        return f"the text `{_clip(value)}`"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return "a value of another kind"


def _clip(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


"""`lint --env SNAPSHOT`: every policy of an account snapshot, each named by what carries it.

The file is a policy-engine snapshot (with the authorization-details files it names) or the
raw output of `aws iam get-account-authorization-details`. It is read and merged by the
snapshot loader's first two passes (`snapshot.read`, `snapshot.merge`: the same reading,
shape checks and URL-decoding of policy documents as every other `--env` command), but not
built: the build pass refuses a snapshot with an invalid policy, and reporting such a
policy, located, is the linter's job.

The documents, each `stored=True` (AWS already stores them) and located where it sits:

- managed policies (the default version, the one in force): customer managed as
  `identity`, AWS managed as `aws-managed`; each once, however many principals carry it
  (its subject gives its ARN and who carries it), and once more as `boundary` when a user
  or role uses it as a permissions boundary;
- inline policies of users, groups and roles (`inline-user`, `inline-group`,
  `inline-role`) and role trust policies (`trust`), subject `role/NAME` (with the account
  when the snapshot holds several);
- resource policies (buckets, keys, queues, topics, functions, layers, secrets,
  repositories, other resources), subject the resource's ARN; SCPs and RCPs of the
  organization, subject `SCP p-ID (Name)`; VPC endpoint policies, subject the endpoint id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy_engine.arn import arn_account
from policy_engine.errors import escape_pointer_token, join_pointer
from policy_engine.lint.document import LintDocument, LintInput
from policy_engine.lint.inputs.located import located
from policy_engine.model.kinds import PolicyKind
from policy_engine.snapshot.authorization_details import (
    AuthorizationDetails,
    ManagedPolicyDetail,
)
from policy_engine.snapshot.merge import AccountParts, Merger
from policy_engine.snapshot.messages import ProblemLog
from policy_engine.snapshot.model import RESOURCE_POLICY_KINDS
from policy_engine.snapshot.read import Input, read_file
from policy_engine.snapshot.snapshot_file import OrgPolicyType
from policy_engine.source import SourceDocument

_SHOWN_CARRIERS = 3


@dataclass
class _Reading:
    several_accounts: bool
    documents: list[LintDocument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    managed_seen: set[str] = field(default_factory=set)

    def add(self, item: Input, raw: Any, pointer: str, kind: PolicyKind, subject: str,
            name: str) -> None:
        origin = item.located() or SourceDocument(raw)
        self.documents.append(LintDocument(
            source=item.source, value=raw, kind=kind, origin=located(origin, pointer, raw),
            pointer=pointer, subject=subject, kind_reason="where the snapshot holds it",
            name=name, stored=True, text=origin.text))


def read(path: Path) -> LintInput:
    """Every policy of the snapshot at `path`; raises `SnapshotError` for a file the
    snapshot loader cannot read (the first problem is the line shown)."""
    log = ProblemLog()
    merger = Merger(log)
    first = read_file(path, log)
    merger.add_input(first)
    log.raise_problems()
    reading = _Reading(len(merger.accounts) > 1)
    carriers = _carriers(merger.accounts.values())
    for account in merger.accounts.values():
        _account(reading, account, carriers)
    _resources(reading, merger)
    _organization(reading, merger)
    _endpoints(reading, merger)
    if not reading.documents:
        reading.notes.append("the snapshot holds no policy")
    text = first.document.text if first is not None and first.document is not None else None
    return LintInput(str(path), tuple(reading.documents), text, "snapshot",
                     tuple(reading.notes))


# -- accounts: managed, inline and trust policies

@dataclass
class _Carriers:
    """Who carries each managed policy: attached, and as a permissions boundary."""

    attached: dict[str, list[str]] = field(default_factory=dict)
    boundary: dict[str, list[str]] = field(default_factory=dict)


def _carriers(accounts: Iterable[AccountParts]) -> _Carriers:
    found = _Carriers()
    for parts in accounts:
        if parts.authz is None:
            continue
        details = parts.authz.details
        for kind, entities in (("user", details.user_detail_list),
                               ("group", details.group_detail_list),
                               ("role", details.role_detail_list)):
            for entity in entities:
                name = f"{kind}/{_entity_name(entity)}"
                for attached in entity.attached_managed_policies:
                    found.attached.setdefault(attached.policy_arn, []).append(name)
                boundary = getattr(entity, "permissions_boundary", None)
                if boundary is not None:
                    found.boundary.setdefault(boundary.permissions_boundary_arn, []).append(
                        name)
    return found


def _entity_name(entity: Any) -> str:
    return str(getattr(entity, "user_name", None) or getattr(entity, "group_name", None)
               or getattr(entity, "role_name", ""))


def _account(reading: _Reading, parts: AccountParts, carriers: _Carriers) -> None:
    if parts.authz is None:
        return
    details: AuthorizationDetails = parts.authz.details
    item, prefix = parts.authz.input, parts.authz.prefix
    if details.is_truncated:
        reading.notes.append(f"account {parts.id}: the authorization details are truncated "
                             "(`IsTruncated`); the policies after `Marker` are missing")
    for index, policy in enumerate(details.policies):
        _managed(reading, policy, item, join_pointer(prefix, "Policies", index), carriers)
    where = f" in {parts.id}" if reading.several_accounts else ""
    lists = (("user", "UserDetailList", "UserPolicyList", PolicyKind.INLINE_USER,
              details.user_detail_list),
             ("group", "GroupDetailList", "GroupPolicyList", PolicyKind.INLINE_GROUP,
              details.group_detail_list),
             ("role", "RoleDetailList", "RolePolicyList", PolicyKind.INLINE_ROLE,
              details.role_detail_list))
    for kind, list_key, policies_key, policy_kind, entities in lists:
        for index, entity in enumerate(entities):
            name = f"{kind}/{_entity_name(entity)}{where}"
            at = join_pointer(prefix, list_key, index)
            trust = getattr(entity, "assume_role_policy_document", None)
            if trust is not None:
                reading.add(item, trust, join_pointer(at, "AssumeRolePolicyDocument"),
                            PolicyKind.TRUST, f"{name} (trust policy)", f"{name} trust")
            for number, inline in enumerate(getattr(entity, _inline_attribute(kind))):
                reading.add(item, inline.policy_document,
                            join_pointer(at, policies_key, number, "PolicyDocument"),
                            policy_kind, f"{name} (inline policy {inline.policy_name})",
                            inline.policy_name)


def _inline_attribute(kind: str) -> str:
    return f"{kind}_policy_list"


def _managed(reading: _Reading, policy: ManagedPolicyDetail, item: Input, pointer: str,
             carriers: _Carriers) -> None:
    """The default version, once per policy ARN (AWS managed policies appear in every
    account that uses them)."""
    if policy.arn in reading.managed_seen:
        return
    reading.managed_seen.add(policy.arn)
    found = _default_version(policy)
    if found is None:
        reading.notes.append(f"{policy.arn}: no default version with a document; not linted")
        return
    index, document = found
    at = join_pointer(pointer, "PolicyVersionList", index, "Document")
    aws_managed = arn_account(policy.arn) == "aws"
    attached = carriers.attached.get(policy.arn, [])
    boundary_of = carriers.boundary.get(policy.arn, [])
    if attached or not boundary_of:
        kind = PolicyKind.AWS_MANAGED if aws_managed else PolicyKind.IDENTITY
        reading.add(item, document, at, kind,
                    f"{policy.arn} ({_carried('attached to', attached)})", policy.policy_name)
    if boundary_of:
        reading.add(item, document, at, PolicyKind.BOUNDARY,
                    f"{policy.arn} ({_carried('permissions boundary of', boundary_of)})",
                    policy.policy_name)


def _default_version(policy: ManagedPolicyDetail) -> tuple[int, Any] | None:
    for index, version in enumerate(policy.policy_version_list):
        is_default = version.version_id == policy.default_version_id if \
            policy.default_version_id else version.is_default_version
        if is_default and version.document is not None:
            return index, version.document
    return None


def _carried(how: str, names: list[str]) -> str:
    if not names:
        return "attached to nothing"
    unique = list(dict.fromkeys(names))
    shown = ", ".join(unique[:_SHOWN_CARRIERS])
    more = f" and {len(unique) - _SHOWN_CARRIERS} more" if len(unique) > _SHOWN_CARRIERS \
        else ""
    return f"{how} {len(unique)}: {shown}{more}"


# -- resources, the organization, VPC endpoints

def _resources(reading: _Reading, merger: Merger) -> None:
    for arn, part in merger.resources.items():
        policy = getattr(part.entry, "policy", None)
        if policy is not None:
            reading.add(part.input, policy, join_pointer(part.pointer, "policy"),
                        RESOURCE_POLICY_KINDS[part.type], arn, arn)


def _organization(reading: _Reading, merger: Merger) -> None:
    part = merger.organization
    if part is None:
        return
    for policy_id, policy in part.entry.policies.items():
        kind = PolicyKind.SCP if policy.type is OrgPolicyType.SCP else PolicyKind.RCP
        at = f"{part.pointer}/policies/{escape_pointer_token(policy_id)}/document"
        reading.add(part.input, policy.document, at, kind,
                    f"{policy.type.value} {policy_id} ({policy.name})", policy.name)


def _endpoints(reading: _Reading, merger: Merger) -> None:
    for endpoint_id, (entry, item, pointer) in merger.vpc_endpoints.items():
        if entry.policy is not None:
            reading.add(item, entry.policy, join_pointer(pointer, "policy"),
                        PolicyKind.VPC_ENDPOINT, endpoint_id, endpoint_id)

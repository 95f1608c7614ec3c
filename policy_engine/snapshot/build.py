"""Pass 3 of loading: the merged parts -> one frozen `Snapshot` with its lookups built.

Every policy document is validated once under the kind it is used as, references are
resolved, and what filtered output leaves out (a managed policy, boundary or group that is
referenced but absent) becomes a warning, or an error with `strict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

from policy_engine.arn import arn_account
from policy_engine.errors import Problem
from policy_engine.snapshot.accounts import build_account
from policy_engine.snapshot.documents import PolicyDocuments
from policy_engine.snapshot.merge import AccountParts, Merger
from policy_engine.snapshot.messages import ProblemLog
from policy_engine.snapshot.model import (
    Account,
    AttachedPolicyRef,
    Group,
    ManagedPolicy,
    Organization,
    Origin,
    Principal,
    Resource,
    ResourceType,
    Snapshot,
)
from policy_engine.snapshot.organization import build_organization
from policy_engine.snapshot.resources import build_resource, build_vpc_endpoints

__all__ = ["build_snapshot"]


def build_snapshot(merged: Merger, log: ProblemLog, *, strict: bool) -> Snapshot:
    """The snapshot; raises `SnapshotError` with every problem found (warnings with `strict`)."""
    log.raise_problems()
    docs = PolicyDocuments(log)
    boundary_arns = _boundary_arns(merged.accounts.values())
    accounts = {account_id: build_account(parts, boundary_arns, docs)
                for account_id, parts in merged.accounts.items()}
    organization = (build_organization(merged.organization, accounts, docs)
                    if merged.organization is not None else None)
    resources = {arn: resource for arn, part in merged.resources.items()
                 if (resource := build_resource(arn, part, docs)) is not None}
    log.raise_problems()
    endpoints = build_vpc_endpoints(merged.vpc_endpoints, docs)
    log.raise_problems()
    snapshot = _indexed(accounts, organization, resources, tuple(log.sources))
    if endpoints:
        snapshot = replace(snapshot, vpc_endpoints=MappingProxyType(endpoints))
    log.warnings.extend(_missing_references(snapshot))
    if strict and log.warnings:
        log.problems.extend(log.warnings)
        log.raise_problems()
    return replace(snapshot, warnings=tuple(log.warnings))


def _boundary_arns(accounts: Iterable[AccountParts]) -> set[str]:
    """The policies some user or role uses as its permissions boundary."""
    return {
        entity.permissions_boundary.permissions_boundary_arn
        for parts in accounts if parts.authz is not None
        for entity in (*parts.authz.details.user_detail_list,
                       *parts.authz.details.role_detail_list)
        if entity.permissions_boundary is not None
    }


def _indexed(accounts: dict[str, Account], organization: Organization | None,
             resources: dict[str, Resource], sources: tuple[str, ...]) -> Snapshot:
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
    return Snapshot(
        accounts=MappingProxyType(accounts), organization=organization,
        resources=MappingProxyType(resources), warnings=(), sources=sources,
        _principals=MappingProxyType(principals), _unique_ids=MappingProxyType(unique_ids),
        _aws_managed=MappingProxyType(_aws_managed(accounts)),
        _groups_of=MappingProxyType(groups_of),
        _kms_aliases=MappingProxyType(_kms_aliases(resources)),
    )


def _aws_managed(accounts: Mapping[str, Account]) -> dict[str, ManagedPolicy]:
    """The AWS managed policies any account lists, by ARN (the first account's copy)."""
    found: dict[str, ManagedPolicy] = {}
    for account in accounts.values():
        for arn, policy in account.managed_policies.items():
            if policy.is_aws_managed:
                found.setdefault(arn, policy)
    return found


def _kms_aliases(resources: Mapping[str, Resource]) -> dict[str, Resource]:
    """KMS keys by the ARNs of their aliases."""
    aliases: dict[str, Resource] = {}
    for resource in resources.values():
        if resource.type is ResourceType.KMS_KEY:
            prefix = resource.arn.rsplit(":", 1)[0]
            for alias in resource.aliases:
                aliases[f"{prefix}:{alias}"] = resource
    return aliases


# -- references that may be missing from filtered output

# (what is missing: policy, boundary or group; account; its ARN or name)
_Missing = tuple[str, str, str]


def _missing_references(snapshot: Snapshot) -> list[Problem]:
    """One warning per policy, boundary or group that is referenced but absent."""
    missing: dict[_Missing, list[tuple[str, Origin]]] = {}

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
    return [_missing_warning(what, account_id, target, users)
            for (what, account_id, target), users in missing.items()]


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
        aws = arn_account(target) == "aws"
        fix = "`AWSManagedPolicy`" if aws else "`LocalManagedPolicy`"
        role = "the permissions boundary of" if what == "boundary" else "attached to"
        message = (f"`{target}`, {role} {shown}, is not in the authorization details "
                   f"(was the output filtered without {fix}?); ")
        if what == "boundary":
            message += ("the boundary is treated as one that allows nothing: what it "
                        "would have to allow is implicitly denied, and an Allow that does "
                        "not need it (a resource policy naming the caller) is noted as "
                        "holding only if the boundary has no matching Deny")
            code = "missing-boundary"
        else:
            message += "its permissions are left out"
            code = "missing-managed-policy"
    return Problem(code, message, first.pointer, first.line, first.column, first.source)

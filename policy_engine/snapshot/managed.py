"""Managed policies of authorization details (`Policies`) -> `ManagedPolicy`.

Only the default version takes part in decisions, so only it is validated at load time
(and again as a permissions boundary when some user or role uses the policy as one); the
other versions are validated on first use. AWS managed policies
(`arn:aws:iam::aws:policy/…`) are validated as the `aws-managed` kind, which carries no
customer managed quota; every version is a stored document (`parse_policy(stored=True)`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Set
from typing import Any, Final

from policy_engine.arn import arn_account, arn_segments
from policy_engine.errors import PolicyValidationError
from policy_engine.model.kinds import DEFAULT_QUOTAS, PolicyKind, Quotas
from policy_engine.parse import parse_policy
from policy_engine.pydantic_errors import words as word_list
from policy_engine.snapshot.authorization_details import ManagedPolicyDetail
from policy_engine.snapshot.documents import PolicyDocuments
from policy_engine.snapshot.messages import SnapshotError
from policy_engine.snapshot.model import ManagedPolicy, ManagedPolicyVersion, SnapshotPolicy
from policy_engine.snapshot.read import Input

__all__ = ["AWS_MANAGED_QUOTAS", "build_managed_policy"]

# AWS managed policies are not bound by the customer managed policy quota (ReadOnlyAccess
# is far larger), nor by any other: AWS stores some over even the API's 131,072-character
# PolicyVersion `Document` (the `aws-managed` kind has no quota). Used when an AWS managed
# policy is validated as a permissions boundary; the file-size bound still applies.
AWS_MANAGED_QUOTAS: Final = DEFAULT_QUOTAS.with_changes(managed_policy=sys.maxsize)


def build_managed_policy(policy: ManagedPolicyDetail, account: str, item: Input, pointer: str,
                         boundary_arns: Set[str], docs: PolicyDocuments
                         ) -> ManagedPolicy | None:
    """The policy with its versions, or None with its problems logged."""
    owner = arn_account(policy.arn)
    if not _check_arn(policy.arn, owner, account, item, pointer, docs):
        return None
    aws_managed = owner == "aws"
    quotas = AWS_MANAGED_QUOTAS if aws_managed else DEFAULT_QUOTAS
    kind = PolicyKind.AWS_MANAGED if aws_managed else PolicyKind.IDENTITY
    default_id = _default_version_id(policy, item, pointer, docs)
    if default_id is None:
        return None
    found = _versions(policy, default_id, item, pointer, kind, quotas, docs)
    if found is None:
        return None
    versions, default, default_raw = found
    boundary = None
    if policy.arn in boundary_arns:
        boundary = docs.parse(default_raw, PolicyKind.BOUNDARY, policy.policy_name, item,
                              default.origin.pointer, arn=policy.arn, quotas=quotas)
    return ManagedPolicy(
        arn=policy.arn, name=policy.policy_name, account=None if aws_managed else account,
        policy_id=policy.policy_id, path=policy.path, default_version_id=default_id,
        versions=versions, default=default, boundary=boundary,
        attachment_count=policy.attachment_count,
        permissions_boundary_usage_count=policy.permissions_boundary_usage_count,
        is_attachable=policy.is_attachable, description=policy.description,
        create_date=policy.create_date, update_date=policy.update_date,
        origin=item.origin(pointer),
    )


def _check_arn(arn: str, owner: str | None, account: str, item: Input, pointer: str,
               docs: PolicyDocuments) -> bool:
    """A policy ARN of this account or of AWS; False with the problem logged otherwise."""
    segments = arn_segments(arn)
    # Shaped like a policy ARN: a wrong owner is then the likelier mistake.
    shaped = len(segments) == 6 and segments[5].startswith("policy/")
    if shaped and segments[2] == "iam" and owner in ("aws", account):
        return True
    message = (f"`{arn}` belongs to account `{owner}`, but these authorization "
               f"details are for account `{account}`" if shaped else
               f"`{arn}` is not a managed policy ARN (expected "
               f"`arn:aws:iam::{account}:policy/NAME` or `arn:aws:iam::aws:policy/NAME`)")
    docs.log.problems.append(item.problem("invalid-arn", message, pointer + "/Arn"))
    return False


def _versions(policy: ManagedPolicyDetail, default_id: str, item: Input, pointer: str,
              kind: PolicyKind, quotas: Quotas, docs: PolicyDocuments
              ) -> tuple[tuple[ManagedPolicyVersion, ...], SnapshotPolicy, Any] | None:
    """Every version, the validated default and its raw document; None if it is invalid."""
    versions: list[ManagedPolicyVersion] = []
    default: SnapshotPolicy | None = None
    default_raw: Any = None
    for index, version in enumerate(policy.policy_version_list):
        at = f"{pointer}/PolicyVersionList/{index}"
        if version.document is None:
            docs.log.problems.append(item.problem(
                "missing-element", "`Document` is required: the policy version's text is "
                "missing", at))
            continue
        if version.version_id != default_id:
            versions.append(ManagedPolicyVersion(
                version.version_id, False, version.create_date,
                _deferred(version.document, f"{policy.policy_name} ({version.version_id})",
                          item, at + "/Document", policy.arn, kind, quotas)))
            continue
        parsed = docs.parse(version.document, kind, policy.policy_name,
                            item, at + "/Document", arn=policy.arn, quotas=quotas)
        if parsed is None:
            return None
        default, default_raw = parsed, version.document
        versions.append(ManagedPolicyVersion(version.version_id, True, version.create_date,
                                             _parsed_already(parsed), [parsed]))
    if default is None:
        return None
    return tuple(versions), default, default_raw


def _default_version_id(policy: ManagedPolicyDetail, item: Input, pointer: str,
                        docs: PolicyDocuments) -> str | None:
    """`DefaultVersionId`, checked against the versions' `IsDefaultVersion` flags."""
    problems = docs.log.problems
    versions = policy.policy_version_list
    if not versions:
        problems.append(item.problem(
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
        problems.append(item.problem(
            "missing-element", "`DefaultVersionId` is required: no single version is "
            "marked `IsDefaultVersion`", pointer))
        return None
    if default_id not in ids:
        problems.append(item.problem(
            "unknown-version", f"`DefaultVersionId` is `{default_id}`, but "
            f"`PolicyVersionList` holds only {word_list(ids)}", pointer + "/DefaultVersionId"))
        return None
    if flagged and flagged != [default_id]:
        problems.append(item.problem(
            "inconsistent-version", f"`DefaultVersionId` is `{default_id}`, but the "
            f"version marked `IsDefaultVersion` is {word_list(flagged)}",
            pointer + "/DefaultVersionId"))
        return None
    return default_id


def _deferred(raw: Any, name: str, item: Input, pointer: str, arn: str, kind: PolicyKind,
              quotas: Quotas) -> Callable[[], SnapshotPolicy]:
    """Validation of a non-default managed policy version, run on first use."""

    def parse() -> SnapshotPolicy:
        try:
            parsed = parse_policy(raw, kind=kind, source=item.source, pointer_prefix=pointer,
                                  name=name, quotas=quotas, stored=True)
        except PolicyValidationError as error:
            raise SnapshotError([item.place(problem) for problem in error.problems]) from None
        return SnapshotPolicy(name, kind, parsed.document, item.origin(pointer), arn)

    return parse


def _parsed_already(policy: SnapshotPolicy) -> Callable[[], SnapshotPolicy]:
    return lambda: policy

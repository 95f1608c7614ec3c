"""The resources of a snapshot file -> `Resource`: ARN checks, owner, name, policy, aliases.

Each typed list (`kms_keys`, `sqs_queues`, ...) holds ARNs of one documented shape; `other`
holds any ARN, with the owner given as `account` where the ARN carries none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from pydantic import BaseModel

from policy_engine.arn import split_arn
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.s3_access import S3AccessSettings
from policy_engine.snapshot.documents import PolicyDocuments
from policy_engine.snapshot.merge import ResourcePart
from policy_engine.snapshot.model import (
    RESOURCE_POLICY_KINDS,
    Resource,
    ResourceType,
    VpcEndpoint,
)
from policy_engine.snapshot.read import Input
from policy_engine.snapshot.snapshot_file import (
    GenericResourceEntry,
    KmsKeyEntry,
    S3BucketEntry,
    VpcEndpointEntry,
)

__all__ = ["build_resource", "build_vpc_endpoints"]


class _ArnShape(NamedTuple):
    """The ARNs of one resource type, and how a problem names them."""

    pattern: re.Pattern[str]
    what: str  # `a KMS key ARN`
    expected: str  # `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`


def _shape(service: str, resource: str, what: str, expected_resource: str) -> _ArnShape:
    """ARNs of `service` in any partition, a Region and an account, ending in `resource`."""
    return _ArnShape(re.compile(rf"arn:aws[a-z-]*:{service}:[a-z0-9-]+:\d{{12}}:{resource}"),
                     what, f"arn:aws:{service}:REGION:ACCOUNT:{expected_resource}")


_BUCKET_NAME: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_ALIAS_NAME: Final = re.compile(r"alias/[A-Za-z0-9/_-]+")
_RESOURCE_ARNS: Final[Mapping[ResourceType, _ArnShape]] = MappingProxyType({
    ResourceType.KMS_KEY: _shape(
        "kms", r"key/[A-Za-z0-9-]+", "a KMS key ARN", "key/KEY-ID"),
    ResourceType.SQS_QUEUE: _shape(
        "sqs", r"[A-Za-z0-9_-]{1,80}(\.fifo)?", "an SQS queue ARN", "QUEUE"),
    ResourceType.SNS_TOPIC: _shape(
        "sns", r"[A-Za-z0-9_-]{1,256}(\.fifo)?", "an SNS topic ARN", "TOPIC"),
    ResourceType.LAMBDA_FUNCTION: _shape(
        "lambda", r"function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?", "a Lambda function ARN",
        "function:NAME"),
    ResourceType.LAMBDA_LAYER_VERSION: _shape(
        "lambda", r"layer:[A-Za-z0-9_-]+:\d+", "a Lambda layer version ARN",
        "layer:NAME:VERSION"),
    ResourceType.SECRETSMANAGER_SECRET: _shape(
        "secretsmanager", r"secret:[^*?\s]+", "a Secrets Manager secret ARN", "secret:NAME"),
    ResourceType.ECR_REPOSITORY: _shape(
        "ecr", r"repository/[a-z0-9][a-z0-9._/-]*", "an ECR repository ARN",
        "repository/NAME"),
})


def build_resource(arn: str, part: ResourcePart, docs: PolicyDocuments) -> Resource | None:
    """The resource, or None with its problems logged into `docs.log`."""
    entry, item, pointer, rtype = part.entry, part.input, part.pointer, part.type
    if isinstance(entry, S3BucketEntry):
        placed = _bucket_place(entry, item, pointer, docs)
    else:
        placed = _arn_place(arn, entry, rtype, item, pointer, docs)
    if placed is None:
        return None
    account, region, name = placed
    aliases = _aliases(entry, arn, item, pointer, docs) if isinstance(entry, KmsKeyEntry) \
        else ()
    raw = getattr(entry, "policy", None)
    policy = None
    if raw is not None:
        policy = docs.parse(raw, RESOURCE_POLICY_KINDS[rtype], arn, item, pointer + "/policy",
                            arn=arn)
        if policy is None:
            return None
    tags = getattr(entry, "tags", {})
    return Resource(
        arn=arn, type=rtype, account=account, name=name, region=region, policy=policy,
        tags=MappingProxyType(dict(tags)), origin=item.origin(pointer), aliases=aliases,
        type_name=entry.type if isinstance(entry, GenericResourceEntry) else None,
        s3=_bucket_settings(entry) if isinstance(entry, S3BucketEntry) else None,
        grants=entry.grants if isinstance(entry, KmsKeyEntry) else (),
    )


def _bucket_settings(entry: S3BucketEntry) -> S3AccessSettings | None:
    """The bucket's S3 settings, or None when it has none (most snapshots)."""
    if entry.public_access_block is None and entry.object_ownership is None and \
            entry.acl is None:
        return None
    return S3AccessSettings(public_access_block=entry.public_access_block,
                            object_ownership=entry.object_ownership, bucket_acl=entry.acl)


def build_vpc_endpoints(entries: Mapping[str, tuple[VpcEndpointEntry, Input, str]],
                        docs: PolicyDocuments) -> dict[str, VpcEndpoint]:
    """Each endpoint with its policy validated as a VPC endpoint policy."""
    found: dict[str, VpcEndpoint] = {}
    for endpoint_id, (entry, item, pointer) in entries.items():
        policy = None
        if entry.policy is not None:
            policy = docs.parse(entry.policy, PolicyKind.VPC_ENDPOINT, endpoint_id, item,
                                pointer + "/policy")
            if policy is None:
                continue
        found[endpoint_id] = VpcEndpoint(endpoint_id, entry.account, entry.vpc_id,
                                         entry.service_name, policy, item.origin(pointer))
    return found


# (owner account, Region, name)
_Place = tuple[str, str | None, str]


def _bucket_place(entry: S3BucketEntry, item: Input, pointer: str, docs: PolicyDocuments
                  ) -> _Place | None:
    if not _BUCKET_NAME.fullmatch(entry.name):
        docs.log.problems.append(item.problem(
            "invalid-name", f"`{entry.name}` is not a valid S3 bucket name (3 to 63 "
            "lowercase letters, digits, dots and hyphens)", pointer + "/name"))
        return None
    return entry.account, entry.region, entry.name


def _arn_place(arn: str, entry: BaseModel, rtype: ResourceType, item: Input, pointer: str,
               docs: PolicyDocuments) -> _Place | None:
    problems = docs.log.problems
    shape = _RESOURCE_ARNS.get(rtype)
    if shape is not None and not shape.pattern.fullmatch(arn):
        problems.append(item.problem(
            "invalid-arn", f"`{arn}` is not {shape.what} (expected `{shape.expected}`)",
            pointer + "/arn"))
        return None
    parts = split_arn(arn)
    if parts is None:  # only `other` resources get here: the typed shapes are ARNs
        problems.append(item.problem(
            "invalid-arn", f"`{arn}` is not an ARN (expected "
            "`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`)", pointer + "/arn"))
        return None
    account = parts.account
    if isinstance(entry, GenericResourceEntry) and entry.account is not None:
        if account and account != entry.account:
            problems.append(item.problem(
                "wrong-account", f"`account` is `{entry.account}`, but the ARN names "
                f"account `{account}`", pointer + "/account"))
            return None
        account = entry.account
    if not account:
        problems.append(item.problem(
            "missing-element", f"`{arn}` carries no account; give the owner as "
            "`account`", pointer))
        return None
    return account, parts.region or None, _resource_name(rtype, parts.resource)


def _aliases(entry: KmsKeyEntry, arn: str, item: Input, pointer: str, docs: PolicyDocuments
             ) -> tuple[str, ...]:
    """The key's valid aliases as `alias/NAME`; the others are reported."""
    found: list[str] = []
    key_prefix = arn.rsplit(":", 1)[0] + ":"
    for index, alias in enumerate(entry.aliases):
        name = alias
        if alias.startswith("arn:"):
            if not alias.startswith(key_prefix + "alias/"):
                docs.log.problems.append(item.problem(
                    "invalid-arn", f"`{alias}` is not an alias ARN in the key's account "
                    f"and Region (expected `{key_prefix}alias/NAME`)",
                    f"{pointer}/aliases/{index}"))
                continue
            name = alias[len(key_prefix):]
        if not _ALIAS_NAME.fullmatch(name) or name.startswith("alias/aws/"):
            docs.log.problems.append(item.problem(
                "invalid-name", f"`{alias}` is not a customer alias name (expected "
                "`alias/NAME`; `alias/aws/` is reserved for AWS managed keys)",
                f"{pointer}/aliases/{index}"))
            continue
        found.append(name)
    return tuple(found)


def _resource_name(rtype: ResourceType, resource: str) -> str:
    """The name people use: the key id, queue, function, layer:version, secret, repository."""
    for prefix in ("key/", "function:", "layer:", "secret:", "repository/"):
        if resource.startswith(prefix) and rtype is not ResourceType.OTHER:
            resource = resource[len(prefix):]
            break
    if rtype is ResourceType.LAMBDA_FUNCTION:
        resource = resource.split(":", 1)[0]
    return resource

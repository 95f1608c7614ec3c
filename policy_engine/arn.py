"""ARNs: parse, format, and the shapes of principals that appear where an ARN is expected.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from policy_engine.errors import ArnError, Problem

PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
                        "aws-iso-f", "aws-eusc"})
ACCOUNT_ID = re.compile(r"\d{12}")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9-]*")
_SERVICE_PRINCIPAL = re.compile(
    r"[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|aws\.internal)"
)


@dataclass(frozen=True, slots=True)
class Arn:
    """`arn:partition:service:region:account:resource`; the resource part keeps its colons."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """`user` of `user/john`, `function` of `function:f`, empty for S3 buckets."""
        for sep in ("/", ":"):
            head, found, _ = self.resource.partition(sep)
            if found and head and (sep == "/" or "/" not in head):
                return head
        return ""

    @property
    def resource_id(self) -> str:
        kind = self.resource_type
        return self.resource[len(kind) + 1 :] if kind else self.resource


class ArnParts(NamedTuple):
    """The five fields after `arn:`, unchecked: what `split_arn` returns."""

    partition: str
    service: str
    region: str
    account: str
    resource: str


def arn_segments(text: str) -> list[str]:
    """`text` cut at its first five colons: the one way ARNs and ARN patterns are split.

    Callers that accept short patterns (`arn:aws:s3:*`) look at the length themselves.
    """
    return text.split(":", 5)


def split_arn(text: str) -> ArnParts | None:
    """The fields of a six-part `arn:...` string (wildcards allowed anywhere); None otherwise."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return ArnParts(parts[1], parts[2], parts[3], parts[4], parts[5])


def arn_account(text: str) -> str | None:
    """The account field of a six-part ARN (empty for S3), None when `text` is no ARN."""
    parts = split_arn(text)
    return None if parts is None else parts.account


def parse_arn(text: str, *, source: str = "<input>", pointer: str = "") -> Arn:
    """Parse a concrete ARN (no wildcards expected, but tolerated in the resource part)."""
    parts = arn_segments(text)
    if len(parts) != 6 or parts[0] != "arn":
        raise ArnError(_problem(text, "is not an ARN (expected arn:partition:service:region:"
                                "account:resource)", source, pointer))
    _, partition, service, region, account, resource = parts
    if partition not in PARTITIONS:
        raise ArnError(_problem(text, f"has unknown partition `{partition}`", source, pointer))
    if not _SERVICE.fullmatch(service):
        raise ArnError(_problem(text, f"has invalid service `{service}`", source, pointer))
    if account and not ACCOUNT_ID.fullmatch(account) and account not in {"aws"}:
        raise ArnError(_problem(text, f"has invalid account `{account}` (12 digits expected)",
                                source, pointer))
    if not resource:
        raise ArnError(_problem(text, "has an empty resource part", source, pointer))
    return Arn(partition, service, region, account, resource)


def is_arn_pattern_shape(text: str) -> bool:
    """A Resource pattern is either `*` or has the six ARN parts (wildcards allowed)."""
    if text == "*":
        return True
    parts = arn_segments(text)
    if len(parts) < 6:
        # `arn:aws:s3:*` style: a trailing `*` segment may stand for the rest of the ARN.
        return parts[0] == "arn" and len(parts) >= 2 and parts[-1].endswith("*")
    return parts[0] == "arn" and bool(parts[1]) and bool(parts[2])


def is_account_id(text: str) -> bool:
    return bool(ACCOUNT_ID.fullmatch(text))


SERVICE_PRINCIPAL = _SERVICE_PRINCIPAL  # public: the JSON Schema reuses the pattern


def is_service_principal(text: str) -> bool:
    return bool(_SERVICE_PRINCIPAL.fullmatch(text))


def _problem(text: str, what: str, source: str, pointer: str) -> Problem:
    return Problem(code="invalid-arn", message=f"`{text}` {what}", pointer=pointer, source=source)

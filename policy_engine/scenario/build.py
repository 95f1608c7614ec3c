"""Helpers for writing a scenario's snapshot by hand: the authorization-details shapes
(`aws iam get-account-authorization-details`) of roles and users, with ids derived from
names so a snapshot is the same on every run."""

from __future__ import annotations

import hashlib
from typing import Any

CREATED = "2025-01-15T09:00:00+00:00"


def _id(prefix: str, arn: str) -> str:
    return prefix + hashlib.sha256(arn.encode()).hexdigest()[:17].upper()


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def inline(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": document(*statements)}


def role(account: str, name: str, trust: dict[str, Any], *policies: dict[str, Any],
         path: str = "/") -> dict[str, Any]:
    arn = f"arn:aws:iam::{account}:role{path}{name}"
    return {"Path": path, "RoleName": name, "RoleId": _id("AROA", arn), "Arn": arn,
            "CreateDate": CREATED, "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [], "RolePolicyList": list(policies),
            "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}}


def user(account: str, name: str, *policies: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:iam::{account}:user/{name}"
    return {"Path": "/", "UserName": name, "UserId": _id("AIDA", arn), "Arn": arn,
            "CreateDate": CREATED, "UserPolicyList": list(policies), "GroupList": [],
            "AttachedManagedPolicies": [], "Tags": []}


def trust_account(account: str) -> dict[str, Any]:
    """A trust policy letting the account's own principals assume the role (when their
    identity policies allow it)."""
    return document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                     "Action": "sts:AssumeRole"})


def trust_service(service: str) -> dict[str, Any]:
    return document({"Effect": "Allow", "Principal": {"Service": service},
                     "Action": "sts:AssumeRole"})


def authorization_details(*, users: list[dict[str, Any]] | None = None,
                          roles: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"UserDetailList": users or [], "GroupDetailList": [],
            "RoleDetailList": roles or [], "Policies": []}

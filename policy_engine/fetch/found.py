"""What one fetch task found, in the snapshot file's own shapes, and small converters.

Each fetcher returns a `Found`; the run merges them into one `policy-engine-snapshot/1`
value. Entries are plain JSON values (dates as ISO 8601 text), so the file is written
as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["Found", "json_document", "plain", "tag_map"]


@dataclass(slots=True)
class Found:
    """`resources`: snapshot resource list name (`kms_keys`, ...) -> entries; `account`:
    members of the caller's `accounts` entry; `organization`: the organization entry."""

    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)
    organization: dict[str, Any] | None = None
    account_names: dict[str, str] = field(default_factory=dict)

    def extend(self, kind: str, entries: Iterable[dict[str, Any]]) -> None:
        self.resources.setdefault(kind, []).extend(entries)

    def summary(self) -> str:
        """`3 kms_keys, 2 sqs_queues` — for progress lines."""
        parts = [f"{len(entries)} {kind}" for kind, entries in self.resources.items()]
        if "authorization_details" in self.account:
            details = self.account["authorization_details"]
            parts.extend(f"{len(details.get(key, []))} {word}" for key, word in (
                ("UserDetailList", "users"), ("GroupDetailList", "groups"),
                ("RoleDetailList", "roles"), ("Policies", "managed policies")))
        if self.organization is not None:
            parts.append(f"organization {self.organization['id']}")
        return ", ".join(parts) or "nothing"


def plain(value: Any) -> Any:
    """`value` with dates as ISO 8601 text and tuples as lists: JSON as it is."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def json_document(text: str | None) -> dict[str, Any] | None:
    """A policy returned as JSON text (most services do) as an object; None when empty."""
    if not text:
        return None
    document = json.loads(text)
    return document if isinstance(document, dict) else None


def tag_map(tags: Iterable[Mapping[str, Any]] | None, key: str = "Key",
            value: str = "Value") -> dict[str, str]:
    """AWS's list of `{Key, Value}` pairs (names vary by service) as a mapping."""
    return {str(tag[key]): str(tag.get(value, "")) for tag in tags or ()}

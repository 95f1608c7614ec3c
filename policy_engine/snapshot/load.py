"""Snapshot files and authorization-details files -> one merged, validated `Snapshot`.

The public entry points of loading. Three passes, each reporting every problem it finds
before the next one starts, so a mistake is reported once and never as a cascade:

1. read (`snapshot.read`): each file is read (JSON or YAML), recognised by its top-level
   keys (`format` for a snapshot file; `UserDetailList`/`GroupDetailList`/`RoleDetailList`/
   `Policies` for the output of `aws iam get-account-authorization-details`) and checked
   against its pydantic model (`snapshot.problems` words the errors); files named by a
   snapshot are read relative to it.
2. merge (`snapshot.merge`): accounts merge by id, resources by ARN, the organization is
   given once; the same thing given twice identically is fine, two different versions of it
   are an error.
3. build (`snapshot.build`): every policy document is validated once with `parse_policy`
   under the kind it is used as (errors carry its JSON pointer), references are resolved,
   lookups are built: accounts (`snapshot.accounts`, `snapshot.managed`), the organization
   (`snapshot.organization`) and resources (`snapshot.resources`).

Problems carry the file, JSON pointer, line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policy_engine.errors import Problem
from policy_engine.schema import DIALECT, SCHEMA_ID_BASE
from policy_engine.snapshot.build import build_snapshot
from policy_engine.snapshot.merge import Merger
from policy_engine.snapshot.messages import ProblemLog, SnapshotError
from policy_engine.snapshot.model import Snapshot
from policy_engine.snapshot.read import Input, read_file, read_text
from policy_engine.snapshot.snapshot_file import SNAPSHOT_FORMAT, SnapshotFile
from policy_engine.source import SourceDocument

__all__ = [
    "SnapshotError",
    "load_snapshot",
    "load_snapshot_value",
    "parse_snapshot_text",
    "snapshot_schema",
]


def load_snapshot(paths: Sequence[str | Path] | str | Path, *, strict: bool = False) -> Snapshot:
    """Read snapshot files and/or authorization-details files and merge them.

    `strict=True` turns warnings (a managed policy, boundary or group referenced but absent
    from filtered output; truncated output) into errors. Raises `SnapshotError`.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if not items:
        raise SnapshotError(Problem("missing-input", "no snapshot file was given",
                                    source="<arguments>"))
    log = ProblemLog()
    merger = Merger(log)
    for item in items:
        merger.add_input(read_file(Path(item), log))
    return build_snapshot(merger, log, strict=strict)


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
    log = ProblemLog()
    merger = Merger(log)
    merger.add_input(Input(source, value, document=document,
                           base_dir=Path(base_dir) if base_dir is not None else None))
    return build_snapshot(merger, log, strict=strict)


def parse_snapshot_text(text: str, *, source: str = "<input>",
                        base_dir: str | Path | None = None, strict: bool = False) -> Snapshot:
    """Build a snapshot from JSON or YAML text."""
    log = ProblemLog()
    merger = Merger(log)
    merger.add_input(read_text(text, source, Path(base_dir) if base_dir is not None else None,
                               log))
    return build_snapshot(merger, log, strict=strict)


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

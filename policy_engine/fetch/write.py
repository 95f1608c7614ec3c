"""The fetched snapshot on disk: checked to load, then written whole or not at all.

The text goes to a temporary file beside the target, is flushed to disk, and replaces
the target in one `os.replace` (atomic on POSIX and Windows when both are on one file
system). Interrupted at any point — Ctrl-C included — the target is either the old file
or the new one, and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from policy_engine.errors import Problem, ProblemCode
from policy_engine.fetch.session import FetchError
from policy_engine.snapshot import Snapshot, load_snapshot_value

__all__ = ["check_snapshot", "snapshot_text", "write_atomically"]


def snapshot_text(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def check_snapshot(value: dict[str, Any], target: Path) -> Snapshot:
    """The value loaded as every command will load it (raises `SnapshotError`)."""
    return load_snapshot_value(json.loads(snapshot_text(value)), source=str(target))


def write_atomically(target: Path, text: str) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as error:
        raise FetchError(Problem(ProblemCode.UNWRITABLE, f"cannot write in `{directory}`: "
                                 f"{error.strerror}", source=str(target))) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise FetchError(Problem(ProblemCode.UNWRITABLE, f"cannot write the snapshot: "
                                     f"{error.strerror}", source=str(target))) from None
        raise

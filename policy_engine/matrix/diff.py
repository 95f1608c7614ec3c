"""Access drift between two matrices: the cells that appeared, disappeared, or changed
actions. "Access added" (a new cell, or a new action in a cell) is what a pipeline fails
on; the reach of each cell says how far it opens the resource.

Each side is a matrix file (JSON Lines, CSV, Parquet) or a snapshot, whose matrix is
computed here; `is_matrix_file` tells them apart by suffix, then by content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policy_engine.matrix.model import Cell
from policy_engine.matrix.read import PARQUET_MAGIC
from policy_engine.matrix.writers import FORMAT

MATRIX_SUFFIXES = (".jsonl", ".csv", ".parquet")


def is_matrix_file(path: Path) -> bool:
    if path.suffix.lower() in MATRIX_SUFFIXES:
        return True
    try:
        with path.open("rb") as stream:
            start = stream.read(4096)
    except OSError:
        return False  # the snapshot loader reports it
    if start.startswith(PARQUET_MAGIC):
        return True
    first = start.split(b"\n", 1)[0]
    try:
        header = json.loads(first)
    except ValueError:
        return False
    return isinstance(header, dict) and header.get("format") == FORMAT


@dataclass(frozen=True)
class ChangedCell:
    old: Cell
    new: Cell

    @property
    def actions_added(self) -> tuple[str, ...]:
        return tuple(a for a in self.new.actions if a not in set(self.old.actions))

    @property
    def actions_removed(self) -> tuple[str, ...]:
        return tuple(a for a in self.old.actions if a not in set(self.new.actions))


@dataclass(frozen=True)
class MatrixDiff:
    added: tuple[Cell, ...]
    removed: tuple[Cell, ...]
    changed: tuple[ChangedCell, ...]

    @property
    def access_added(self) -> bool:
        return bool(self.added) or any(c.actions_added for c in self.changed)


def _rank(cell: Cell) -> tuple[int, str, str, str]:
    order = ("public", "outside-organization", "cross-account", "internal")
    reach = order.index(cell.reach) if cell.reach in order else len(order)
    return (reach, cell.resource, cell.principal, cell.level)


def diff_cells(old: Iterable[Cell], new: Iterable[Cell]) -> MatrixDiff:
    before = {cell.key: cell for cell in old}
    after = {cell.key: cell for cell in new}
    added = sorted((c for k, c in after.items() if k not in before), key=_rank)
    removed = sorted((c for k, c in before.items() if k not in after), key=_rank)
    changed = sorted((ChangedCell(before[k], c) for k, c in after.items()
                      if k in before and set(before[k].actions) != set(c.actions)),
                     key=lambda change: _rank(change.new))
    return MatrixDiff(tuple(added), tuple(removed), tuple(changed))

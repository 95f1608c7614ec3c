"""Text and JSON renderings of `matrix-diff`: the most exposed changes first."""

from __future__ import annotations

import json

from policy_engine.matrix.diff import MatrixDiff
from policy_engine.matrix.model import Cell


def _line(sign: str, cell: Cell, actions: tuple[str, ...]) -> str:
    return (f"{sign} [{cell.reach}] {cell.principal} → {cell.resource} ({cell.level}): "
            + ", ".join(actions))


def render_text(diff: MatrixDiff) -> str:
    lines = [_line("+", c, c.actions) for c in diff.added]
    for change in diff.changed:
        if change.actions_added:
            lines.append(_line("+", change.new, change.actions_added))
        if change.actions_removed:
            lines.append(_line("-", change.new, change.actions_removed))
    lines += [_line("-", c, c.actions) for c in diff.removed]
    gained = len(diff.added) + sum(1 for c in diff.changed if c.actions_added)
    lost = len(diff.removed) + sum(1 for c in diff.changed if c.actions_removed)
    verdict = "access added" if diff.access_added else "no access added"
    lines.append(f"{verdict}: {gained} cells gained access, {lost} lost some "
                 f"({len(diff.added)} new, {len(diff.removed)} gone, "
                 f"{len(diff.changed)} changed)")
    return "\n".join(lines)


def render_json(diff: MatrixDiff) -> str:
    return json.dumps({
        "access_added": diff.access_added,
        "added": [c.to_row() for c in diff.added],
        "removed": [c.to_row() for c in diff.removed],
        "changed": [{**c.new.to_row(), "actions_added": list(c.actions_added),
                     "actions_removed": list(c.actions_removed)} for c in diff.changed],
    }, indent=2, ensure_ascii=False)

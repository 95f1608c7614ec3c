"""The error of snapshot loading, the log every loading step reports into, and its wording.

Each step appends to one `ProblemLog` instead of raising, so a file's mistakes are all
reported together; `raise_problems` ends a pass when any were found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.snapshot.model import Origin

__all__ = ["ProblemLog", "SnapshotError", "conflict"]


class SnapshotError(PolicyEngineError):
    """A snapshot or authorization-details file is malformed or inconsistent."""


@dataclass(slots=True)
class ProblemLog:
    """Problems and warnings found so far, and the files they can be in, in reading order."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add_source(self, source: str) -> None:
        """Count `source` among the files read (once), for ordering problems."""
        if source not in self.sources:
            self.sources.append(source)

    def raise_problems(self) -> None:
        """Raise `SnapshotError` with every problem, once each, in file and line order."""
        if not self.problems:
            return
        order = {source: index for index, source in enumerate(self.sources)}

        def key(problem: Problem) -> tuple[int, int, int, str]:
            return (order.get(problem.source, len(order)), problem.line or 0,
                    problem.column or 0, problem.pointer)

        unique = list(dict.fromkeys(self.problems))
        raise SnapshotError(sorted(unique, key=key))


def conflict(message: str, origin: Origin) -> Problem:
    """The same thing given twice, differently."""
    return Problem("conflicting-duplicate", message, origin.pointer, origin.line, origin.column,
                   origin.source)


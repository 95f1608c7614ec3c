"""Shared helpers for the snapshot tests (imported by name: tests are not a package)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policy_engine.examples import examples_path
from policy_engine.snapshot import SnapshotError

FIXTURES = Path(__file__).parent / "fixtures"
AUTHZ = FIXTURES / "authz-111122223333.json"
EXAMPLE = examples_path("org")


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, indent=4))
    return path


def only_problem(error: pytest.ExceptionInfo[SnapshotError]):
    """The one problem a malformed input must produce, checked to be located."""
    problems = error.value.problems
    assert len(problems) == 1, [p.one_line() for p in problems]
    problem = problems[0]
    assert problem.line is not None and problem.column is not None, problem
    return problem


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")

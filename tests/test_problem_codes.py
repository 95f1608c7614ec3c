"""One problem-code vocabulary: every code a module writes is a `ProblemCode` member.

`Problem` refuses any other code when it is made; this test finds the codes written as
text in the source, so a code that only a rare error path builds is caught here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policy_engine.errors import Problem, ProblemCode

PACKAGE = Path(__file__).resolve().parents[1] / "policy_engine"
# Calls whose first argument is a problem code.
_PROBLEM_MAKERS = {"Problem", "problem", "_problem", "add", "conflict", "_yaml_problem"}


def _written_codes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            first = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "code"), None)
            if name in _PROBLEM_MAKERS and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                found.add((first.value, str(path.relative_to(PACKAGE))))
    return found


def test_every_code_written_in_the_source_is_a_problem_code():
    known = {code.value for code in ProblemCode}
    unknown = sorted(pair for pair in _written_codes() if pair[0] not in known)
    assert unknown == []


def test_the_scan_finds_codes():
    assert len({code for code, _ in _written_codes()}) >= 20


def test_a_problem_with_an_unknown_code_is_refused():
    with pytest.raises(ValueError):
        Problem("no-such-code", "message")
    assert Problem("invalid-json", "message").code is ProblemCode.INVALID_JSON

"""Shared by the input tests: a rule that flags chosen elements, the CLI, text positions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from policy_engine.cli.app import app
from policy_engine.lint.config import LintConfig
from policy_engine.lint.document import LintInput
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.registry import Registry
from policy_engine.lint.rule import Hit, LintTarget, rule
from policy_engine.lint.run import Linter
from policy_engine.lint.severity import Severity

FIXTURES = Path(__file__).parent / "fixtures"


@rule("FLAG_EVERY_ELEMENT", "flag-every-element", Severity.ERROR)
def flag_every_element(target: LintTarget) -> Iterator[Hit]:
    """Test rule: one hit on every Principal, Action, Resource and condition value."""
    for statement in target.statements:
        body = statement.view.body
        for key in ("Principal", "Action", "Resource"):
            if key in body:
                yield from _hits(body[key], statement.at(key), key)
        for operator, block in (body.get("Condition") or {}).items():
            for name, value in block.items():
                yield from _hits(value, statement.at("Condition", operator, name), name)


def _hits(value: Any, pointer: str, what: str) -> Iterator[Hit]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield Hit(f"{what}: {item}", f"{pointer}/{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _hits(item, f"{pointer}/{key}", what)
    else:
        yield Hit(f"{what}: {value}", pointer)


def flag_all(read: LintInput) -> list[LintFinding]:
    linter = Linter(Registry((flag_every_element,)), LintConfig())
    return linter.lint_all(read.documents)


def position(text: str, needle: str, *, after: str = "", occurrence: int = 0) -> tuple[int, int]:
    """1-based line and column of `needle` in `text` (its n-th occurrence after `after`)."""
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("lint", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)

"""The layers stay apart: the policy language never reaches into the evaluator, the core
never imports a front end, and no module grows into a room nobody can read.

Imports are read with `ast`, so an import inside a function counts as much as one at the
top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "policy_engine"
MAX_LINES = 600

# The policy language: text -> typed model, its rules and its schemas.
LANGUAGE = ("model", "validation", "parse.py", "source.py", "schema.py", "pydantic_errors.py",
            "policy_errors.py")
# What the evaluation core may never import.
FRONT_ENDS = ("policy_engine.cli", "policy_engine.formatters", "policy_engine.analysis",
              "policy_engine.batch", "policy_engine.snapshot", "policy_engine.whatif",
              "policy_engine.lint", "policy_engine.fetch", "rich", "typer", "boto3",
              "botocore")


def _modules(*names: str) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = PACKAGE / name
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    return _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> Iterator[str]:
    """Every module name the source imports, relative imports resolved against `package`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _offences(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted({f"{path.relative_to(PACKAGE.parent)} imports {name}"
                   for path in paths for name in _imports(path)
                   for prefix in forbidden if _is_within(name, prefix)})


def test_the_policy_language_does_not_import_the_engine():
    assert _offences(_modules(*LANGUAGE), ("policy_engine.engine",)) == []


def test_the_engine_imports_no_front_end():
    assert _offences(_modules("engine"), FRONT_ENDS) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")),
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_longer_than_600_lines(path: Path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_the_reader_sees_relative_and_nested_imports():
    """Else the rules above could pass on an empty list."""
    source = "def f():\n    from ..formatters import decision_text\n    import rich.console\n"
    found = list(_imports_in(source, "policy_engine.engine"))
    assert "policy_engine.formatters" in found
    assert "rich.console" in found

"""The CLI package has no import cycle: command modules are plain functions and only
`app.py` knows the app (issue 12, part 6)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import typer

import policy_engine.cli
from policy_engine.cli.app import COMMANDS, app
from policy_engine.cli.exit_codes import ExitCode

CLI_DIR = Path(policy_engine.cli.__file__).parent
APP_MODULE = "policy_engine.cli.app"


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a `from … import` names, with relative levels resolved."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of_app(source: str, package: str = "policy_engine.cli") -> list[int]:
    """Line numbers where `source` imports the app module, at any depth (lazy imports in
    functions count too)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(alias.name == APP_MODULE or alias.name.startswith(APP_MODULE + ".")
                   for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            named = {f"{module}.{alias.name}" for alias in node.names}
            if module == APP_MODULE or APP_MODULE in named:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("source", [
    "from policy_engine.cli.app import app",
    "import policy_engine.cli.app",
    "from policy_engine.cli import app",
    "from . import app",
    "from .app import ExitCode",
    "def f():\n    from policy_engine.cli.app import app\n",
])
def test_the_detector_finds_every_spelling(source: str) -> None:
    assert imports_of_app(source) != []


@pytest.mark.parametrize("source", [
    "from policy_engine.cli import exit_codes",
    "from policy_engine.cli.exit_codes import ExitCode",
    "from . import accounts",
    "import policy_engine.cli.application",
    "import typer\napp = typer.Typer()",
])
def test_the_detector_ignores_other_imports(source: str) -> None:
    assert imports_of_app(source) == []


def _package(path: Path) -> str:
    return ".".join(["policy_engine", "cli", *path.relative_to(CLI_DIR).parent.parts])


def test_no_cli_module_but_app_imports_the_app() -> None:
    modules = sorted(p for p in CLI_DIR.rglob("*.py") if p.name != "app.py")
    assert len(modules) >= 5  # the package was found, not an empty folder
    offenders = {str(p.relative_to(CLI_DIR)): found for p in modules
                 if (found := imports_of_app(p.read_text(encoding="utf-8"), _package(p)))}
    assert offenders == {}


def test_every_registered_command_is_on_the_app_in_order() -> None:
    registered = [info.name for info in app.registered_commands]
    assert registered == [name for name, _ in COMMANDS]
    assert registered == ["ask", "check", "who-can", "what-can", "assume-paths", "matrix",
                          "matrix-diff", "report", "demo", "diff", "fetch", "lint",
                          "schema", "simulate", "validate"]


def test_exit_codes_are_the_documented_numbers() -> None:
    """shared/DESIGN.md: 0 ran, 1 a check failed, 2 bad input or usage; 3 internal error."""
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0, "CHECK_FAILED": 1, "BAD_INPUT": 2, "INTERNAL_ERROR": 3}
    assert typer.Exit(ExitCode.CHECK_FAILED).exit_code == 1

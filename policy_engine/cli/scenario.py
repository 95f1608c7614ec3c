"""`policy-engine scenario list | show NAME | check [NAME...] | run NAME | export NAME`.

Scenarios are plugins (entry-point group `policy_engine.scenarios`). `check` runs every
check of the named scenarios (all when none is named) and exits 1 when one fails; a
broken plugin is one line on stderr naming it, and the others still run (exit 1: the
broken plugin's checks cannot pass). `show NAME --export FILE` and `export NAME` write
the scenario's snapshot so the account commands (`ask`, `who-can`, `check`) can use it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.formatters.scenario_text import render_checks, render_list, render_show
from policy_engine.scenario.checks import run_checks
from policy_engine.scenario.registry import Discovered, discover

scenario_app = typer.Typer(name="scenario", no_args_is_help=True, add_completion=False,
                           help="Whole architectures from the exam topics, checked by the "
                           "engine.", pretty_exceptions_enable=False)


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _console() -> Console:
    return Console(soft_wrap=False, highlight=False)


def _report_broken(found: Discovered) -> None:
    for broken in found.broken:
        typer.echo(f"error: {broken.one_line()}", err=True)


def _one(found: Discovered, name: str):  # type: ignore[no-untyped-def]
    scenario = found.get(name)
    if scenario is None:
        known = ", ".join(found.names) or "none installed"
        raise PolicyEngineError(Problem(ProblemCode.USAGE, f"no scenario named `{name}` "
                                        f"(known: {known})", source="scenario"))
    return scenario


@scenario_app.command("list")
def list_command() -> None:
    """List the installed scenarios."""
    found = discover()
    _console().print(render_list(found.scenarios))
    _report_broken(found)


@scenario_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="A scenario name (see `scenario list`).")],
    export: Annotated[Path | None, typer.Option(
        help="Also write the scenario's snapshot to this file.")] = None,
) -> None:
    """Show a scenario's architecture as a tree, with its policies."""
    scenario = _one(discover(), name)
    _console().print(render_show(scenario))
    if export is not None:
        _write_snapshot(scenario, export)


@scenario_app.command("export")
def export_command(
    name: Annotated[str, typer.Argument(help="A scenario name.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The snapshot file to write (default: standard output).")
    ] = None,
) -> None:
    """Write a scenario's snapshot (`policy-engine-snapshot/1`) for the account commands."""
    scenario = _one(discover(), name)
    if output is None:
        typer.echo(json.dumps(scenario.snapshot(), indent=2))
    else:
        _write_snapshot(scenario, output)


def _write_snapshot(scenario, path: Path) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(scenario.snapshot(), indent=2) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise PolicyEngineError(Problem(ProblemCode.UNWRITABLE, f"cannot write the snapshot: "
                                        f"{error.strerror or error}", source=str(path))) from None
    typer.echo(f"wrote {path} ({scenario.name}'s snapshot)", err=True)


@scenario_app.command("check")
def check_command(
    names: Annotated[list[str] | None, typer.Argument(
        metavar="[NAME]...", help="Scenarios to check (default: all).")] = None,
    output_format: Annotated[CheckFormat, typer.Option(
        "--format", help="text, or json: one record per check.", case_sensitive=False)
    ] = CheckFormat.TEXT,
) -> None:
    """Run every check of the scenarios; exit 1 when one fails."""
    found = discover()
    chosen = [_one(found, n) for n in names] if names else list(found.scenarios)
    results = [result for scenario in chosen for result in run_checks(scenario)]
    if output_format is CheckFormat.JSON:
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        _console().print(render_checks(results))
    _report_broken(found)
    failed = any(not r.passed for r in results) or (bool(found.broken) and not names)
    raise typer.Exit(ExitCode.CHECK_FAILED if failed else ExitCode.OK)


@scenario_app.command("run")
def run_command(name: Annotated[str, typer.Argument(help="A scenario name.")]) -> None:
    """The scenario's narrated walk-through."""
    scenario = _one(discover(), name)
    console = _console()
    console.print(f"[bold]{scenario.title}[/bold]\n{scenario.summary}\n")
    scenario.run(console.print)

"""`policy-engine simulate CASE.json [--format json|table] [--expect DECISION] [--batch F]`."""

from __future__ import annotations

import stat
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from policy_engine.case import load_case
from policy_engine.cli.exit_codes import ExitCode
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.result import Decision
from policy_engine.errors import CaseError, Problem


class SimulateFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def simulate(
    case_files: Annotated[list[Path] | None, typer.Argument(
        metavar="CASE.json...", help="Case files (see DESIGN: request plus policies).")] = None,
    output_format: Annotated[SimulateFormat, typer.Option(
        "--format", help="table: decision and explanation tree; json: one object.")
    ] = SimulateFormat.TABLE,
    expect: Annotated[Decision | None, typer.Option(
        help="Exit 1 when a decision differs from this one.")] = None,
    batch: Annotated[Path | None, typer.Option(
        help="Read one case per line (JSONL); print one JSON result per line.")] = None,
    explain: Annotated[bool, typer.Option(
        help="With --batch: include every statement's trace, not only the deciding one.")
    ] = False,
    jobs: Annotated[int, typer.Option(
        min=0, help="With --batch: worker processes (0: one per CPU for files over 4 MB).")
    ] = 0,
) -> None:
    """Evaluate what-if cases and explain each decision."""
    if batch is not None:
        if case_files:
            raise CaseError(Problem("usage", "give either case files or --batch, not both"))
        raise typer.Exit(_run_batch(batch, expect, explain, jobs))
    if not case_files:
        raise CaseError(Problem("usage", "give at least one case file, or --batch FILE.jsonl"))
    cases = [(str(path), load_case(path)) for path in case_files]
    for source, case in cases:
        for warning in case.warnings:
            print(f"warning: {source}: {warning}", file=sys.stderr)
    results = [(source, evaluate(case.request, case.policies)) for source, case in cases]
    if output_format is SimulateFormat.JSON:
        from policy_engine.formatters import decision_json

        for source, result in results:
            print(decision_json.render(result, source=source if len(results) > 1 else None))
    else:
        from rich.console import Console

        from policy_engine.formatters import decision_text

        console = Console()
        console.print(decision_text.render_table(results))
        for source, result in results:
            console.print(decision_text.render(result, title=source))
    if expect is not None and any(r.decision is not expect for _, r in results):
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _run_batch(path: Path, expect: Decision | None, explain: bool, jobs: int) -> ExitCode:
    import os

    from policy_engine.batch import write_batch

    try:
        info = path.stat()
        path.open("rb").close()
    except OSError as error:
        raise CaseError(Problem("unreadable", f"cannot read the file: {error.strerror}",
                                source=str(path))) from None
    # A batch may stream from a pipe; a device such as /dev/zero would never end.
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise CaseError(Problem("unreadable", "not a regular file or a pipe; give the path "
                                "of a JSONL file", source=str(path)))
    size = info.st_size if stat.S_ISREG(info.st_mode) else 0
    if jobs == 0:
        jobs = (os.cpu_count() or 1) if size > 4 * 1024 * 1024 else 1
    summary = write_batch(str(path), sys.stdout, sys.stderr, jobs=jobs, explain=explain,
                          expect=None if expect is None else expect.value)
    if summary.bad_cases:
        return ExitCode.BAD_INPUT
    return ExitCode.CHECK_FAILED if summary.mismatches else ExitCode.OK

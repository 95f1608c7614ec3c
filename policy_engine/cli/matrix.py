"""Commands over the access matrix: matrix, matrix-diff, report (issue 14)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from policy_engine.cli.accounts import EnvOption
from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import InputReadError, Problem, ProblemCode
from policy_engine.matrix.writers import MatrixFormat


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


ResourceOption = Annotated[str | None, typer.Option(
    "--resource", help="Only resources whose ARN matches this pattern (`*`, `?`).")]
PrincipalOption = Annotated[str | None, typer.Option(
    "--principal", help="Only principals whose ARN matches this pattern (`*`, `?`).")]
LevelOption = Annotated[list[str] | None, typer.Option(
    "--level", help="Only this access level (List, Read, Write, Permissions management, "
    "Tagging); repeat for several.")]
AccountOption = Annotated[list[str] | None, typer.Option(
    "--account", help="Only resources of this account; repeat for several.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", min=1,
                                         help="Local worker processes.")]
DaskOption = Annotated[str | None, typer.Option(
    "--dask", help="Run on a Dask cluster: its scheduler (tcp://HOST:8786), or `local` for "
    "a LocalCluster of --jobs workers.")]


def _spec(env: list[Path], principal: str | None, resource: str | None,
          level: list[str] | None, account: list[str] | None):
    from policy_engine.matrix.compute import MatrixOptions
    from policy_engine.matrix.model import LEVELS, parse_level
    from policy_engine.matrix.run import MatrixSpec

    if not env:
        raise InputReadError(Problem(ProblemCode.USAGE, "give at least one snapshot with "
                                     "--env FILE"))
    levels = tuple(dict.fromkeys(parse_level(text) for text in level)) if level else LEVELS
    options = MatrixOptions(principal, resource, levels, tuple(account or ()))
    return MatrixSpec(tuple(str(p) for p in env), options)


def _load(env: list[Path]):
    from policy_engine.snapshot import load_snapshot

    snapshot = load_snapshot(env)
    for warning in snapshot.warnings:
        print(f"warning: {warning.one_line()}", file=sys.stderr)
    return snapshot


@contextmanager
def _runner(spec, env: list[Path], *, jobs: int, dask: str | None) -> Iterator[Callable]:
    """A function that runs the matrix into a sink, locally or on Dask. The Dask
    scheduler is reached before anything is read or written: an unreachable one is one
    line at once; its workers read the snapshot themselves."""
    if dask is None:
        from policy_engine.matrix.run import run_local

        snapshot = _load(env)
        yield lambda sink: run_local(spec, sink, jobs=jobs, snapshot=snapshot)
        return
    from policy_engine.matrix.dask_run import dask_client, run_on

    with dask_client(dask, jobs) as client:
        yield lambda sink: run_on(client, spec, sink)


def matrix(
    env: EnvOption,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here (default: stdout).")] = None,
    resource: ResourceOption = None,
    principal: PrincipalOption = None,
    level: LevelOption = None,
    account: AccountOption = None,
    output_format: Annotated[MatrixFormat, typer.Option("--format")] = MatrixFormat.JSONL,
    jobs: JobsOption = 1,
    dask: DaskOption = None,
) -> None:
    """Who can reach what: every principal × resource × access level the snapshots allow,
    with the actions, the granting statements and the reach (internal, cross-account,
    outside-organization, public). Only cells with access are written."""
    from policy_engine.matrix.writers import open_writer, require_pyarrow

    spec = _spec(env, principal, resource, level, account)
    if output_format is MatrixFormat.PARQUET:
        require_pyarrow()
    header = {"sources": list(spec.paths), "levels": list(spec.options.levels),
              "principal": principal, "resource": resource, "accounts": account or []}
    with _runner(spec, env, jobs=jobs, dask=dask) as run:
        writer, opened = open_writer(output, output_format, header, sys.stdout)
        try:
            stats = run(writer)
        finally:
            writer.close()
            if opened is not None:
                opened.close()
    print(_stats_line(stats), file=sys.stderr)


def _side(path: Path, spec, jobs: int):
    """The cells of one side of a diff: a matrix file as read, or a snapshot's matrix."""
    from policy_engine.matrix.diff import is_matrix_file
    from policy_engine.matrix.read import read_cells
    from policy_engine.matrix.run import Collect, MatrixSpec, run_local

    if is_matrix_file(path):
        return [cell for cell in read_cells(path) if spec.options.wants_cell(cell)]
    sink = Collect()
    run_local(MatrixSpec((str(path),), spec.options), sink, jobs=jobs,
              snapshot=_load([path]))
    return sink.cells


def matrix_diff(
    old: Annotated[Path, typer.Argument(help="The earlier matrix file or snapshot.")],
    new: Annotated[Path, typer.Argument(help="The later matrix file or snapshot.")],
    resource: ResourceOption = None,
    principal: PrincipalOption = None,
    level: LevelOption = None,
    account: AccountOption = None,
    output_format: Annotated[DiffFormat, typer.Option("--format")] = DiffFormat.TEXT,
    jobs: JobsOption = 1,
) -> None:
    """The access cells that appeared and disappeared between OLD and NEW (matrix files,
    or snapshots whose matrix is computed); exit 1 when access was added."""
    from policy_engine.formatters import matrix_diff as render
    from policy_engine.matrix.diff import diff_cells

    spec = _spec([old], principal, resource, level, account)
    diff = diff_cells(_side(old, spec, jobs), _side(new, spec, jobs))
    print(render.render_json(diff) if output_format is DiffFormat.JSON
          else render.render_text(diff))
    if diff.access_added:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def report(
    env: EnvOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    resource: ResourceOption = None,
    principal: PrincipalOption = None,
    level: LevelOption = None,
    account: AccountOption = None,
    jobs: JobsOption = 1,
    dask: DaskOption = None,
    max_rows: Annotated[int, typer.Option(min=1, help="Cells shown at most.")] = 5000,
) -> None:
    """One self-contained HTML page of the matrix: filterable, sortable, each cell with its
    explanation, the assume-role paths as a graph, public and outside-organization access
    first. Opens anywhere: no server, no network."""
    from policy_engine.matrix.run import Collect, engine_for
    from policy_engine.report.build import build_report
    from policy_engine.report.html import render_report

    spec = _spec(env, principal, resource, level, account)
    sink = Collect()
    with _runner(spec, env, jobs=jobs, dask=dask) as run:
        stats = run(sink)
    data = build_report(engine_for(spec), sink.cells, spec.paths, max_rows=max_rows)
    try:
        output.write_text(render_report(data), encoding="utf-8")
    except OSError as error:
        raise InputReadError(Problem(ProblemCode.UNWRITABLE, f"cannot write: {error.strerror}",
                                     source=str(output))) from None
    print(_stats_line(stats), file=sys.stderr)


def _stats_line(stats) -> str:
    return (f"matrix: {stats.cells} cells with access; {stats.principals} principals × "
            f"{stats.pairs // max(1, stats.principals)} resources, {stats.pairs_evaluated} "
            f"pairs evaluated; {stats.evaluations} evaluations instead of "
            f"{stats.naive_evaluations} (skipping pairs saved {stats.saved_by_skipping}, "
            f"one evaluation per group of actions alike saved {stats.saved_by_sharing}, "
            f"actions no Allow statement matches {stats.saved_by_action})")

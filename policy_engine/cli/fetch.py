"""`policy-engine fetch -o SNAPSHOT [--profile P] [--regions R,...] [--services S,...]
[--endpoint-url URL]`: a read-only snapshot of the caller's AWS account.

A thin layer over `policy_engine.fetch`, which is imported only here, when the command
runs: the base install has no boto3. Progress goes to stderr (a rich progress bar on a
terminal, one plain line per task otherwise); the summary to stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policy_engine.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from policy_engine.fetch import FetchResult, Task

INSTALL_HINT = ("error: policy-engine fetch needs boto3: pip install 'policy-engine[aws]'")


def _names(values: list[str] | None) -> tuple[str, ...] | None:
    """`a,b` and repeated options alike -> ('a', 'b'); None when not given."""
    if not values:
        return None
    return tuple(dict.fromkeys(n.strip() for v in values for n in v.split(",") if n.strip()))


def fetch(
    output: Annotated[Path, typer.Option("--output", "-o", help="The snapshot file to write "
                                         "(JSON, policy-engine-snapshot/1).")],
    profile: Annotated[str | None, typer.Option(
        help="AWS profile; default: the normal boto3 credential chain.")] = None,
    regions: Annotated[list[str] | None, typer.Option(
        "--regions", "--region", metavar="R[,R…]",
        help="Regions to read; default: every Region enabled for the account.")] = None,
    services: Annotated[list[str] | None, typer.Option(
        "--services", metavar="S[,S…]", help="iam, organizations, s3, kms, sqs, sns, "
        "lambda, secretsmanager, ecr; default: all.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(
        help="Send every call to this address (an emulator such as moto).")] = None,
    jobs: Annotated[int, typer.Option(min=1, max=64, help="Tasks run at once.")] = 8,
) -> None:
    """Read the caller's AWS account (read-only) into a snapshot file."""
    try:
        import boto3  # noqa: F401  (the `aws` extra)
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    from policy_engine.fetch import (
        FetchOptions,
        FetchSession,
        check_snapshot,
        fetch_snapshot,
        snapshot_text,
        write_atomically,
    )

    session = FetchSession(profile=profile, endpoint_url=endpoint_url)
    options = FetchOptions(regions=_names(regions), services=_names(services), jobs=jobs)
    with _listener() as listener:
        result = fetch_snapshot(session, options, listener)
    check_snapshot(result.value, output)
    write_atomically(output, snapshot_text(result.value))
    for warning in result.warnings:
        where = " ".join(p for p in (warning.resource, warning.region) if p)
        print(f"warning: {warning.service} {warning.operation}"
              f"{' (' + where + ')' if where else ''}: {warning.code}: {warning.message}",
              file=sys.stderr)
    print(_summary(output, result))


def _summary(output: Path, result: FetchResult) -> str:
    value = result.value
    details = value["accounts"][0].get("authorization_details", {})
    counts = [f"{len(details.get(key, []))} {word}" for key, word in (
        ("UserDetailList", "users"), ("RoleDetailList", "roles"))]
    counts += [f"{len(entries)} {kind.replace('_', ' ')}"
               for kind, entries in value["resources"].items()]
    warned = f"; {len(result.warnings)} warnings" if result.warnings else ""
    return (f"wrote {output}: account {result.caller.account} as {result.caller.arn}, "
            f"{len(result.regions)} regions, {', '.join(counts)}{warned}")


class _PlainLines:
    """One line per finished task, for logs and pipes."""

    def __enter__(self) -> _PlainLines:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def planned(self, tasks: Sequence[Task]) -> None:
        print(f"fetching: {len(tasks)} tasks", file=sys.stderr)

    def finished(self, task: Task, summary: str, warnings: int) -> None:
        note = f" ({warnings} warnings)" if warnings else ""
        print(f"fetched {task.label}: {summary}{note}", file=sys.stderr)


class _Bar:
    """A rich progress bar on stderr, for terminals."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), console=Console(stderr=True),
                                 transient=True)
        self.bar: Any = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def planned(self, tasks: Sequence[Task]) -> None:
        self.bar = self.progress.add_task("fetching", total=len(tasks))

    def finished(self, task: Task, summary: str, warnings: int) -> None:
        self.progress.update(self.bar, advance=1, description=f"fetched {task.label}")


def _listener() -> _PlainLines | _Bar:
    return _Bar() if sys.stderr.isatty() else _PlainLines()

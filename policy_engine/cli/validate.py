"""`policy-engine validate FILE... [--kind KIND] [--format text|json]`.

Exit 0 when every file is a valid policy of its kind, 2 when any is invalid or unreadable.
Without `--kind`, each file's kind is guessed (path, then content) and the reason is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.formatters.problems import RENDERERS, FileReport, ReportFormat
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import guess_kind, other_document_hint, read_policy_text, validate_policy
from policy_engine.source import load_text


def validate(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE", help="Policy files (JSON, or YAML by extension or content).")],
    kind: Annotated[PolicyKind | None, typer.Option(
        help="Policy kind for every file; guessed per file (and shown) when omitted.",
        case_sensitive=False)] = None,
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", help="text: problems with the offending line; json: a list of results.")
    ] = ReportFormat.TEXT,
) -> None:
    """Check policy files against the rules AWS documents for their kind."""
    reports = [validate_file(path, kind) for path in files]
    rendered = RENDERERS[output_format](reports)
    if isinstance(rendered, str):
        typer.echo(rendered)
    else:
        from rich.console import Console

        Console(soft_wrap=True, highlight=False).print(rendered)
    valid = all(report.valid for report in reports)
    raise typer.Exit(ExitCode.OK if valid else ExitCode.BAD_INPUT)


def validate_file(path: Path, kind: PolicyKind | None) -> FileReport:
    """Read, pick the kind, validate; every failure becomes part of the report."""
    source = str(path)
    try:
        text = read_policy_text(path)
    except PolicyEngineError as error:
        return FileReport(source, kind.value if kind else None,
                          "given with --kind" if kind else "not guessed: unreadable",
                          tuple(error.problems))
    value = _value(path, text)
    hint = None if kind else other_document_hint(value)
    if hint is not None:
        return FileReport(source, None, "not a policy",
                          (Problem(ProblemCode.WRONG_TYPE, hint, source=source),), text)
    chosen, reason = (kind, "given with --kind") if kind else _guess(path, value)
    result = validate_policy(text, kind=chosen, source=source, name=path.stem)
    warnings = result.policy.warnings if result.policy is not None else ()
    return FileReport(source, chosen.value, reason, tuple(result.problems), text, warnings)


def _value(path: Path, text: str) -> object:
    try:
        return load_text(text, source=str(path)).value
    except PolicyEngineError:
        return None


def _guess(path: Path, value: object) -> tuple[PolicyKind, str]:
    found, reason = guess_kind(str(path), value)
    return found, f"guessed, {reason}; use --kind to choose"

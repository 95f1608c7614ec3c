"""`policy-engine lint FILE... [--kind K] [--env SNAPSHOT] [--format F] [--fail-on S]`,
`policy-engine lint --list-rules` and `policy-engine lint --explain CODE`.

Exit 0 when no finding reaches `--fail-on` (default: security-warning, so errors and
security warnings fail), 1 when one does, 2 when an input, the configuration or an
option cannot be used (one line on stderr).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.formatters.lint_formats import LINT_RENDERERS, LintFormat
from policy_engine.lint.api import lint_paths
from policy_engine.lint.config import load_config
from policy_engine.lint.inputs import InputType
from policy_engine.lint.registry import Registry, default_registry
from policy_engine.lint.rule import LintRule
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind


def lint(
    files: Annotated[list[Path] | None, typer.Argument(
        metavar="FILE", help="Policy files (JSON/YAML), CloudFormation templates (JSON/"
        "YAML) or Terraform plans (`terraform show -json`).")] = None,
    kind: Annotated[PolicyKind | None, typer.Option(
        help="Policy kind of every policy file; guessed per file when omitted.",
        case_sensitive=False)] = None,
    env: Annotated[list[Path] | None, typer.Option(
        help="Lint every policy of an account snapshot or authorization-details file.")
    ] = None,
    input_type: Annotated[InputType, typer.Option(
        "--input", help="How to read FILEs; auto recognises templates and plans.",
        case_sensitive=False)] = InputType.AUTO,
    output_format: Annotated[LintFormat, typer.Option(
        "--format", help="text, json, sarif (SARIF 2.1.0) or github (Actions annotations).",
        case_sensitive=False)] = LintFormat.TEXT,
    fail_on: Annotated[str | None, typer.Option(
        help="Lowest severity that fails the run: error, security-warning, warning or "
        "suggestion (default security-warning, or the configuration's fail-on).")] = None,
    config: Annotated[Path | None, typer.Option(
        help="Configuration file (default: .policy-engine.toml or pyproject.toml's "
        "[tool.policy-engine.lint], looked for from the working folder up).")] = None,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="List every rule (built-in and plugins) and exit.")] = False,
    explain: Annotated[str | None, typer.Option(
        metavar="CODE", help="Print one rule's documentation and exit.")] = None,
) -> None:
    """Lint policies for CI: grammar, catalogue and security findings, kind-aware."""
    registry = default_registry()
    if list_rules:
        _print_rules(registry, output_format)
        raise typer.Exit(ExitCode.OK)
    if explain is not None:
        typer.echo(explain_rule(registry, explain))
        raise typer.Exit(ExitCode.OK)
    if not files and not env:
        raise _usage("give at least one FILE or --env SNAPSHOT (or --list-rules)")
    threshold = _severity(fail_on) if fail_on is not None else None
    settings = load_config(config, registry)
    renderer = LINT_RENDERERS.get(output_format)
    if renderer is None:
        raise _usage(f"the {output_format.value} format is not available in this build")
    report = lint_paths(files or [], kind=kind, input_type=input_type, envs=env or [],
                        config=settings, registry=registry, fail_on=threshold)
    rendered = renderer(report)
    if isinstance(rendered, str):
        typer.echo(rendered)
    else:
        Console(soft_wrap=True, highlight=False).print(rendered)
    for summary in report.files:  # what a reader skipped (a value known after apply)
        for note in summary.notes:
            typer.echo(f"note: {summary.source}: {note}", err=True)
    for problem in report.errors:  # each unreadable input: one line on stderr as well
        typer.echo(f"error: {problem.one_line()}", err=True)
    if report.errors:
        raise typer.Exit(ExitCode.BAD_INPUT)
    raise typer.Exit(ExitCode.CHECK_FAILED if report.failing else ExitCode.OK)


def _usage(message: str) -> PolicyEngineError:
    return PolicyEngineError(Problem(ProblemCode.USAGE, message, source="lint"))


def _severity(value: str) -> Severity:
    try:
        return Severity(value.strip().lower())
    except ValueError:
        raise _usage(f"--fail-on {value!r} is not a severity: use one of "
                     f"{', '.join(s.value for s in Severity)}") from None


def rule_for_code(registry: Registry, code: str) -> LintRule:
    found = registry.get(code.strip())
    if found is not None:
        return found
    by_name = {rule.name: rule for rule in registry.rules}
    if code.strip().lower() in by_name:
        return by_name[code.strip().lower()]
    close = difflib.get_close_matches(code.strip().upper(), registry.codes, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise _usage(f"{code!r} is not a lint rule code{hint} (`policy-engine lint "
                 "--list-rules` lists them)")


def explain_rule(registry: Registry, code: str) -> str:
    found = rule_for_code(registry, code)
    kinds = ", ".join(sorted(k.value for k in found.kinds)) if found.kinds else "every kind"
    default = "on" if found.enabled_by_default else "off (enable it in the configuration)"
    return (f"{found.code} ({found.name})\nseverity: {found.severity.value}\n"
            f"applies to: {kinds}\nenabled by default: {default}\nmore: {found.help_uri}\n\n"
            f"{found.documentation}")


def _print_rules(registry: Registry, output_format: LintFormat) -> None:
    if output_format is LintFormat.JSON:
        typer.echo(json.dumps([{
            "code": r.code, "name": r.name, "severity": r.severity.value,
            "kinds": sorted(k.value for k in r.kinds) if r.kinds else None,
            "enabled_by_default": r.enabled_by_default, "summary": r.summary,
            "help_uri": r.help_uri} for r in registry.rules], indent=2))
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("code", "severity", "summary"):
        table.add_column(column, overflow="fold")
    for found in registry.rules:
        off = "" if found.enabled_by_default else " (off)"
        table.add_row(found.code, found.severity.value + off, found.summary)
    Console(soft_wrap=False, highlight=False).print(table)

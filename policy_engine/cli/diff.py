"""`policy-engine diff OLD NEW [--kind K] [--must-not-grant ACTION[,ACTION…]] [--on RESOURCE]`.

Exit 1 when NEW grants access OLD does not, or grants a `--must-not-grant` action on
RESOURCE; 0 otherwise; 2 for bad input (an unreadable file, an invalid policy, kinds that
differ, an unknown action), one line on stderr.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from policy_engine.analysis.access_diff import diff_policies
from policy_engine.analysis.access_not_granted import check_access_not_granted, forbidden_actions
from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.formatters.diff_json import render_json
from policy_engine.formatters.diff_text import render_text
from policy_engine.model.kinds import PolicyKind, rules_for
from policy_engine.parse import ParsedPolicy, guess_kind, load_policy, read_policy_text
from policy_engine.source import load_text


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


RENDERERS = {DiffFormat.TEXT: render_text, DiffFormat.JSON: render_json}


def diff(
    old: Annotated[Path, typer.Argument(help="The existing policy (JSON or YAML).")],
    new: Annotated[Path, typer.Argument(help="The updated policy (JSON or YAML).")],
    kind: Annotated[PolicyKind | None, typer.Option(
        help="Policy kind of both files; guessed per file when omitted.",
        case_sensitive=False)] = None,
    must_not_grant: Annotated[str | None, typer.Option(
        metavar="ACTION[,ACTION…]", help="Also fail when NEW grants any of these actions "
        "(wildcards allowed) on --on.")] = None,
    on: Annotated[str, typer.Option(
        metavar="RESOURCE", help="The resource (pattern) --must-not-grant asks about; "
        "default `*`: any resource.")] = "*",
    output_format: Annotated[DiffFormat, typer.Option(
        "--format", help="text or json.", case_sensitive=False)] = DiffFormat.TEXT,
) -> None:
    """Report every access NEW grants that OLD does not (check no new access)."""
    forbidden_set = forbidden_actions(must_not_grant) if must_not_grant is not None else None
    old_policy, new_policy = load_pair(old, new, kind)
    report = diff_policies(old_policy, new_policy)
    forbidden = None if forbidden_set is None else \
        check_access_not_granted(new_policy, forbidden_set, on)
    typer.echo(RENDERERS[output_format](report, forbidden, must_not_grant, on))
    failed = not report.passed or bool(forbidden)
    raise typer.Exit(ExitCode.CHECK_FAILED if failed else ExitCode.OK)


def load_pair(old: Path, new: Path, kind: PolicyKind | None
              ) -> tuple[ParsedPolicy, ParsedPolicy]:
    """Both policies, of one kind: `--kind`, or each file's guess, which must agree in
    family (an identity policy cannot be compared with a resource policy)."""
    old_kind = kind or _guess(old)
    new_kind = kind or _guess(new)
    if rules_for(old_kind).family is not rules_for(new_kind).family:
        raise PolicyEngineError(Problem(
            ProblemCode.USAGE, f"the kinds differ: `{old}` reads as {old_kind.value}, "
            f"`{new}` as {new_kind.value}; give --kind to compare them as one kind",
            source="diff"))
    return load_policy(old, old_kind), load_policy(new, new_kind)


def _guess(path: Path) -> PolicyKind:
    text = read_policy_text(path)
    try:
        value = load_text(text, source=str(path)).value
    except PolicyEngineError:
        value = None  # parsing reports the syntax problem with its place
    return guess_kind(str(path), value)[0]

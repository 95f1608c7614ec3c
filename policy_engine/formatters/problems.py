"""Validation results as text (rich) or JSON; pure functions, no I/O.

Text shows each problem as `file:line:col: path: message [code]`, then the offending
source line with a caret under the column. JSON is a list with one object per file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from policy_engine.errors import Problem

_TAB_WIDTH = 4


@dataclass(frozen=True, slots=True)
class FileReport:
    """What `policy-engine validate` learned about one file."""

    path: str
    kind: str | None
    kind_reason: str  # "given with --kind", or why the kind was guessed
    problems: tuple[Problem, ...] = ()
    text: str | None = field(default=None, repr=False)
    # A valid policy's strings outside the grammar that AWS accepts (`model.oddities`).
    warnings: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.path,
            "kind": self.kind,
            "kind_reason": self.kind_reason,
            "valid": self.valid,
            "problems": [problem.to_dict() for problem in self.problems],
        }
        if self.warnings:  # absent when there are none, as before
            out["warnings"] = [warning.to_dict() for warning in self.warnings]
        return out


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def source_excerpt(text: str, line: int, column: int | None) -> tuple[str, str] | None:
    """The source line `line` (1-based) and a caret line under `column`; None if out of range.

    Tabs are expanded in both lines and wide characters counted by the cells they take, so
    the caret stays under the character.
    """
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    source_line = lines[line - 1]
    index = max(0, min((column or 1) - 1, len(source_line)))
    prefix = source_line[:index].expandtabs(_TAB_WIDTH)
    return source_line.expandtabs(_TAB_WIDTH), " " * cell_len(prefix) + "^"


def render_problem(problem: Problem, text: str | None, *, warning: bool = False) -> Text:
    """One problem: the located message, then the source line and caret when known."""
    out = Text()
    if warning:
        out.append("warning ", style="bold yellow")
    where = problem.source
    if problem.line is not None:
        where += f":{problem.line}:{problem.column or 1}"
    out.append(where, style="bold")
    out.append(": ")
    if problem.path:
        out.append(problem.path, style="cyan")
        out.append(": ")
    out.append(problem.message)
    out.append(f"  [{problem.code}]", style="dim")
    excerpt = source_excerpt(text, problem.line, problem.column) if (
        text is not None and problem.line is not None) else None
    if excerpt is not None:
        gutter = f"{problem.line:>5} | "
        out.append("\n" + gutter, style="dim")
        out.append(_clip_line(excerpt[0]))
        out.append("\n" + " " * (len(gutter) - 2) + "| ", style="dim")
        out.append(excerpt[1], style="bold red")
    return out


def _clip_line(line: str, limit: int = 200) -> str:
    return line if len(line) <= limit else line[:limit] + "…"


def render_report(report: FileReport) -> RenderableType:
    heading = Text()
    if report.valid:
        heading.append("valid    ", style="bold green")
    else:
        heading.append("invalid  ", style="bold red")
    heading.append(report.path, style="bold")
    heading.append(f"  (kind {report.kind or 'unknown'}: {report.kind_reason})", style="dim")
    parts: list[RenderableType] = [heading]
    parts.extend(render_problem(problem, report.text) for problem in report.problems)
    parts.extend(render_problem(warning, report.text, warning=True)
                 for warning in report.warnings)
    return Group(*parts)


def render_text(reports: Sequence[FileReport]) -> RenderableType:
    """Every file's report, then a one-line summary."""
    invalid = sum(not report.valid for report in reports)
    summary = Text(f"\n{len(reports)} file{'s' if len(reports) != 1 else ''}: "
                   f"{len(reports) - invalid} valid, {invalid} invalid",
                   style="bold red" if invalid else "bold green")
    return Group(*(render_report(report) for report in reports), summary)


def render_json(reports: Sequence[FileReport]) -> str:
    return json.dumps([report.to_dict() for report in reports], indent=2, ensure_ascii=False)


RENDERERS: dict[ReportFormat, Callable[[Sequence[FileReport]], RenderableType | str]] = {
    ReportFormat.TEXT: render_text,
    ReportFormat.JSON: render_json,
}

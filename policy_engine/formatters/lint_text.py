"""A lint report as rich text: findings grouped per file under a header naming the file,
its kind and its counts; each finding located (`file:line:col: severity: …`, the form
editors and terminals link), with the offending source line and a caret under the
element; then one summary line with the count per severity.

Colours come from rich, which drops them when the output is not a terminal (or when
`NO_COLOR` is set), so piped output is plain text with the same layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from rich.console import Group, RenderableType
from rich.text import Text

from policy_engine.formatters.problems import source_excerpt
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.report import FileSummary, LintReport
from policy_engine.lint.severity import Severity

STYLES: Final = {Severity.ERROR: "bold red", Severity.SECURITY_WARNING: "bold magenta",
                 Severity.WARNING: "bold yellow", Severity.SUGGESTION: "bold blue"}
# Source lines longer than this are shown as a window around the caret.
EXCERPT_WIDTH: Final = 160
_LEAD: Final = 60  # characters kept before the caret in a window


def render_finding(finding: LintFinding, text: str | None) -> Text:
    out = Text()
    where = finding.source
    if finding.line is not None:
        where += f":{finding.line}:{finding.column or 1}"
    out.append(where, style="bold")
    out.append(": ")
    out.append(finding.severity.value, style=STYLES[finding.severity])
    out.append(": ")
    if finding.subject:
        out.append(f"{finding.subject}: ", style="green")
    if finding.path:
        out.append(finding.path, style="cyan")
        out.append(": ")
    out.append(finding.message)
    out.append(f"  [{finding.code}]", style="dim")
    excerpt = source_excerpt(text, finding.line, finding.column) if (
        text is not None and finding.line is not None) else None
    if excerpt is not None:
        line, caret = window(*excerpt)
        gutter = f"{finding.line:>5} | "
        out.append("\n" + gutter, style="dim")
        out.append(line)
        out.append("\n" + " " * (len(gutter) - 2) + "| ", style="dim")
        out.append(caret, style=STYLES[finding.severity])
    return out


def window(line: str, caret: str, width: int = EXCERPT_WIDTH) -> tuple[str, str]:
    """A long source line cut to `width` characters around the caret, with `…` where it
    was cut, the caret moved to match (a minified policy is one very long line)."""
    if len(line) <= width:
        return line, caret
    at = len(caret) - 1
    start = max(0, min(at - _LEAD, len(line) - width))
    shown = line[start:start + width]
    before = "…" if start > 0 else ""
    after = "…" if start + width < len(line) else ""
    return before + shown + after, " " * (at - start + len(before)) + "^"


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


def _counts(findings: Iterable[LintFinding]) -> Text:
    counted = {severity: 0 for severity in Severity}
    for finding in findings:
        counted[finding.severity] += 1
    out = Text()
    for severity, count in counted.items():
        if count:
            if out:
                out.append(", ")
            out.append(_plural(count, severity.value), style=STYLES[severity])
    return out


def _header(source: str, summary: FileSummary | None,
            findings: list[LintFinding]) -> Text:
    out = Text(source, style="bold underline")
    if summary is not None:
        details = [", ".join(summary.kinds)] if summary.kinds else []
        if summary.input_type != "policy":
            details.append(f"{summary.input_type}, {_plural(summary.documents, 'policy')}")
        if summary.kind_reason:
            details.append(summary.kind_reason)
        if details:
            out.append(f" ({'; '.join(details)})", style="dim")
    out.append(": ")
    out.append_text(_counts(findings))
    return out


def group_by_file(report: LintReport) -> dict[str, list[LintFinding]]:
    """Findings per file, in the order the files were read."""
    grouped: dict[str, list[LintFinding]] = {summary.source: [] for summary in report.files}
    for finding in report.findings:
        grouped.setdefault(finding.source, []).append(finding)
    return {source: found for source, found in grouped.items() if found}


def render_text(report: LintReport) -> RenderableType:
    # Unreadable inputs are reported on stderr by the command, not repeated here.
    summaries = {summary.source: summary for summary in report.files}
    parts: list[RenderableType] = []
    for source, findings in group_by_file(report).items():
        summary = summaries.get(source)
        text = summary.text if summary is not None else None
        if parts:
            parts.append(Text(""))
        # One Text per file: rich renders a few long texts much faster than many short.
        parts.append(Text("\n").join([_header(source, summary, findings),
                                       *(render_finding(finding, text)
                                         for finding in findings)]))
    parts.append(_summary(report, bool(parts)))
    return Group(*parts)


def _summary(report: LintReport, after_findings: bool) -> Text:
    policies = sum(summary.documents for summary in report.files)
    failed = bool(report.failing or report.errors)
    out = Text("\n" if after_findings else "")
    out.append(f"{_plural(len(report.files), 'file')}, {_plural(policies, 'policy')}: ",
               style="bold")
    counts = _counts(report.findings)
    out.append_text(counts) if counts else out.append("no findings", style="bold green")
    if report.errors:
        out.append(f"; {len(report.errors)} unreadable", style="bold red")
    if failed:
        failing = len(report.failing)
        out.append(f" — failed: {_plural(failing, 'finding')} at {report.fail_on.value} or "
                   "above" + (", and unreadable input" if report.errors else ""),
                   style="bold red")
    else:
        out.append(f" — passed (fails at {report.fail_on.value} or above)", style="green")
    return out

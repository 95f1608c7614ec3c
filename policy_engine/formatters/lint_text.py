"""A lint report as rich text: each finding located, with the offending source line and
a caret under the element, then a summary line."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from policy_engine.formatters.problems import source_excerpt
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.report import LintReport
from policy_engine.lint.severity import Severity

_STYLE = {Severity.ERROR: "bold red", Severity.SECURITY_WARNING: "bold magenta",
          Severity.WARNING: "bold yellow", Severity.SUGGESTION: "bold blue"}


def render_finding(finding: LintFinding, text: str | None) -> Text:
    out = Text()
    where = finding.source
    if finding.line is not None:
        where += f":{finding.line}:{finding.column or 1}"
    out.append(where, style="bold")
    out.append(": ")
    out.append(finding.severity.value, style=_STYLE[finding.severity])
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
        gutter = f"{finding.line:>5} | "
        out.append("\n" + gutter, style="dim")
        out.append(excerpt[0] if len(excerpt[0]) <= 200 else excerpt[0][:200] + "…")
        out.append("\n" + " " * (len(gutter) - 2) + "| ", style="dim")
        out.append(excerpt[1], style=_STYLE[finding.severity])
    return out


def render_text(report: LintReport) -> RenderableType:
    # Unreadable inputs are reported on stderr by the command, not repeated here.
    parts: list[RenderableType] = []
    parts.extend(render_finding(finding, report.text_of(finding.source))
                 for finding in report.findings)
    counts = report.counts()
    listed = ", ".join(f"{n} {severity}{'s' if n != 1 else ''}"
                       for severity, n in counts.items() if n)
    policies = sum(f.documents for f in report.files)
    summary = (f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}, "
               f"{policies} polic{'ies' if policies != 1 else 'y'}: "
               f"{listed or 'no findings'}")
    if report.errors:
        summary += f"; {len(report.errors)} unreadable"
    failed = bool(report.failing or report.errors)
    parts.append(Text(("\n" if parts else "") + summary
                      + (f" (fails at {report.fail_on.value} or above)" if failed else ""),
                      style="bold red" if failed else "bold green"))
    return Group(*parts)

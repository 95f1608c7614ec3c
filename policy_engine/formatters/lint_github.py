"""A lint report as GitHub Actions workflow commands: one `::error`, `::warning` or
`::notice` line per finding, which the runner turns into an annotation on the file and
line of the pull request, then one plain summary line.

`::error file=policy.json,line=3,col=7,title=INVALID_EFFECT::Statement[0].Effect: …`

Errors and security warnings are `error`, warnings `warning`, suggestions `notice`.
Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF, as
the runner's command parser expects
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
File paths are relative to the working folder when the file is under it (a job runs in
the repository's root, the path annotations are resolved against).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from policy_engine.errors import Problem
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.report import LintReport
from policy_engine.lint.severity import Severity

COMMANDS: Final = {Severity.ERROR: "error", Severity.SECURITY_WARNING: "error",
                   Severity.WARNING: "warning", Severity.SUGGESTION: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """`::name key=value,…::message`, keeping the properties' order and skipping None."""
    listed = ",".join(f"{key}={escape_property(str(value))}"
                      for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + listed if listed else ''}::{escape_data(message)}"


def display_path(source: str, base: Path) -> str:
    """`source` relative to `base` when it lies under it, with `/` separators."""
    absolute = Path(os.path.abspath(source))
    try:
        return absolute.relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return Path(source).as_posix()


def annotation(finding: LintFinding, base: Path) -> str:
    subject = f"{finding.subject}: " if finding.subject else ""
    path = f"{finding.path}: " if finding.path else ""
    name = COMMANDS[finding.severity]
    # The command says error/warning/notice; a security warning or a suggestion says so.
    severity = "" if name == finding.severity.value else f"{finding.severity.value}: "
    return command(name, f"{severity}{subject}{path}{finding.message}",
                   file=display_path(finding.source, base), line=finding.line,
                   col=finding.column if finding.line is not None else None,
                   title=finding.code)


def unreadable(problem: Problem, base: Path) -> str:
    return command("error", problem.message, file=display_path(problem.source, base),
                   line=problem.line, col=problem.column if problem.line else None,
                   title=f"policy-engine lint: {problem.code}")


def render_github(report: LintReport, *, root: Path | None = None) -> str:
    base = root or Path.cwd()
    lines = [annotation(finding, base) for finding in report.findings]
    lines.extend(unreadable(problem, base) for problem in report.errors)
    counts = ", ".join(f"{n} {severity}" for severity, n in report.counts().items() if n)
    failed = bool(report.failing or report.errors)
    lines.append(f"policy-engine lint: {len(report.files)} file(s), "
                 f"{counts or 'no findings'}"
                 + (f"; {len(report.errors)} unreadable" if report.errors else "")
                 + (f"; fails at {report.fail_on.value} or above" if failed else ""))
    return "\n".join(lines)

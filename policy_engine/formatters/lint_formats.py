"""The lint output formats and the function that renders each."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from rich.console import RenderableType

from policy_engine.formatters.lint_github import render_github
from policy_engine.formatters.lint_json import render_json
from policy_engine.formatters.lint_sarif import render_sarif
from policy_engine.formatters.lint_text import render_text
from policy_engine.lint.report import LintReport


class LintFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


LINT_RENDERERS: dict[LintFormat, Callable[[LintReport], RenderableType | str]] = {
    LintFormat.TEXT: render_text,
    LintFormat.JSON: render_json,
    LintFormat.SARIF: render_sarif,
    LintFormat.GITHUB: render_github,
}

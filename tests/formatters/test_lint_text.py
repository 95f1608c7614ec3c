"""The lint text output: grouped per file, each finding with its source line and caret,
a summary per severity; plain text when not a terminal, colours on one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from policy_engine.formatters.lint_text import render_text, window
from policy_engine.lint.config import LintConfig
from policy_engine.lint.severity import Severity
from tests.formatters.lint_reports import sample_report


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plain(renderable: object, *, terminal: bool = False) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=terminal, color_system="standard" if terminal else None,
            width=200, soft_wrap=True, highlight=False).print(renderable)
    return out.getvalue()


def test_findings_are_grouped_under_a_header_per_file(folder: Path) -> None:
    lines = plain(render_text(sample_report(folder))).splitlines()
    assert lines[0].startswith("policies/bad-effect.json (identity; guessed")
    assert lines[0].endswith(": 1 error")
    assert lines[1] == ("policies/bad-effect.json:5:16: error: Statement[1].Effect: `Alow` "
                        "is not Allow or Deny  [INVALID_EFFECT]")
    assert lines[2] == '    5 |     {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}'
    assert lines[3] == "      |                ^"
    assert lines[4] == ""
    assert lines[5].startswith("policies/no version.json (identity;")
    assert lines[5].endswith(": 1 warning")
    headers = [line for line in lines if line.startswith(("policies/", "old.json")) and
               "(identity" in line]
    assert len(headers) == 3


def test_the_summary_counts_each_severity_and_says_why_the_run_fails(folder: Path) -> None:
    last = plain(render_text(sample_report(folder, unreadable=True))).splitlines()[-1]
    assert last == ("3 files, 3 policies: 1 error, 2 warnings; 1 unreadable — failed: "
                    "1 finding at security-warning or above, and unreadable input")


def test_a_passing_run_says_so(folder: Path) -> None:
    report = sample_report(folder, config=LintConfig(disable=frozenset({"INVALID_EFFECT"})))
    last = plain(render_text(report)).splitlines()[-1]
    assert last == "3 files, 3 policies: 2 warnings — passed (fails at security-warning or above)"
    strict = sample_report(folder, fail_on=Severity.WARNING,
                           config=LintConfig(disable=frozenset({"INVALID_EFFECT"})))
    assert plain(render_text(strict)).splitlines()[-1] == (
        "3 files, 3 policies: 2 warnings — failed: 2 findings at warning or above")


def test_no_findings(folder: Path) -> None:
    config = LintConfig(disable=frozenset({"INVALID_EFFECT", "MISSING_VERSION",
                                           "OUTDATED_VERSION"}))
    out = plain(render_text(sample_report(folder, config=config)))
    assert out == "3 files, 3 policies: no findings — passed (fails at security-warning or above)\n"


def test_plain_output_has_no_escape_codes_and_a_terminal_gets_colours(folder: Path) -> None:
    report = sample_report(folder)
    assert "\x1b[" not in plain(render_text(report))
    coloured = plain(render_text(report), terminal=True)
    assert "\x1b[" in coloured and "\x1b[1;31merror" in coloured


def test_a_long_line_is_shown_as_a_window_around_the_caret() -> None:
    line = "x" * 500 + "HERE" + "y" * 500
    caret = " " * 500 + "^"
    shown, under = window(line, caret, width=100)
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) == 102
    assert shown[under.index("^"):].startswith("HERE")
    assert window("short", "  ^") == ("short", "  ^")
    end, end_caret = window("a" * 300, " " * 299 + "^", width=100)
    assert end.startswith("…") and not end.endswith("…") and end[end_caret.index("^")] == "a"
    assert len(end_caret) == len(end)

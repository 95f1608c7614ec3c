"""`--format github`: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_engine.formatters.lint_github import (
    annotation,
    command,
    escape_data,
    escape_property,
    render_github,
)
from policy_engine.lint.config import LintConfig
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.severity import Severity
from tests.formatters.lint_reports import sample_report


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_message_data_escapes_percent_and_line_breaks_only() -> None:
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"


def test_property_values_also_escape_colon_and_comma() -> None:
    assert escape_property("a%b:c,d\ne") == "a%25b%3Ac%2Cd%0Ae"


def test_a_command_keeps_property_order_and_skips_missing_values() -> None:
    assert command("warning", "m", file="a,b.json", line=3, col=None, title="T") == (
        "::warning file=a%2Cb.json,line=3,title=T::m")
    assert command("notice", "just text") == "::notice::just text"


@pytest.mark.parametrize(("severity", "line"), [
    (Severity.ERROR, "::error file=p.json,line=4,col=9,title=X_RULE::Statement[0].Action: m"),
    (Severity.SECURITY_WARNING,
     "::error file=p.json,line=4,col=9,title=X_RULE::security-warning: Statement[0].Action: m"),
    (Severity.WARNING,
     "::warning file=p.json,line=4,col=9,title=X_RULE::Statement[0].Action: m"),
    (Severity.SUGGESTION,
     "::notice file=p.json,line=4,col=9,title=X_RULE::suggestion: Statement[0].Action: m"),
])
def test_each_severity_has_its_command(tmp_path: Path, severity: Severity, line: str) -> None:
    finding = LintFinding("X_RULE", "x-rule", severity, "m", str(tmp_path / "p.json"),
                          pointer="/Statement/0/Action", line=4, column=9)
    assert annotation(finding, tmp_path) == line


def test_a_subject_and_a_multiline_message_stay_on_one_line(tmp_path: Path) -> None:
    finding = LintFinding("X_RULE", "x-rule", Severity.WARNING, "two\nlines: 5%", "t.yaml",
                          subject="role/app trust policy")
    assert annotation(finding, tmp_path) == (
        "::warning file=t.yaml,title=X_RULE::role/app trust policy: two%0Alines: 5%25")


def test_the_report_is_one_annotation_per_finding_then_a_summary(folder: Path) -> None:
    lines = render_github(sample_report(folder, unreadable=True), root=folder).splitlines()
    assert lines[0] == ("::error file=policies/bad-effect.json,line=5,col=16,"
                        "title=INVALID_EFFECT::Statement[1].Effect: `Alow` is not Allow or Deny")
    assert lines[1].startswith("::warning file=policies/no version.json,line=1,col=1,"
                               "title=MISSING_VERSION::")
    assert lines[2].startswith("::warning file=old.json,line=2,col=")
    assert lines[3] == ("::error file=missing.json,title=policy-engine lint%3A unreadable::"
                        "cannot read the file: no such file or directory")
    assert lines[4] == ("policy-engine lint: 3 file(s), 1 error, 2 warning; 1 unreadable; "
                        "fails at security-warning or above")
    assert len(lines) == 5


def test_a_clean_run_is_one_summary_line(folder: Path) -> None:
    config = LintConfig(disable=frozenset({"INVALID_EFFECT", "MISSING_VERSION",
                                           "OUTDATED_VERSION"}))
    out = render_github(sample_report(folder, config=config), root=folder)
    assert out == "policy-engine lint: 3 file(s), no findings"

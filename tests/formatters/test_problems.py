"""`formatters.problems`: validation reports as text (rich) and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from policy_engine.errors import Problem
from policy_engine.formatters.problems import (
    RENDERERS,
    FileReport,
    ReportFormat,
    render_json,
    render_problem,
    render_text,
    source_excerpt,
)

Plain = Callable[[object], str]
PROBLEM_KEYS = ["code", "message", "pointer", "path", "line", "column", "source"]

BAD_TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}
  ]
}
"""
EFFECT = Problem("invalid-effect", "`Alow` is not Allow or Deny", "/Statement/0/Effect",
                 line=4, column=16, source="bad.json")
UNREADABLE = Problem("unreadable", "cannot read the file: No such file or directory",
                     source="gone.json")
GOOD = FileReport("good.json", "identity", "given with --kind")
BAD = FileReport("bad.json", "identity", "guessed, from the content; use --kind to choose",
                 (EFFECT,), BAD_TEXT)
MISSING = FileReport("gone.json", None, "not guessed: unreadable", (UNREADABLE,))


def _lines(plain: Plain, renderable: object) -> list[str]:
    return [line.rstrip() for line in plain(renderable).splitlines()]


def test_every_format_has_a_renderer() -> None:
    assert set(RENDERERS) == set(ReportFormat)
    for report_format in ReportFormat:
        assert RENDERERS[report_format]([GOOD, BAD])


def test_the_json_renderer_is_json_and_the_text_one_is_not() -> None:
    json.loads(RENDERERS[ReportFormat.JSON]([GOOD]))  # type: ignore[arg-type]
    assert not isinstance(RENDERERS[ReportFormat.TEXT]([GOOD]), str)


def test_json_has_one_object_per_file_with_the_documented_keys() -> None:
    body = json.loads(render_json([GOOD, BAD, MISSING]))
    assert [list(entry) for entry in body] == [
        ["file", "kind", "kind_reason", "valid", "problems"]] * 3
    assert [(e["file"], e["kind"], e["valid"]) for e in body] == [
        ("good.json", "identity", True), ("bad.json", "identity", False),
        ("gone.json", None, False)]
    assert body[0]["problems"] == []
    assert body[1]["kind_reason"] == "guessed, from the content; use --kind to choose"


def test_json_problems_carry_code_message_pointer_path_line_column_source() -> None:
    (bad, missing) = json.loads(render_json([BAD, MISSING]))
    assert [list(p) for p in bad["problems"] + missing["problems"]] == [PROBLEM_KEYS] * 2
    assert bad["problems"][0] == {
        "code": "invalid-effect", "message": "`Alow` is not Allow or Deny",
        "pointer": "/Statement/0/Effect", "path": "Statement[0].Effect", "line": 4,
        "column": 16, "source": "bad.json"}
    assert missing["problems"][0]["line"] is None
    assert missing["problems"][0]["path"] == ""


def test_json_keeps_non_ascii_text_readable() -> None:
    report = FileReport("naïve.json", "identity", "given with --kind",
                        (Problem("invalid-value", "`Ünïcode` is wrong", source="naïve.json"),))
    text = render_json([report])
    assert "naïve.json" in text and "\\u" not in text
    assert json.loads(text)[0]["problems"][0]["message"] == "`Ünïcode` is wrong"


def test_text_shows_each_file_its_problems_and_a_summary(plain: Plain) -> None:
    lines = _lines(plain, render_text([GOOD, BAD, MISSING]))
    assert lines[0] == "valid    good.json  (kind identity: given with --kind)"
    assert lines[1] == ("invalid  bad.json  (kind identity: guessed, from the content; "
                        "use --kind to choose)")
    assert lines[2] == ("bad.json:4:16: Statement[0].Effect: `Alow` is not Allow or Deny  "
                        "[invalid-effect]")
    assert lines[3] == '    4 |     {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}'
    assert lines[4] == "      |                ^"
    assert lines[4].index("^") == lines[3].index('"Alow"')
    assert lines[5] == "invalid  gone.json  (kind unknown: not guessed: unreadable)"
    assert lines[6] == ("gone.json: cannot read the file: No such file or directory  "
                        "[unreadable]")
    assert lines[-1] == "3 files: 1 valid, 2 invalid"


def test_text_summary_of_one_file_is_singular(plain: Plain) -> None:
    assert _lines(plain, render_text([GOOD]))[-1] == "1 file: 1 valid, 0 invalid"


def test_a_problem_without_source_text_has_no_excerpt(plain: Plain) -> None:
    lines = _lines(plain, render_problem(EFFECT, None))
    assert lines == ["bad.json:4:16: Statement[0].Effect: `Alow` is not Allow or Deny  "
                     "[invalid-effect]"]


def test_a_problem_without_a_column_points_at_the_start_of_its_line(plain: Plain) -> None:
    problem = Problem("invalid-value", "m", line=2, source="f.json")
    lines = _lines(plain, render_problem(problem, "first\nsecond\n"))
    assert lines == ["f.json:2:1: m  [invalid-value]", "    2 | second", "      | ^"]


def test_long_source_lines_are_clipped() -> None:
    text = '{"Sid": "' + "x" * 500 + '"}'
    problem = Problem("invalid-value", "m", line=1, column=3, source="f.json")
    excerpt_line = render_problem(problem, text).plain.splitlines()[1]
    assert excerpt_line == "    1 | " + text[:200] + "…"


@pytest.mark.parametrize(("text", "line", "column", "expected"), [
    ("ab\ncd\n", 2, 2, ("cd", " ^")),
    ("ab\ncd\n", 1, None, ("ab", "^")),
    ("ab\n", 1, 99, ("ab", "  ^")),  # past the end: caret just after the last character
    ("\tx = 1", 1, 2, ("    x = 1", "    ^")),  # a tab is four columns wide
    ("日本 x", 1, 4, ("日本 x", "     ^")),  # wide characters take two cells each
])
def test_source_excerpt_puts_the_caret_under_the_column(
        text: str, line: int, column: int | None, expected: tuple[str, str]) -> None:
    assert source_excerpt(text, line, column) == expected


@pytest.mark.parametrize("line", [0, 3, -1])
def test_source_excerpt_of_a_line_outside_the_text_is_none(line: int) -> None:
    assert source_excerpt("a\nb\n", line, 1) is None

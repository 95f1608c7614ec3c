"""`formatters.decision_text`: the explanation tree and the summary table."""

from __future__ import annotations

from collections.abc import Callable

from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.formatters import decision_text

Plain = Callable[[object], str]
JOHN = "arn:aws:iam::111122223333:user/john"


def _lines(plain: Plain, renderable: object) -> list[str]:
    return [line.rstrip() for line in plain(renderable).splitlines()]


def test_tree_heads_with_title_request_and_verdict(
        results: dict[str, EvaluationResult], plain: Plain) -> None:
    result = results["allowed"]
    lines = _lines(plain, decision_text.render(result, title="case.json"))
    assert lines[0] == "case.json"
    assert lines[1] == f"{JOHN} → s3:GetObject on arn:aws:s3:::mybucket/notes.txt"
    assert lines[2] == f"allowed  decided by identity: {result.verdict.reason}"


def test_tree_without_title_starts_with_the_request(
        results: dict[str, EvaluationResult], plain: Plain) -> None:
    lines = _lines(plain, decision_text.render(results["implicitDeny"]))
    assert lines[0] == f"{JOHN} → s3:PutObject on arn:aws:s3:::mybucket/notes.txt"
    assert lines[1].startswith("implicitDeny  decided by ")


def test_tree_marks_the_deciding_statement_and_says_why_others_miss(
        results: dict[str, EvaluationResult], plain: Plain) -> None:
    lines = _lines(plain, decision_text.render(results["allowed"]))
    assert lines[2:] == [
        "├── identity read",
        "│   └── ✔ Allow Read  applies  ← decides",
        "└── identity guard",
        "    └── ✘ Deny NoPhotos  resource: `arn:aws:s3:::mybucket/notes.txt` is not matched "
        "by Resource [`arn:aws:s3:::mybucket/*.jpg`]",
    ]


def test_tree_of_an_explicit_deny_marks_the_deny(
        results: dict[str, EvaluationResult], plain: Plain) -> None:
    lines = _lines(plain, decision_text.render(results["explicitDeny"]))
    assert lines[1].startswith("explicitDeny  decided by explicit-deny: ")
    assert "│   └── ✔ Allow Read  applies" in lines
    assert "    └── ✔ Deny NoPhotos  applies  ← decides" in lines
    assert sum("← decides" in line for line in lines) == 1


def test_table_has_one_row_per_result(results: dict[str, EvaluationResult],
                                      plain: Plain) -> None:
    rows = [("a.json", results["allowed"]), ("b.json", results["explicitDeny"])]
    lines = _lines(plain, decision_text.render_table(rows))
    assert lines[0].strip() == "simulation"
    header = next(line for line in lines if "principal" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "case", "principal", "action", "resource", "decision", "decided by"]
    body = [[cell.strip() for cell in line.strip("│").split("│")]
            for line in lines if line.startswith("│")]
    assert body == [
        ["a.json", JOHN, "s3:GetObject", "arn:aws:s3:::mybucket/notes.txt", "allowed",
         "identity"],
        ["b.json", JOHN, "s3:GetObject", "arn:aws:s3:::mybucket/photo.jpg", "explicitDeny",
         "explicit-deny"],
    ]


def test_every_decision_has_a_style() -> None:
    from policy_engine.engine.result import Decision

    assert set(decision_text.DECISION_STYLE) == set(Decision)

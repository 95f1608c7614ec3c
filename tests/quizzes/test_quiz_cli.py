"""`policy-engine quiz` without a terminal: answers from a file or standard input, JSON
results whose decision answers `policy-engine simulate` recomputes from the case shown."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from policy_engine.case import parse_case_value
from policy_engine.cli.app import main
from policy_engine.engine.evaluate import evaluate
from quizzes.model import DECISION_OPTIONS


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out, err


def test_json_results_hold_every_question_and_recomputable_cases(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "quiz", "--topic", "evaluation-same-account",
                       "--count", "6", "--seed", "7", "--format", "json",
                       stdin="A\nB\nC\nskip\nA\nB\n")
    assert code == 0
    data = json.loads(out)
    assert data["seed"] == 7 and len(data["questions"]) == 6
    assert data["score"]["total"] == 6
    assert [q["given"] for q in data["questions"]] == [["A"], ["B"], ["C"], None, ["A"], ["B"]]
    decisions = [q for q in data["questions"] if q["kind"] == "decision"]
    assert decisions, "the topic has decision questions"
    for question in decisions:
        case = parse_case_value(question["case"])
        decision = evaluate(case.request, case.policies).decision
        assert DECISION_OPTIONS[question["correct"][0]] is decision
        assert question["right"] == (question["given"] == question["correct"])
        assert set(question["explanation"]) == {"A", "B", "C"}


def test_the_same_seed_replays_the_same_quiz(capsys, monkeypatch) -> None:
    first = json.loads(run(capsys, monkeypatch, "quiz", "--seed", "11", "--count", "5",
                           "--format", "json", stdin="A\n" * 5)[1])
    again = json.loads(run(capsys, monkeypatch, "quiz", "--seed", "11", "--count", "5",
                           "--format", "json", stdin="A\n" * 5)[1])
    other = json.loads(run(capsys, monkeypatch, "quiz", "--seed", "12", "--count", "5",
                           "--format", "json", stdin="A\n" * 5)[1])
    ids = [q["id"] for q in first["questions"]]
    assert ids == [q["id"] for q in again["questions"]]
    assert ids != [q["id"] for q in other["questions"]]


def test_an_answers_file_and_no_partial_credit(capsys, monkeypatch, tmp_path: Path) -> None:
    # The first seed whose 40 questions include a multiple-answer one (the pool grows
    # with every scenario's questions, so no single seed is pinned).
    for seed in range(5, 25):
        code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", str(seed), "--count", "40",
                           "--format", "json", stdin="A\n" * 40)
        multiple = [q for q in json.loads(out)["questions"] if len(q["correct"]) > 1]
        if multiple:
            break
    assert multiple, "40 questions include a multiple-answer one"
    target = multiple[0]
    index = [q["id"] for q in json.loads(out)["questions"]].index(target["id"])
    lines = ["skip"] * 40
    lines[index] = target["correct"][0]  # one of the right letters only
    answers = tmp_path / "answers.txt"
    answers.write_text("# my answers\n" + "\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", str(seed), "--count", "40",
                       "--answers", str(answers), "--format", "json")
    assert code == 0
    graded = json.loads(out)["questions"][index]
    assert graded["given"] == [target["correct"][0]] and graded["right"] is False


def test_a_mock_exam_has_the_official_count_and_unanswered_count_wrong(capsys,
                                                                       monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "quiz", "--exam", "saa-c03", "--seed", "3",
                       "--format", "json", stdin="A\nB\n")
    assert code == 0
    data = json.loads(out)
    assert data["exam"]["code"] == "SAA-C03" and data["exam"]["questions"] == 65
    assert data["exam"]["minutes"] == 130 and data["exam"]["passing"] == 720
    assert len(data["questions"]) == 65 and data["score"]["total"] == 65
    assert all(q["given"] is None and not q["right"] for q in data["questions"][2:])
    assert data["exam"]["passed"] is False
    assert 100 <= data["exam"]["scaled_estimate"] <= 1000


def test_text_practice_explains_each_answer(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", "2", "--count", "2",
                       stdin="A\nB\n")
    assert code == 0
    assert "Question 1/2" in out and "Question 2/2" in out
    assert "Answer:" in out and "Score:" in out


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("--topic", "astrology"), "", "is not a topic"),
    (("--exam", "XYZ-C01"), "", "is not an exam"),
    (("--domain", "saa-c03:nothing"), "", "is not a domain"),
    (("--difficulty", "brutal"), "", "is not a difficulty"),
    ((), "A\nmaybe\n", "<stdin>:2:1: `maybe` is not an answer"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, monkeypatch, args, stdin, message) -> None:
    code, _, err = run(capsys, monkeypatch, "quiz", "--count", "3", *args, stdin=stdin)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_answers_file_with_a_bad_line_names_file_and_line(capsys, monkeypatch,
                                                             tmp_path: Path) -> None:
    answers = tmp_path / "a.txt"
    answers.write_text("A\nB,Z\n", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "quiz", "--answers", str(answers))
    assert code == 2 and f"{answers}:2:1" in err


def test_an_answer_naming_no_option_is_refused_not_graded(capsys, monkeypatch, tmp_path: Path,
                                                         quiz_db: Path) -> None:
    """A scripted answer out of step with the questions (a letter the question lacks) is
    one line naming the answers file and line, exit 2; the answers before it are kept."""
    answers = tmp_path / "a.txt"
    answers.write_text("A\nH\nA\n", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "quiz", "--count", "3", "--seed", "4",
                       "--answers", str(answers))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{answers}:2:1" in err and "`H` is not an option of question 2" in err
    from quizzes.progress import ProgressStore

    with ProgressStore(quiz_db) as store:
        assert len(store.answers()) == 1

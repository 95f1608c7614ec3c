"""Kept generated questions (progress schema v3) from outside: `quiz import` reads a
question it will ask in review, so one that is not a decision question with its own
inline case, under the id it is kept under, is one located line and exit 2, with
nothing imported; a damaged row already in the database is left out of review (its
note counts it), never a crash (shared/STYLE.md: bad input is one clear line, exit 2)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from policy_engine.cli.app import main
from quizzes.generator import generate
from quizzes.progress import ProgressStore


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out, err


def _generated() -> dict[str, Any]:
    [made] = generate(5, 1)
    return json.loads(made.question.model_dump_json())


def _export(question_id: str, question: object) -> dict[str, Any]:
    return {"format": "policy-engine-quiz-progress", "version": 1, "sessions": [],
            "answers": [], "cards": [],
            "questions": [{"question_id": question_id, "question": question}]}


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda q: {k: v for k, v in q.items() if k != key}


BROKEN: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("not-a-question", lambda q: {"foo": 1}, "questions[0].question"),
    ("a-choice-question", lambda q: {**q, "kind": "single"}, "questions[0].question.kind"),
    ("another-id", lambda q: {**q, "id": "gen-someone-else"}, "kept under"),
    ("a-broken-case", lambda q: {**q, "case": {"request": {}}},
     "questions[0].question.case.request"),
    ("no-case", _without("case"), "carries its case inline"),
    ("an-ask-instead", lambda q: {**_without("case")(q), "ask": "user/a s3:GetObject *"},
     "carries its case inline"),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in BROKEN],
                         ids=[name for name, _, _ in BROKEN])
def test_an_import_with_a_question_review_cannot_ask_is_refused(
        capsys, monkeypatch, tmp_path: Path, quiz_db: Path,  # type: ignore[no-untyped-def]
        change: Callable[[dict[str, Any]], object], message: str) -> None:
    question = _generated()
    exported = tmp_path / "progress.json"
    exported.write_text(json.dumps(_export(question["id"], change(question))),
                        encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "quiz", "import", str(exported))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert str(exported) in err and message in err
    with ProgressStore(quiz_db) as store:
        assert store.kept_questions() == {}


def test_a_sound_kept_question_imports(capsys, monkeypatch, tmp_path: Path,  # type: ignore[no-untyped-def]
                                       quiz_db: Path) -> None:
    question = _generated()
    exported = tmp_path / "progress.json"
    exported.write_text(json.dumps(_export(question["id"], question)), encoding="utf-8")
    assert run(capsys, monkeypatch, "quiz", "import", str(exported))[0] == 0
    with ProgressStore(quiz_db) as store:
        assert set(store.kept_questions()) == {question["id"]}


def test_a_damaged_kept_row_is_left_out_of_review(capsys, monkeypatch,  # type: ignore[no-untyped-def]
                                                   quiz_db: Path) -> None:
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", "8", "--count", "40",
                       "--topic", "evaluation-same-account", "--format", "json",
                       stdin="skip\n" * 40)
    asked = json.loads(out)["questions"]
    generated = sorted(q["id"] for q in asked if q["id"].startswith("gen-"))
    assert code == 0 and generated
    db = sqlite3.connect(quiz_db)
    db.execute("UPDATE kept_questions SET question = ? WHERE question_id = ?",
               (json.dumps({"id": generated[0]}), generated[0]))
    db.commit()
    db.close()
    later = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr("quizzes.progress.now_utc", lambda: later)
    monkeypatch.setattr("quizzes.review.now_utc", lambda: later)
    code, out, err = run(capsys, monkeypatch, "quiz", "--review", "--count", "100",
                         "--format", "json", stdin="A\n" * 100)
    assert code == 0, err
    reviewed = {q["id"] for q in json.loads(out)["questions"]}
    assert generated[0] not in reviewed and set(generated[1:]) <= reviewed

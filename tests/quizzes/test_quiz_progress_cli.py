"""The quiz command and its saved progress: every answer saved as it is given, a quiz
killed mid-exam (SIGKILL) keeping what was answered, spaced-repetition review of due
cards, stats on a fresh directory, export/import, reset, and a corrupt database."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import signal
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from policy_engine.cli.app import main
from quizzes.progress import ProgressStore
from tests.quizzes.test_quiz_terminal import ANSI, _read_until


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out, err


def test_each_answer_is_saved_with_its_card(capsys, monkeypatch, quiz_db: Path) -> None:
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", "9", "--count", "4",
                       "--format", "json", stdin="A\nB\nskip\nA\n")
    assert code == 0
    asked = json.loads(out)["questions"]
    with ProgressStore(quiz_db) as store:
        answers, cards, sessions = store.answers(), store.cards(), store.sessions()
    assert [a.question_id for a in answers] == [q["id"] for q in asked]
    assert [a.right for a in answers] == [q["right"] for q in asked]
    assert {c.question_id for c in cards} == {q["id"] for q in asked}
    assert len(sessions) == 1 and sessions[0].finished_at is not None


def test_review_asks_the_due_cards(capsys, monkeypatch, quiz_db: Path) -> None:
    """A wrong answer is rated Again: its card is due again within minutes (fsrs's
    learning steps), so a review a day later asks it; a fresh database has none due."""
    code, out, _ = run(capsys, monkeypatch, "quiz", "--review", stdin="")
    assert code == 0 and "No cards are due" in out
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", "21", "--count", "3",
                       "--topic", "kms-keys", "--format", "json", stdin="skip\nskip\nskip\n")
    missed = {q["id"] for q in json.loads(out)["questions"]}
    later = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr("quizzes.progress.now_utc", lambda: later)
    monkeypatch.setattr("quizzes.review.now_utc", lambda: later)
    code, out, _ = run(capsys, monkeypatch, "quiz", "--review", "--format", "json",
                       stdin="A\nA\nA\n")
    assert code == 0
    reviewed = json.loads(out)
    assert reviewed["mode"] == "review"
    assert {q["id"] for q in reviewed["questions"]} == missed


def test_generated_questions_are_kept_and_reviewed(capsys, monkeypatch, quiz_db: Path,
                                                   tmp_path: Path) -> None:
    """A generated question exists only in the quiz that drew it: its card keeps the
    question (with its case), so a review asks the very same question, answered again by
    the engine, and an export carries it to another database."""
    code, out, _ = run(capsys, monkeypatch, "quiz", "--seed", "8", "--count", "40",
                       "--topic", "evaluation-same-account", "--format", "json",
                       stdin="skip\n" * 40)
    asked = json.loads(out)["questions"]
    generated = {q["id"]: q for q in asked if q["id"].startswith("gen-")}
    assert generated, "the topic draws generated questions"
    later = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr("quizzes.progress.now_utc", lambda: later)
    monkeypatch.setattr("quizzes.review.now_utc", lambda: later)
    code, out, _ = run(capsys, monkeypatch, "quiz", "--review", "--count", "100",
                       "--format", "json", stdin="A\n" * 100)
    assert code == 0
    reviewed = {q["id"]: q for q in json.loads(out)["questions"]}
    assert set(generated) <= set(reviewed)
    for question_id, first in generated.items():
        assert reviewed[question_id]["case"] == first["case"]
        assert reviewed[question_id]["correct"] == first["correct"]
    exported = tmp_path / "progress.json"
    assert run(capsys, monkeypatch, "quiz", "export", "-o", str(exported))[0] == 0
    kept = {q["question_id"] for q in json.loads(exported.read_text())["questions"]}
    assert kept == set(generated)
    other = tmp_path / "other.sqlite3"
    assert run(capsys, monkeypatch, "quiz", "import", str(exported), "--db", str(other))[0] == 0
    from quizzes.progress import ProgressStore

    with ProgressStore(other) as store:
        assert set(store.kept_questions()) == set(generated)


def test_stats_on_a_fresh_directory_is_an_empty_report(tmp_path: Path) -> None:
    env = dict(os.environ, POLICY_ENGINE_QUIZ_DB=str(tmp_path / "fresh" / "q.sqlite3"))
    done = subprocess.run(["policy-engine", "quiz", "stats"], env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "No quiz answers saved yet" in done.stdout


def test_stats_after_a_quiz(capsys, monkeypatch) -> None:
    run(capsys, monkeypatch, "quiz", "--seed", "3", "--count", "5", stdin="A\n" * 5)
    code, out, _ = run(capsys, monkeypatch, "quiz", "stats")
    assert code == 0 and "5 answers" in out and "by domain" in out and "by day" in out


def test_export_import_round_trip_and_reset(capsys, monkeypatch, tmp_path: Path) -> None:
    run(capsys, monkeypatch, "quiz", "--seed", "4", "--count", "3", stdin="A\nB\nC\n")
    exported = tmp_path / "progress.json"
    assert run(capsys, monkeypatch, "quiz", "export", "-o", str(exported))[0] == 0
    other = tmp_path / "other.sqlite3"
    code, out, _ = run(capsys, monkeypatch, "quiz", "import", str(exported), "--db",
                       str(other))
    assert code == 0 and "3 answers" in out
    code, out, _ = run(capsys, monkeypatch, "quiz", "import", str(exported), "--db",
                       str(other))
    assert "0 answers" in out  # importing twice adds nothing
    code, _, err = run(capsys, monkeypatch, "quiz", "reset", "--db", str(other))
    assert code == 2 and "--yes" in err  # not a terminal: it will not ask, so it refuses
    assert run(capsys, monkeypatch, "quiz", "reset", "--yes", "--db", str(other))[0] == 0
    with ProgressStore(other) as store:
        assert store.answers() == []


def test_a_corrupt_database_is_set_aside_with_one_line(capsys, monkeypatch,
                                                       quiz_db: Path) -> None:
    quiz_db.write_bytes(b"this is not a database" * 100)
    code, _, err = run(capsys, monkeypatch, "quiz", "stats")
    assert code == 2 and len(err.strip().splitlines()) == 1
    backups = list(quiz_db.parent.glob("quiz.sqlite3.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b"this is not")


def test_a_quiz_killed_mid_exam_keeps_the_answers_given(quiz_db: Path) -> None:
    primary, secondary = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="50", TERM="xterm",
               POLICY_ENGINE_QUIZ_DB=str(quiz_db))
    process = subprocess.Popen(["policy-engine", "quiz", "--exam", "SAA-C03", "--seed", "8"],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=env,
                               close_fds=True)
    os.close(secondary)
    seen: list[str] = []
    try:
        for number in range(1, 4):
            _read_until(primary, f"Question {number}/65", seen)
            _read_until(primary, "answer (", seen)
            os.write(primary, b"b\r")
        _read_until(primary, "Question 4/65", seen)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert "Score:" not in ANSI.sub("", "".join(seen))
    with sqlite3.connect(quiz_db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ProgressStore(quiz_db) as store:
        answers = store.answers()
        sessions = store.sessions()
    assert len(answers) == 3 and all(a.given == ("B",) for a in answers)
    assert len(sessions) == 1 and sessions[0].finished_at is None
    assert re.search(r"\d+:\d\d left", ANSI.sub("", "".join(seen)))

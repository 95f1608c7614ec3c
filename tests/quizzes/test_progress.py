"""Quiz progress in SQLite: where the file lives, migrations, one transaction per answer,
surviving SIGKILL, setting a corrupt file aside, export and import, reset."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizzes import progress
from quizzes.progress import (
    DB_ENV,
    MIGRATIONS,
    SCHEMA_VERSION,
    Answer,
    CardRow,
    CorruptProgressError,
    ImportSummary,
    ProgressError,
    ProgressStore,
    db_path,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANSWER = Answer("decide-identity-allow-same-account", "evaluation-same-account",
                ("scs-c02:iam", "saa-c03:secure"), ("A",), ("A",), 12.5)


def _answer(n: int, right: bool = True) -> Answer:
    return Answer(f"q-{n}", "kms-keys", ("scs-c02:data-protection",),
                  ("A",) if right else ("B",), ("A",), float(n))


def test_the_path_is_explicit_then_environment_then_user_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress.platformdirs, "user_data_dir",
                        lambda app: str(tmp_path / "data" / app))
    monkeypatch.delenv(DB_ENV, raising=False)
    assert db_path() == tmp_path / "data" / "policy-engine" / "quiz.sqlite3"
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.sqlite3"))
    assert db_path() == tmp_path / "env.sqlite3"
    assert db_path(tmp_path / "mine.db") == tmp_path / "mine.db"
    with ProgressStore() as store:
        assert store.path == tmp_path / "env.sqlite3"
    assert (tmp_path / "env.sqlite3").is_file()


def test_a_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    with ProgressStore(tmp_path / "sub" / "q.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS) >= 2
    db = sqlite3.connect(tmp_path / "sub" / "q.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "answers", "cards"} <= tables


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sessions (uid, mode, seed, started_at) "
               "VALUES ('s1', 'practice', '7', '2026-11-30T10:00:00.000000+00:00')")
    db.execute("INSERT INTO answers (uid, session_id, question_id, topic, domains, given, "
               "correct, right, answered_at) VALUES ('a1', 1, 'q-1', 'sts', "
               "'[\"scs-c02:iam\"]', '[\"A\"]', '[\"A\"]', 1, "
               "'2026-11-30T10:01:00.000000+00:00')")
    db.commit()
    db.close()
    with ProgressStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        [answer] = store.answers()
        assert (answer.uid, answer.question_id, answer.right, answer.seconds) == \
            ("a1", "q-1", True, None)
        store.record_answer(1, _answer(2), now=NOW)
        assert store.answers()[-1].seconds == 2.0
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(answers)")]
    assert "seconds" in columns


def test_a_newer_schema_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ProgressError, match="newer than this version") as caught:
        ProgressStore(path)
    assert "\n" not in caught.value.one_line()
    assert path.exists()


def test_every_answer_is_its_own_transaction(tmp_path: Path) -> None:
    with ProgressStore(tmp_path / "q.sqlite3") as store:
        session = store.start_session("practice", seed=42, now=NOW)
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        for n in range(3):
            store.record_answer(session, _answer(n), now=NOW)
        store._db.set_trace_callback(None)
        verbs = [s.split()[0].upper() for s in statements]
        assert verbs == ["BEGIN", "INSERT", "COMMIT"] * 3


def test_an_answer_and_its_card_are_written_together_or_not_at_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ProgressStore(tmp_path / "q.sqlite3") as store:
        session = store.start_session("review", now=NOW)
        store.record_answer(session, _answer(1), now=NOW)

        def broken(db: sqlite3.Connection, card: CardRow) -> None:
            raise RuntimeError("disk gone")

        monkeypatch.setattr(progress, "_put_card", broken)
        with pytest.raises(RuntimeError):
            store.record_answer(session, _answer(2), card=CardRow("q-2", "{}", NOW), now=NOW)
        assert [a.question_id for a in store.answers()] == ["q-1"]


_ANSWER_LOOP = textwrap.dedent("""
    import sys
    from quizzes.progress import Answer, ProgressStore
    store = ProgressStore(sys.argv[1])
    session = store.start_session("exam", exam="SAA-C03")
    n = 0
    while True:
        store.record_answer(session, Answer(f"q-{n}", "sts", ("saa-c03:secure",), ("A",),
                                            ("A",), 1.0))
        print(n, flush=True)  # printed only once the answer is committed
        n += 1
""")


def test_a_quiz_killed_with_sigkill_keeps_every_committed_answer(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", _ANSWER_LOOP, str(path)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    committed = -1
    for line in child.stdout:
        committed = int(line)
        if committed >= 40:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    kept = {r[0] for r in db.execute("SELECT question_id FROM answers")}
    db.close()
    assert {f"q-{n}" for n in range(committed + 1)} <= kept
    with ProgressStore(path) as store:  # and it opens again, answers intact
        assert len(store.answers()) == len(kept)


def test_a_file_that_is_not_sqlite_is_moved_aside_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "quiz.sqlite3"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(CorruptProgressError) as caught:
        ProgressStore(path)
    line = caught.value.one_line()
    assert "\n" not in line and "not an SQLite database" in line
    [backup] = tmp_path.glob("quiz.sqlite3.corrupt-*")
    assert backup.name[len("quiz.sqlite3.corrupt-"):].replace("T", "").isdigit()
    assert backup.read_text() == "these are my notes, not a database\n"
    assert str(backup) in line
    assert not path.exists()
    with ProgressStore(path) as store:  # a fresh database takes its place
        assert store.answers() == []


def test_a_damaged_sqlite_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "quiz.sqlite3"
    with ProgressStore(path) as store:
        session = store.start_session("practice", now=NOW)
        for n in range(50):
            store.record_answer(session, _answer(n), now=NOW)
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    data[100:len(data)] = b"\xff" * (len(data) - 100)  # keep the header, wreck the pages
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptProgressError, match="integrity check"):
        ProgressStore(path)
    [backup] = tmp_path.glob("quiz.sqlite3.corrupt-????????T??????")
    assert backup.stat().st_size == len(data)  # the damaged file is kept as it was
    assert not path.exists()
    path.write_text("again")
    with pytest.raises(CorruptProgressError):
        ProgressStore(path)
    assert len(list(tmp_path.glob("quiz.sqlite3.corrupt-*[0-9]"))) == 2  # none overwritten


def _filled(path: Path) -> ProgressStore:
    store = ProgressStore(path)
    session = store.start_session("practice", seed=7, now=NOW)
    for n in range(3):
        store.record_answer(session, _answer(n, right=n != 1), now=NOW + timedelta(minutes=n))
    store.put_card(CardRow("q-0", json.dumps({
        "card_id": 1, "state": 2, "step": None, "stability": 3.1, "difficulty": 5.0,
        "due": "2026-12-04T09:00:00+00:00", "last_review": "2026-12-01T09:00:00+00:00"}),
        datetime(2026, 12, 4, 9, tzinfo=UTC)))
    store.finish_session(session, now=NOW + timedelta(minutes=5))
    return store


def test_export_import_round_trip_is_idempotent(tmp_path: Path) -> None:
    with _filled(tmp_path / "a.sqlite3") as source:
        exported = source.export()
    text = json.dumps(exported)
    assert exported["format"] == "policy-engine-quiz-progress" and exported["version"] == 1
    with ProgressStore(tmp_path / "b.sqlite3") as target:
        assert target.import_(text) == ImportSummary(1, 3, 1)
        assert target.export() == exported
        assert target.import_(json.loads(text)) == ImportSummary(0, 0, 0)
        assert target.export() == exported
        own = target.start_session("exam", exam="SCS-C02", now=NOW)
        target.record_answer(own, ANSWER, now=NOW)
        assert len(target.export()["answers"]) == 4  # merged, not replaced


@pytest.mark.parametrize(("change", "where"), [
    (lambda e: e.update(version=2), "version"),
    (lambda e: e["answers"][1].update(right="yes"), "answers[1].right"),
    (lambda e: e["sessions"][0].update(mode="marathon"), "sessions[0].mode"),
    (lambda e: e["answers"][0].update(session="nope"), "answers[0].session"),
    (lambda e: e["cards"][0].update(card={"x": 1}), "cards[0].card"),
    (lambda e: e.update(extra=1), "extra"),
])
def test_an_invalid_export_is_refused_with_a_located_line(tmp_path: Path, change, where) -> None:
    with _filled(tmp_path / "a.sqlite3") as source:
        exported = source.export()
    change(exported)
    with ProgressStore(tmp_path / "b.sqlite3") as target:
        with pytest.raises(ProgressError) as caught:
            target.import_(exported, source="progress.json")
        line = caught.value.one_line()
        assert line.startswith(f"progress.json: {where}"), line
        assert "\n" not in line
        assert target.answers() == []  # nothing half-imported


def test_import_of_text_that_is_not_json(tmp_path: Path) -> None:
    with (ProgressStore(tmp_path / "b.sqlite3") as target,
          pytest.raises(ProgressError, match=r"progress.json:1:\d+: not JSON")):
        target.import_("{oops", source="progress.json")


def test_reset_deletes_everything(tmp_path: Path) -> None:
    with _filled(tmp_path / "a.sqlite3") as store:
        store.reset()
        assert (store.sessions(), store.answers(), store.cards()) == ([], [], [])

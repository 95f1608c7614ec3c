"""Quiz progress in one SQLite file: sessions, answers and spaced-repetition cards.

Where: an explicit path, else `$POLICY_ENGINE_QUIZ_DB`, else
`platformdirs.user_data_dir("policy-engine")/quiz.sqlite3`.

Durability: WAL journal, and every answer is its own transaction (written with the card it
moves), so a quiz killed at any moment loses at most the question on screen. The schema
version is SQLite's `PRAGMA user_version`; `MIGRATIONS` is the ordered list of steps, each
applied in one transaction with the version it reaches. A file that is not SQLite or
fails `PRAGMA integrity_check` is moved aside to `NAME.corrupt-YYYYMMDDTHHMMSS` (never
deleted) and reported in one line.

Export is a versioned JSON object; import merges it (rows are keyed by their `uid`, so
importing the same file twice adds nothing) after validating it with located errors.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.pydantic_errors import problems_from_validation_error

DB_ENV = "POLICY_ENGINE_QUIZ_DB"
DB_NAME = "quiz.sqlite3"
EXPORT_FORMAT = "policy-engine-quiz-progress"
EXPORT_VERSION = 1
Mode = Literal["practice", "exam", "review"]
SQLITE_MAGIC = b"SQLite format 3\x00"

# Each step takes the schema from version i to i + 1. Never edit a released step; add one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # v1: sessions, answers, cards
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            mode TEXT NOT NULL CHECK (mode IN ('practice', 'exam', 'review')),
            seed TEXT,
            exam TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT)""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            domains TEXT NOT NULL,
            given TEXT NOT NULL,
            correct TEXT NOT NULL,
            right INTEGER NOT NULL CHECK (right IN (0, 1)),
            answered_at TEXT NOT NULL)""",
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            due TEXT NOT NULL)""",
    ),
    (  # v2: the time an answer took, and the indexes stats and review read by
        "ALTER TABLE answers ADD COLUMN seconds REAL",
        "CREATE INDEX answers_by_time ON answers (answered_at)",
        "CREATE INDEX cards_by_due ON cards (due)",
    ),
    (  # v3: generated questions are not in any bank; their card needs them kept to review
        """CREATE TABLE kept_questions (
            question_id TEXT PRIMARY KEY,
            question TEXT NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class ProgressError(PolicyEngineError):
    """The progress database or a progress export cannot be used."""


class CorruptProgressError(ProgressError):
    """The database file is damaged; it has been moved aside."""


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("policy-engine")) / DB_NAME


def db_path(explicit: str | Path | None = None) -> Path:
    """The explicit path, else the environment variable, else the user data directory."""
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(DB_ENV)
    return Path(from_env) if from_env else default_db_path()


def now_utc() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answered (or skipped) question, as the runner reports it."""

    question_id: str
    topic: str
    domains: tuple[str, ...]
    given: tuple[str, ...]  # letters; empty when skipped or unanswered
    correct: tuple[str, ...]
    seconds: float | None = None

    @property
    def right(self) -> bool:
        return bool(self.given) and sorted(self.given) == sorted(self.correct)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    uid: str
    session_id: int
    question_id: str
    topic: str
    domains: tuple[str, ...]
    given: tuple[str, ...]
    correct: tuple[str, ...]
    right: bool
    seconds: float | None
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    uid: str
    mode: str
    seed: str | None
    exam: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class CardRow:
    question_id: str
    state: str  # the fsrs card, `Card.to_json()`
    due: datetime


@dataclass(frozen=True, slots=True)
class ImportSummary:
    sessions: int
    answers: int
    cards: int


class ProgressStore:
    """One open progress database. Use as a context manager, or call `close()`."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = db_path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _open_checked(self.path)
        migrate(self._db, self.path)

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed as a whole or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------ writing

    def start_session(self, mode: Mode, *, seed: int | str | None = None,
                      exam: str | None = None, now: datetime | None = None) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO sessions (uid, mode, seed, exam, started_at) VALUES (?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, mode, None if seed is None else str(seed), exam,
                 _stamp(now or now_utc())))
            return int(cursor.lastrowid or 0)

    def finish_session(self, session_id: int, *, now: datetime | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sessions SET finished_at = ? WHERE id = ?",
                       (_stamp(now or now_utc()), session_id))

    def record_answer(self, session_id: int, answer: Answer, *, card: CardRow | None = None,
                      now: datetime | None = None, keep: str | None = None) -> str:
        """Write one answer (and the card it moved) in its own transaction; its uid.
        `keep`: the question itself (JSON), for a question no bank holds."""
        uid = uuid.uuid4().hex
        with self.transaction() as db:
            db.execute(
                "INSERT INTO answers (uid, session_id, question_id, topic, domains, given, "
                "correct, right, seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uid, session_id, answer.question_id, answer.topic,
                 json.dumps(list(answer.domains)), json.dumps(list(answer.given)),
                 json.dumps(list(answer.correct)), int(answer.right), answer.seconds,
                 _stamp(now or now_utc())))
            if card is not None:
                _put_card(db, card)
            if keep is not None:
                _keep(db, answer.question_id, keep)
        return uid

    def put_card(self, card: CardRow) -> None:
        with self.transaction() as db:
            _put_card(db, card)

    def reset(self) -> None:
        """Delete every session, answer and card (the CLI asks first)."""
        with self.transaction() as db:
            for table in ("answers", "cards", "kept_questions", "sessions"):
                db.execute(f"DELETE FROM {table}")  # fixed table names, never input

    # ------------------------------------------------------------ reading

    def sessions(self) -> list[SessionRow]:
        rows = self._db.execute("SELECT id, uid, mode, seed, exam, started_at, finished_at "
                                "FROM sessions ORDER BY id")
        return [SessionRow(i, uid, mode, seed, exam, datetime.fromisoformat(start),
                           None if end is None else datetime.fromisoformat(end))
                for i, uid, mode, seed, exam, start, end in rows]

    def answers(self) -> list[AnswerRow]:
        rows = self._db.execute(
            "SELECT uid, session_id, question_id, topic, domains, given, correct, right, "
            "seconds, answered_at FROM answers ORDER BY answered_at, id")
        return [AnswerRow(uid, session, qid, topic, tuple(json.loads(domains)),
                          tuple(json.loads(given)), tuple(json.loads(correct)), bool(right),
                          seconds, datetime.fromisoformat(at))
                for uid, session, qid, topic, domains, given, correct, right, seconds, at
                in rows]

    def cards(self) -> list[CardRow]:
        rows = self._db.execute("SELECT question_id, state, due FROM cards ORDER BY due, "
                                "question_id")
        return [CardRow(qid, state, datetime.fromisoformat(due)) for qid, state, due in rows]

    def card(self, question_id: str) -> CardRow | None:
        row = self._db.execute("SELECT question_id, state, due FROM cards WHERE question_id = ?",
                               (question_id,)).fetchone()
        return None if row is None else CardRow(row[0], row[1], datetime.fromisoformat(row[2]))

    def kept_questions(self) -> dict[str, str]:
        """Question id -> the question's JSON, for the questions kept with their cards."""
        return dict(self._db.execute("SELECT question_id, question FROM kept_questions"))

    def due_cards(self, now: datetime) -> list[CardRow]:
        rows = self._db.execute("SELECT question_id, state, due FROM cards WHERE due <= ? "
                                "ORDER BY due, question_id", (_stamp(now),))
        return [CardRow(qid, state, datetime.fromisoformat(due)) for qid, state, due in rows]

    # ------------------------------------------------------------ export / import

    def export(self) -> dict[str, Any]:
        uids = {s.id: s.uid for s in self.sessions()}
        return {
            "format": EXPORT_FORMAT, "version": EXPORT_VERSION,
            "sessions": [{"uid": s.uid, "mode": s.mode, "seed": s.seed, "exam": s.exam,
                          "started_at": s.started_at.isoformat(),
                          "finished_at": s.finished_at and s.finished_at.isoformat()}
                         for s in self.sessions()],
            "answers": [{"uid": a.uid, "session": uids[a.session_id],
                         "question_id": a.question_id, "topic": a.topic,
                         "domains": list(a.domains), "given": list(a.given),
                         "correct": list(a.correct), "right": a.right, "seconds": a.seconds,
                         "answered_at": a.answered_at.isoformat()} for a in self.answers()],
            "cards": [{"question_id": c.question_id, "card": json.loads(c.state),
                       "due": c.due.isoformat()} for c in self.cards()],
            "questions": [{"question_id": qid, "question": json.loads(text)}
                          for qid, text in sorted(self.kept_questions().items())],
        }

    def import_(self, value: object, *, source: str = "<import>") -> ImportSummary:
        """Merge an export (its JSON text or value) into this database; rows already
        present are left alone, a card is replaced only by one reviewed later. All or
        nothing."""
        export = (parse_export_text(value, source=source) if isinstance(value, str)
                  else parse_export(value, source=source))
        added = [0, 0, 0]
        with self.transaction() as db:
            for s in export.sessions:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO sessions (uid, mode, seed, exam, started_at, "
                    "finished_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (s.uid, s.mode, s.seed, s.exam, _stamp(s.started_at),
                     s.finished_at and _stamp(s.finished_at)))
                added[0] += cursor.rowcount
            ids = dict(db.execute("SELECT uid, id FROM sessions").fetchall())
            for a in export.answers:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO answers (uid, session_id, question_id, topic, "
                    "domains, given, correct, right, seconds, answered_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.uid, ids[a.session], a.question_id, a.topic, json.dumps(a.domains),
                     json.dumps(a.given), json.dumps(a.correct), int(a.right), a.seconds,
                     _stamp(a.answered_at)))
                added[1] += cursor.rowcount
            for c in export.cards:
                if _newer_card(db, c):
                    _put_card(db, CardRow(c.question_id, json.dumps(c.card), c.due))
                    added[2] += 1
            for q in export.questions:
                _keep(db, q.question_id, json.dumps(q.question))
        return ImportSummary(*added)


def _keep(db: sqlite3.Connection, question_id: str, question: str) -> None:
    db.execute("INSERT INTO kept_questions (question_id, question) VALUES (?, ?) "
               "ON CONFLICT (question_id) DO UPDATE SET question = excluded.question",
               (question_id, question))


def _put_card(db: sqlite3.Connection, card: CardRow) -> None:
    db.execute("INSERT INTO cards (question_id, state, due) VALUES (?, ?, ?) "
               "ON CONFLICT (question_id) DO UPDATE SET state = excluded.state, "
               "due = excluded.due", (card.question_id, card.state, _stamp(card.due)))


def _newer_card(db: sqlite3.Connection, card: ExportCard) -> bool:
    row = db.execute("SELECT state FROM cards WHERE question_id = ?",
                     (card.question_id,)).fetchone()
    if row is None:
        return True
    mine = json.loads(row[0]).get("last_review") or ""
    theirs = card.card.get("last_review") or ""
    return bool(theirs) and (not mine or datetime.fromisoformat(theirs)
                             > datetime.fromisoformat(mine))


# ---------------------------------------------------------------- opening and migrating


def _open_checked(path: Path) -> sqlite3.Connection:
    """Connect, refusing (and moving aside) a file that is not a sound SQLite database."""
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                _set_aside(path, "it is not an SQLite database")
    db = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        found = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            raise sqlite3.DatabaseError(found[0] if found else "integrity check failed")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        db.close()
        _set_aside(path, f"it fails the integrity check ({error})")
    return db


def _set_aside(path: Path, why: str) -> None:
    backup = path.with_name(f"{path.name}.corrupt-{now_utc():%Y%m%dT%H%M%S}")
    n = 1
    while backup.exists():  # never overwrite an earlier backup made in the same second
        n += 1
        backup = path.with_name(f"{path.name}.corrupt-{now_utc():%Y%m%dT%H%M%S}-{n}")
    path.replace(backup)
    for suffix in ("-wal", "-shm"):  # the journal belongs to the damaged file
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(backup.with_name(backup.name + suffix))
    raise CorruptProgressError(Problem(
        ProblemCode.UNREADABLE, f"the quiz progress database is damaged: {why}; it was moved "
        f"to `{backup}` and a new one will be started", source=str(path)))


def migrate(db: sqlite3.Connection, path: Path, *, target: int = SCHEMA_VERSION) -> None:
    """Bring the schema up to `target`, one transaction per step."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise ProgressError(Problem(
            ProblemCode.UNKNOWN_VERSION, f"the quiz progress database has schema version "
            f"{version}, newer than this version of policy-engine knows ({SCHEMA_VERSION})",
            source=str(path)))
    for step in range(version, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


# ---------------------------------------------------------------- the export format


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ExportSession(_Closed):
    uid: str = Field(min_length=1)
    mode: Mode
    seed: str | None = None
    exam: str | None = None
    started_at: datetime = Field(strict=False)
    finished_at: datetime | None = Field(default=None, strict=False)


class ExportAnswer(_Closed):
    uid: str = Field(min_length=1)
    session: str
    question_id: str = Field(min_length=1)
    topic: str
    domains: list[str]
    given: list[str]
    correct: list[str]
    right: bool
    seconds: float | None = Field(default=None, ge=0, strict=False)
    answered_at: datetime = Field(strict=False)


class ExportCard(_Closed):
    question_id: str = Field(min_length=1)
    card: dict[str, Any]
    due: datetime = Field(strict=False)


class ExportQuestion(_Closed):
    question_id: str = Field(min_length=1)
    question: dict[str, Any]


class ProgressExport(_Closed):
    format: Literal["policy-engine-quiz-progress"]
    version: Literal[1]
    sessions: list[ExportSession]
    answers: list[ExportAnswer]
    cards: list[ExportCard]
    questions: list[ExportQuestion] = Field(default_factory=list)  # kept generated ones


def parse_export(value: object, *, source: str = "<import>") -> ProgressExport:
    """A progress export, validated: every problem located by its JSON pointer."""
    try:
        export = ProgressExport.model_validate(value)
    except ValidationError as error:
        raise ProgressError(problems_from_validation_error(
            error, value, ProgressExport, source=source)) from None
    known = {s.uid for s in export.sessions}
    for i, answer in enumerate(export.answers):
        if answer.session not in known:
            raise ProgressError(Problem(
                ProblemCode.INVALID_VALUE, f"session `{answer.session}` is not one of the "
                "exported sessions", pointer=f"/answers/{i}/session", source=source))
    for i, card in enumerate(export.cards):
        if not _is_fsrs_card(card.card):
            raise ProgressError(Problem(
                ProblemCode.INVALID_VALUE, "not a spaced-repetition card (fsrs `Card`)",
                pointer=f"/cards/{i}/card", source=source))
    if export.questions:
        _check_kept_questions(export, source)
    return export


def _check_kept_questions(export: ProgressExport, source: str) -> None:
    """Review asks these again: one that cannot be asked is refused here, not there."""
    from quizzes.kept import parse_kept_question  # the engine, only for an import with some

    for i, kept in enumerate(export.questions):
        try:
            parse_kept_question(kept.question, kept.question_id, source=source,
                                pointer=f"/questions/{i}/question")
        except PolicyEngineError as error:
            raise ProgressError(error.problems) from None


def _is_fsrs_card(value: dict[str, Any]) -> bool:
    from fsrs import Card
    try:
        Card.from_dict(value)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return False
    return True


def parse_export_text(text: str, *, source: str = "<import>") -> ProgressExport:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProgressError(Problem(ProblemCode.INVALID_JSON, f"not JSON: {error.msg}",
                                    line=error.lineno, column=error.colno,
                                    source=source)) from None
    return parse_export(value, source=source)

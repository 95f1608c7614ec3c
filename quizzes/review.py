"""Spaced repetition of quiz questions with FSRS (the `fsrs` package: Scheduler, Card,
Rating, `Scheduler.review_card`).

Every answered question is a card keyed by its question id. A right answer rates Good,
or Easy when it came quickly; a wrong (or skipped) answer rates Again. The answer and the
card it moves are written in one transaction (`ProgressStore.record_answer`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from quizzes.progress import Answer, CardRow, ProgressStore, now_utc

# An answer this quick (seconds) is rated Easy: the question no longer needed thought.
FAST_SECONDS = 15.0
# No fuzzing: the same answers on the same days always give the same schedule.
SCHEDULER = Scheduler(enable_fuzzing=False)


def rating_for(answer: Answer) -> Rating:
    if not answer.right:
        return Rating.Again
    if answer.seconds is not None and answer.seconds <= FAST_SECONDS:
        return Rating.Easy
    return Rating.Good


def card_id(question_id: str) -> int:
    """A stable integer id for the fsrs card of a question (fsrs wants an int)."""
    return int(hashlib.sha256(question_id.encode()).hexdigest()[:12], 16)


def load_card(row: CardRow | None, question_id: str, now: datetime) -> Card:
    if row is None:
        return Card(card_id=card_id(question_id), due=now)
    return Card.from_json(row.state)


def next_card(row: CardRow | None, answer: Answer, now: datetime) -> CardRow:
    """The card after this answer (a first answer starts a new card)."""
    card = load_card(row, answer.question_id, now)
    reviewed, _ = SCHEDULER.review_card(card, rating_for(answer), review_datetime=now)
    return CardRow(answer.question_id, reviewed.to_json(), reviewed.due)


def record(store: ProgressStore, session_id: int, answer: Answer, *,
           now: datetime | None = None, keep: str | None = None) -> CardRow:
    """Save the answer and reschedule its card, in one transaction; the new card.
    `keep`: the question's JSON, for a generated question (no bank holds it)."""
    moment = now or now_utc()
    card = next_card(store.card(answer.question_id), answer, moment)
    store.record_answer(session_id, answer, card=card, now=moment, keep=keep)
    return card


@dataclass(frozen=True, slots=True)
class DueCard:
    question_id: str
    due: datetime
    card: Card


def due_cards(store: ProgressStore, now: datetime | None = None) -> list[DueCard]:
    """Cards due at `now`, the most overdue first."""
    return [DueCard(row.question_id, row.due, Card.from_json(row.state))
            for row in store.due_cards(now or now_utc())]

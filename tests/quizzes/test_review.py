"""Spaced repetition with fsrs: ratings from answers, the schedule after Good versus
Again, due cards, and the card saved with its answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating, State

from quizzes.progress import Answer, ProgressStore
from quizzes.review import FAST_SECONDS, due_cards, next_card, rating_for, record

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _answer(right: bool, seconds: float | None = 40.0, qid: str = "sts-assume-role") -> Answer:
    return Answer(qid, "sts", ("scs-c02:iam",), ("A",) if right else ("C",), ("A",), seconds)


def test_ratings() -> None:
    assert rating_for(_answer(False)) is Rating.Again
    assert rating_for(_answer(False, seconds=1)) is Rating.Again
    assert rating_for(_answer(True)) is Rating.Good
    assert rating_for(_answer(True, seconds=FAST_SECONDS)) is Rating.Easy
    assert rating_for(_answer(True, seconds=None)) is Rating.Good
    skipped = Answer("q", "sts", (), (), ("A",))
    assert rating_for(skipped) is Rating.Again


def test_good_schedules_later_than_again_and_easy_later_still() -> None:
    again = next_card(None, _answer(False), NOW)
    good = next_card(None, _answer(True), NOW)
    easy = next_card(None, _answer(True, seconds=3), NOW)
    assert NOW < again.due < good.due < easy.due
    assert again.due - NOW <= timedelta(minutes=10)
    assert easy.due - NOW >= timedelta(days=1)


def test_repeated_good_answers_space_the_card_out() -> None:
    card, moment, gaps = None, NOW, []
    for _ in range(5):
        card = next_card(card, _answer(True), moment)
        gaps.append(card.due - moment)
        moment = card.due
    assert gaps == sorted(gaps) and gaps[-1] > timedelta(days=7)
    lapsed = next_card(card, _answer(False), moment)
    assert lapsed.due - moment < gaps[-1]
    assert f'"state": {State.Relearning.value}' in lapsed.state


def test_the_schedule_is_the_same_every_time() -> None:
    assert next_card(None, _answer(True), NOW) == next_card(None, _answer(True), NOW)


def test_record_saves_the_answer_and_card_and_due_cards_lists_them(tmp_path: Path) -> None:
    with ProgressStore(tmp_path / "q.sqlite3") as store:
        session = store.start_session("review", now=NOW)
        wrong = record(store, session, _answer(False, qid="kms-grants"), now=NOW)
        right = record(store, session, _answer(True, qid="s3-versioning"), now=NOW)
        assert [a.question_id for a in store.answers()] == ["kms-grants", "s3-versioning"]
        assert store.card("kms-grants") == wrong
        assert due_cards(store, NOW) == []
        soon = [c.question_id for c in due_cards(store, wrong.due)]
        assert soon == ["kms-grants"]
        later = [c.question_id for c in due_cards(store, right.due + timedelta(seconds=1))]
        assert later == ["kms-grants", "s3-versioning"]
        again = record(store, session, _answer(True, qid="kms-grants"), now=wrong.due)
        assert again.due > wrong.due and store.card("kms-grants") == again

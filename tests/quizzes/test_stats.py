"""Quiz statistics: empty on a fresh directory; accuracy by domain, topic and day; the
streak of days; cards due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizzes import progress
from quizzes.progress import DB_ENV, Answer, ProgressStore
from quizzes.review import record
from quizzes.stats import Accuracy, stats, streak

DAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_fresh_user_data_directory_gives_empty_stats(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.setattr(progress.platformdirs, "user_data_dir", lambda app: str(tmp_path / app))
    with ProgressStore() as store:
        found = stats(store, DAY)
    assert found.empty
    assert found.total == Accuracy("all", 0, 0) and found.total.ratio == 0.0
    assert (found.by_domain, found.by_topic, found.by_day) == ((), (), ())
    assert (found.streak_days, found.cards_due, found.cards_total) == (0, 0, 0)


def _answer(qid: str, topic: str, domains: tuple[str, ...], right: bool) -> Answer:
    return Answer(qid, topic, domains, ("A",) if right else ("B",), ("A",), 30.0)


def test_accuracy_by_domain_topic_and_day_streak_and_due(tmp_path: Path) -> None:
    with ProgressStore(tmp_path / "q.sqlite3") as store:
        session = store.start_session("practice", now=DAY)
        plan = [  # (day offset, question, topic, domains, right)
            (0, "q1", "sts", ("scs-c02:iam", "saa-c03:secure"), True),
            (0, "q2", "sts", ("scs-c02:iam",), False),
            (1, "q3", "kms-keys", ("scs-c02:data-protection",), True),
            (2, "q4", "kms-keys", ("scs-c02:data-protection",), True),
            (2, "q5", "sts", ("scs-c02:iam",), True),
        ]
        for offset, qid, topic, domains, right in plan:
            record(store, session, _answer(qid, topic, domains, right),
                   now=DAY + timedelta(days=offset))
        found = stats(store, DAY + timedelta(days=2, hours=1))
    assert found.total == Accuracy("all", 5, 4)
    assert found.by_topic == (Accuracy("kms-keys", 2, 2), Accuracy("sts", 3, 2))
    assert found.by_domain == (Accuracy("saa-c03:secure", 1, 1),
                               Accuracy("scs-c02:data-protection", 2, 2),
                               Accuracy("scs-c02:iam", 3, 2))
    assert [(d.day.day, d.answered, d.right) for d in found.by_day] == \
        [(1, 2, 1), (2, 1, 1), (3, 2, 2)]
    assert found.by_day[0].ratio == 0.5
    assert found.streak_days == 3
    assert found.cards_total == 5
    assert found.cards_due >= 1  # at least q2, answered wrong two days ago
    assert not found.empty


def test_streak_counts_consecutive_days_ending_today_or_yesterday() -> None:
    today = date(2026, 12, 10)
    days = [date(2026, 12, d) for d in (3, 7, 8, 9)]
    assert streak(days, today) == 3  # today not yet answered: the streak holds
    assert streak([*days, today], today) == 4
    assert streak(days, date(2026, 12, 11)) == 0
    assert streak([], today) == 0

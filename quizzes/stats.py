"""Quiz statistics: accuracy by domain, topic and day, the streak of days, cards due.

Pure functions over the store's rows, returning dataclasses; the CLI draws the bars.
Days are UTC calendar days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from quizzes.progress import AnswerRow, CardRow, ProgressStore, now_utc


@dataclass(frozen=True, slots=True)
class Accuracy:
    name: str
    answered: int
    right: int

    @property
    def ratio(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class DayAccuracy:
    day: date
    answered: int
    right: int

    @property
    def ratio(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    total: Accuracy
    by_domain: tuple[Accuracy, ...]
    by_topic: tuple[Accuracy, ...]
    by_day: tuple[DayAccuracy, ...]
    streak_days: int
    cards_due: int
    cards_total: int

    @property
    def empty(self) -> bool:
        return self.total.answered == 0 and self.cards_total == 0


def _grouped(answers: Iterable[AnswerRow], keys: Callable[[AnswerRow], Iterable[str]]
             ) -> tuple[Accuracy, ...]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer in answers:
        for key in keys(answer):
            counts[key][0] += 1
            counts[key][1] += answer.right
    return tuple(Accuracy(name, n, right) for name, (n, right) in sorted(counts.items()))


def accuracy_by_domain(answers: Iterable[AnswerRow]) -> tuple[Accuracy, ...]:
    """A question tagged with two domains counts once in each."""
    return _grouped(answers, lambda a: a.domains)


def accuracy_by_topic(answers: Iterable[AnswerRow]) -> tuple[Accuracy, ...]:
    return _grouped(answers, lambda a: (a.topic,))


def accuracy_by_day(answers: Iterable[AnswerRow]) -> tuple[DayAccuracy, ...]:
    grouped = _grouped(answers, lambda a: (a.answered_at.date().isoformat(),))
    return tuple(DayAccuracy(date.fromisoformat(g.name), g.answered, g.right) for g in grouped)


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with at least one answer, ending today (or yesterday, when today
    has no answer yet: the streak is not broken before the day is over)."""
    active = set(days)
    day = today if today in active else today - timedelta(days=1)
    count = 0
    while day in active:
        count += 1
        day -= timedelta(days=1)
    return count


def summarize(answers: list[AnswerRow], cards: list[CardRow], now: datetime) -> Stats:
    by_day = accuracy_by_day(answers)
    return Stats(
        total=Accuracy("all", len(answers), sum(a.right for a in answers)),
        by_domain=accuracy_by_domain(answers),
        by_topic=accuracy_by_topic(answers),
        by_day=by_day,
        streak_days=streak((d.day for d in by_day), now.astimezone(UTC).date()),
        cards_due=sum(1 for c in cards if c.due <= now),
        cards_total=len(cards),
    )


def stats(store: ProgressStore, now: datetime | None = None) -> Stats:
    return summarize(store.answers(), store.cards(), now or now_utc())

"""The quiz loop: ask each prepared question, read an answer, score it, record it.

Input and output are passed in (`Ask`), so the same loop serves the terminal (rich, with
a countdown in exams and an explanation after each answer in practice), an answers file,
standard input from a pipe, and the tests. Each answer is handed to the `record` callback
as soon as it is given, so a killed quiz loses at most the question on screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from quizzes.answers import Answer
from quizzes.exams import ExamFormat
from quizzes.prepared import Prepared
from quizzes.session import Response, Results

# Reads one answer for a question (None: input ended); the number and total are for the
# screen, `flagged` says the question is being revisited.
Ask = Callable[[Prepared, int, int, float | None], Answer | None]
Record = Callable[[Response], None]
Show = Callable[[Response], None]


@dataclass(frozen=True)
class QuizPlan:
    prepared: Sequence[Prepared]
    seed: int
    mode: str  # practice | exam | review
    exam: ExamFormat | None = None


def run_quiz(plan: QuizPlan, ask: Ask, *, record: Record | None = None,
             show: Show | None = None, clock: Callable[[], float] = time.monotonic
             ) -> Results:
    """Ask every question once, then (exam) the flagged ones again while time is left.
    Unanswered questions, and those left when the time runs out, count as wrong."""
    deadline = clock() + plan.exam.minutes * 60 if plan.exam is not None else None
    responses: dict[int, Response] = {}
    flagged: list[int] = []
    timed_out = False
    total = len(plan.prepared)
    for index in _order(total, flagged):
        if deadline is not None and clock() >= deadline:
            timed_out = True
            break
        started = clock()
        left = None if deadline is None else max(0.0, deadline - started)
        answer = ask(plan.prepared[index], index + 1, total, left)
        if answer is None:  # input ended: the rest stay unanswered
            break
        if deadline is not None and clock() > deadline:
            timed_out = True  # an answer given after the time ran out does not count
            break
        response = Response(plan.prepared[index], answer.letters, answer.flag,
                            round(clock() - started, 3))
        responses[index] = response
        if answer.flag and plan.exam is not None and index not in flagged:
            flagged.append(index)
        if record is not None:
            record(response)
        if show is not None and plan.exam is None:
            show(response)
    ordered = tuple(responses.get(i, Response(p, None)) for i, p in enumerate(plan.prepared))
    return Results(ordered, plan.seed, plan.mode, plan.exam, timed_out)


def _order(total: int, flagged: list[int]) -> Iterator[int]:
    """Every question in turn, then each flagged one (flags may be added meanwhile)."""
    yield from range(total)
    revisited = 0
    while revisited < len(flagged):
        yield flagged[revisited]
        revisited += 1


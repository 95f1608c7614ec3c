"""A question ready to be asked: options, the correct letters and one explanation per
option, whatever its kind. Choice questions come so from the bank; a decision question
is answered here, by the engine (`explain.solve`), each time it is prepared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policy_engine.case import Case
from quizzes.explain import solve
from quizzes.model import ChoiceQuestion, DecisionQuestion, Question


@dataclass(frozen=True)
class Prepared:
    question: Question
    options: dict[str, str]  # letter -> text
    correct: tuple[str, ...]  # sorted letters
    why: dict[str, str]  # letter -> why it is right or wrong
    case: Case | None = None  # decision questions: the case the engine answered
    case_value: dict[str, Any] | None = None  # ... in the case-file format
    summary: str = ""  # decision questions: what decided, from the trace

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1

    def is_right(self, given: tuple[str, ...] | None) -> bool:
        """All or nothing: a multiple-answer question scores only with exactly its set."""
        return given is not None and tuple(sorted(set(given))) == self.correct


def prepare(question: Question, case: Case | None = None,
            case_value: dict[str, Any] | None = None) -> Prepared:
    if isinstance(question, ChoiceQuestion):
        return Prepared(question, {k: o.text for k, o in question.options.items()},
                        question.correct, {k: o.why for k, o in question.options.items()})
    assert isinstance(question, DecisionQuestion) and case is not None
    solution = solve(case)
    return Prepared(question, solution.options, (solution.letter,), solution.why, case,
                    case_value if case_value is not None else question.case,
                    solution.summary)

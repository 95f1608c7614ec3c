"""A generated question kept with its card (progress schema v3): read back and checked.

A generated question lives in no bank, so review asks it from the copy the progress
database keeps, and `quiz import` brings such copies in from another machine. Both read
it here, strictly: a decision question whose id is the one it is kept under and whose
inline case parses as `policy-engine simulate` would parse it. Anything else in an import
is one located line; in the database (written by an older version, or by hand) it is
left out of review rather than crashing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from policy_engine.case import Case, parse_case_value
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode, join_pointer
from policy_engine.pydantic_errors import problems_from_validation_error
from quizzes.model import DecisionQuestion


class KeptQuestionError(PolicyEngineError):
    """A kept question is not a decision question with its case, under its own id."""


@dataclass(frozen=True)
class KeptQuestion:
    question: DecisionQuestion
    case: Case


def parse_kept_question(value: object, question_id: str, *, source: str = "<import>",
                        pointer: str = "") -> KeptQuestion:
    """`value`: the question as JSON value; `pointer`: where it sits in `source`."""
    try:
        # As review reads it back from the database: JSON, enums from their values.
        question = DecisionQuestion.model_validate(value, strict=False)
    except ValidationError as error:
        problems = problems_from_validation_error(error, value, DecisionQuestion,
                                                  source=source)
        raise KeptQuestionError([_under(p, pointer) for p in problems]) from None
    if question.id != question_id:
        raise KeptQuestionError(Problem(
            ProblemCode.INVALID_VALUE, f"the question's id `{question.id}` is not the id "
            f"`{question_id}` it is kept under", join_pointer(pointer, "id"), source=source))
    if question.case is None:
        raise KeptQuestionError(Problem(
            ProblemCode.MISSING_ELEMENT, "a kept question carries its case inline (`case`)",
            pointer, source=source))
    try:
        case = parse_case_value(question.case, source=source)
    except PolicyEngineError as error:
        raise KeptQuestionError([_under(p, join_pointer(pointer, "case"))
                                 for p in error.problems]) from None
    return KeptQuestion(question, case)


def _under(problem: Problem, pointer: str) -> Problem:
    return Problem(problem.code, problem.message, pointer + problem.pointer,
                   source=problem.source)

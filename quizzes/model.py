"""The question model: the strict JSON shape of a bank file (pydantic v2, unknown keys
rejected, no coercion).

Three kinds are answered from the bank (`single`, `multiple`, `true-false`): the options,
the correct letters and an explanation per option are written by the author. The fourth,
`decision`, stores a case (shared/DESIGN.md, "The case file") and never its answer: the
options are always the three decisions (`DECISION_OPTIONS`), and which one is right is
computed by `policy_engine.engine.evaluate.evaluate()` when the question is asked
(`quizzes.explain.solve`).

What the shape cannot say (the answer letters are among the options, letters run A, B,
C..., how many answers each kind has) is checked by `choice_problems` so that each
problem has its own JSON pointer; `quizzes.bank` runs both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from policy_engine.engine.result import Decision
from quizzes.exams import Domain
from quizzes.topics import Topic

QuestionId = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                                              max_length=80)]
Letter = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-H]$")]
Text = Annotated[str, StringConstraints(strict=True, min_length=1)]
# AWS documentation only: the facts a question teaches are checked against these pages.
Reference = Annotated[str, StringConstraints(
    strict=True, pattern=r"^https://(docs\.aws\.amazon\.com|aws\.amazon\.com)/\S+$")]
Difficulty = Literal["easy", "medium", "hard"]
# Enums are read from their values (strict mode would want Python enum members).
DomainName = Annotated[Domain, Field(strict=False)]
TopicName = Annotated[Topic, Field(strict=False)]
ChoiceKind = Literal["single", "multiple", "true-false"]

LETTERS = "ABCDEFGH"
TRUE_FALSE = ("True", "False")
# A decision question's options, fixed: the answer is whichever the engine computes.
DECISION_OPTIONS: dict[str, Decision] = {
    "A": Decision.ALLOWED, "B": Decision.EXPLICIT_DENY, "C": Decision.IMPLICIT_DENY}
DECISION_TEXT: dict[Decision, str] = {
    Decision.ALLOWED: "Allowed",
    Decision.EXPLICIT_DENY: "Explicitly denied (a Deny statement applies)",
    Decision.IMPLICIT_DENY: "Implicitly denied (nothing that must allow it does)",
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Option(_Closed):
    text: Text
    why: Text = Field(description="why this option is right or wrong")


class _Question(_Closed):
    id: QuestionId = Field(description="stable and unique across every bank")
    domains: list[DomainName] = Field(min_length=1, description="exam content domains")
    topic: TopicName
    difficulty: Difficulty
    stem: Text
    references: list[Reference] = Field(min_length=1)
    changed: Text | None = Field(
        default=None, description="what older study material says that is no longer true")


class ChoiceQuestion(_Question):
    kind: ChoiceKind
    options: dict[Letter, Option] = Field(min_length=2)
    answer: list[Letter] = Field(min_length=1)

    @property
    def correct(self) -> tuple[str, ...]:
        return tuple(sorted(self.answer))


class DecisionQuestion(_Question):
    """A case; its answer is the engine's decision. `case` inline, or `case_file`: a JSON
    or YAML case file beside the bank, or `ask`: a what-if question (`PRINCIPAL ACTION
    RESOURCE [when ...]`) over an account snapshot, `snapshot_file` beside the bank or the
    snapshot of the scenario that contributes the question."""

    kind: Literal["decision"]
    case: dict[str, Any] | None = None
    case_file: Text | None = None
    ask: Text | None = None
    snapshot_file: Text | None = None


Question = Annotated[ChoiceQuestion | DecisionQuestion, Field(discriminator="kind")]


class BankFile(_Closed):
    """One bank file: a title and its questions."""

    title: Text
    questions: list[Question] = Field(min_length=1)


def choice_problems(question: ChoiceQuestion) -> Iterator[tuple[str, str]]:
    """(pointer below the question, message) for every rule the shape cannot express."""
    letters = list(question.options)
    expected = list(LETTERS[: len(letters)])
    if letters != expected:
        yield "/options", (f"options must be lettered {', '.join(expected)} in order, "
                           f"not {', '.join(letters)}")
    for i, letter in enumerate(question.answer):
        if letter not in question.options:
            yield f"/answer/{i}", (f"answer `{letter}` is not one of the options "
                                   f"({', '.join(letters)})")
    if len(set(question.answer)) != len(question.answer):
        yield "/answer", "an answer letter is listed twice"
    count = len(set(question.answer))
    if question.kind in ("single", "true-false") and count != 1:
        yield "/answer", f"a {question.kind} question has exactly one answer, not {count}"
    if question.kind == "multiple":
        if count < 2:
            yield "/answer", "a multiple-answer question has at least two answers"
        elif count >= len(letters):
            yield "/answer", "a multiple-answer question needs at least one wrong option"
    if question.kind == "true-false":
        texts = tuple(option.text for option in question.options.values())
        if texts != TRUE_FALSE:
            yield "/options", "a true-false question has the options A: True and B: False"
    elif len(letters) < 3:
        yield "/options", f"a {question.kind} question has at least three options"


def decision_problems(question: DecisionQuestion, *, snapshot_given: bool = False
                      ) -> Iterator[tuple[str, str]]:
    """`snapshot_given`: the question comes with a snapshot (a scenario's), so an `ask`
    needs no `snapshot_file`."""
    sources = [question.case, question.case_file, question.ask]
    if sum(source is not None for source in sources) != 1:
        yield "", "a decision question has exactly one of `case`, `case_file` and `ask`"
    elif question.ask is None and question.snapshot_file is not None:
        yield "/snapshot_file", "`snapshot_file` goes only with `ask`"
    elif question.ask is not None and question.snapshot_file is None and not snapshot_given:
        yield "/ask", "an `ask` question needs the `snapshot_file` it is asked over"

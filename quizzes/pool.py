"""The questions a quiz draws from: every bank question, plus generated decision
questions (seeded, so a quiz replays exactly), with the case of each decision question."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from policy_engine.case import Case
from policy_engine.errors import PolicyEngineError
from quizzes.bank import Banks
from quizzes.generator import GENERATED_TOPICS, GeneratorError, generate
from quizzes.kept import KeptQuestion, parse_kept_question
from quizzes.model import DecisionQuestion, Question
from quizzes.prepared import Prepared, prepare

# Generated questions added to the pool of one quiz: enough to vary, quick to build.
GENERATED_PER_QUIZ = 120


@dataclass(frozen=True)
class Pool:
    questions: tuple[Question, ...]
    cases: dict[str, Case] = field(default_factory=dict)  # generated question id -> case

    def prepare(self, question: Question, banks: Banks) -> Prepared:
        if not isinstance(question, DecisionQuestion):
            return prepare(question)
        if question.id in self.cases:
            return prepare(question, self.cases[question.id])
        return prepare(question, banks.case(question), banks.case_value(question))


def build_pool(banks: Banks, seed: int, *, difficulty: str | None = None,
               topics: Iterable[str] = (), generated: int = GENERATED_PER_QUIZ) -> Pool:
    wanted = set(topics)
    made = []
    if generated and (not wanted or wanted & set(GENERATED_TOPICS)):
        for topic in sorted(wanted & set(GENERATED_TOPICS)) or [None]:
            try:
                made.extend(generate(seed, generated, difficulty=difficulty, topic=topic))
            except GeneratorError:  # no template of that difficulty for the topic
                continue
    unique = {g.question.id: g for g in made}
    return Pool(banks.questions + tuple(g.question for g in unique.values()),
                {qid: g.case for qid, g in unique.items()})


def review_pool(banks: Banks, kept: Mapping[str, str], due: Sequence[str]) -> Pool:
    """The due questions in order: from the banks, or kept with their cards (generated
    questions, whose case is part of the question). Ids found in neither are left out."""
    known = {q.id: q for q in banks.questions}
    questions: list[Question] = []
    cases: dict[str, Case] = {}
    for question_id in due:
        if question_id in known:
            questions.append(known[question_id])
        elif question_id in kept:
            found = _kept(question_id, kept[question_id])
            if found is not None:
                questions.append(found.question)
                cases[question_id] = found.case
    return Pool(tuple(questions), cases)


def _kept(question_id: str, text: str) -> KeptQuestion | None:
    """The kept question, or None when the row cannot be asked (written by an older
    version or by hand): review leaves it out and says how many it left out."""
    try:
        return parse_kept_question(json.loads(text), question_id, source=question_id)
    except (ValueError, PolicyEngineError):
        return None

"""Bank files -> validated questions, every problem one line naming file, path and problem.

A bank is read in the project's three strict steps (see `policy_engine.case`): text ->
JSON value with line and column per JSON pointer (`policy_engine.source`, JSON or YAML),
value -> `BankFile` (pydantic, unknown keys rejected, errors worded by the project's one
pipeline), then the rules the shape cannot express (`quizzes.model.choice_problems`) and
each decision question's case, parsed and compiled as `policy-engine simulate` would.
Ids are unique across every bank that is loaded together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from policy_engine.analysis.case_export import export_case
from policy_engine.analysis.resolve import Resolver
from policy_engine.case import Case, load_case, parse_case_value
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode, join_pointer
from policy_engine.files import FileReadError, read_text_bounded
from policy_engine.pydantic_errors import problems_from_validation_error
from policy_engine.source import SourceDocument, load_text
from quizzes.model import (
    BankFile,
    ChoiceQuestion,
    DecisionQuestion,
    Question,
    choice_problems,
    decision_problems,
)

BANKS_DIR = Path(__file__).parent / "banks"
BANK_SUFFIXES = (".yaml", ".yml", ".json")
# A bank of a few hundred questions is a few hundred KiB; anything far larger is a mistake.
MAX_BANK_BYTES = 4 * 1024 * 1024


class BankError(PolicyEngineError):
    """A bank file is unreadable, malformed, or breaks a rule of the question model."""


@dataclass(frozen=True)
class Bank:
    source: str
    title: str
    questions: tuple[Question, ...]
    cases: Mapping[str, Case] = field(default_factory=dict)  # decision question id -> case
    # ... and the case in the case-file format, where the bank does not hold it as written
    # (an `ask` question's case, written out from its snapshot).
    case_values: Mapping[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Banks:
    """Every question of several banks; ids are unique across them."""

    banks: tuple[Bank, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for bank in self.banks for q in bank.questions)

    def case(self, question: DecisionQuestion) -> Case:
        for bank in self.banks:
            if question.id in bank.cases:
                return bank.cases[question.id]
        raise KeyError(question.id)

    def case_value(self, question: DecisionQuestion) -> dict[str, Any] | None:
        for bank in self.banks:
            if question.id in bank.case_values:
                return bank.case_values[question.id]
        return question.case

    def by_id(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def bank_paths(directory: Path = BANKS_DIR) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file())


def load_banks(directory: Path = BANKS_DIR, *, paths: Iterable[Path] | None = None) -> Banks:
    """Every bank in `directory` (or the given files); all problems of all files raised as
    one `BankError`, the first of them its message."""
    problems: list[Problem] = []
    banks: list[Bank] = []
    for path in (list(paths) if paths is not None else bank_paths(directory)):
        try:
            banks.append(load_bank(path))
        except PolicyEngineError as error:
            problems.extend(error.problems)
    problems.extend(_duplicate_ids(banks))
    if problems:
        raise BankError(problems)
    return Banks(tuple(banks))


def load_bank(path: Path) -> Bank:
    source = str(path)
    try:
        text = read_text_bounded(path, max_bytes=MAX_BANK_BYTES, what="bank file")
    except FileReadError as error:
        raise BankError(error.problems) from None
    return parse_bank_text(text, source=source, base=path.parent)


def parse_bank_text(text: str, *, source: str = "<input>", base: Path | None = None) -> Bank:
    try:
        document = load_text(text, source=source, max_chars=MAX_BANK_BYTES)
    except PolicyEngineError as error:
        raise BankError(error.problems) from None
    return parse_bank_value(document.value, source=source, document=document, base=base)


# Gives the resolver over the snapshot an `ask` question is asked of (built on first use).
ResolverFor = Callable[[], Resolver]


def parse_bank_value(value: object, *, source: str = "<input>",
                     document: SourceDocument | None = None, base: Path | None = None,
                     resolver: ResolverFor | None = None) -> Bank:
    """`resolver`: the snapshot of the questions' scenario, for `ask` questions without a
    `snapshot_file`."""
    try:
        bank = BankFile.model_validate(value)
    except ValidationError as error:
        problems = problems_from_validation_error(error, value, BankFile, source=source)
        raise BankError(_placed(problems, document)) from None
    problems: list[Problem] = []
    cases: dict[str, Case] = {}
    case_values: dict[str, dict[str, Any]] = {}
    resolvers = _Resolvers(base, resolver)
    seen: dict[str, int] = {}
    for i, question in enumerate(bank.questions):
        at = f"/questions/{i}"
        if question.id in seen:
            problems.append(Problem(ProblemCode.DUPLICATE_QUESTION, f"question id "
                                    f"`{question.id}` is already used by question "
                                    f"{seen[question.id]}", at + "/id", source=source))
        seen.setdefault(question.id, i)
        if isinstance(question, ChoiceQuestion):
            found = choice_problems(question)
        else:
            found = decision_problems(question, snapshot_given=resolver is not None)
        rule_problems = [Problem(ProblemCode.INVALID_VALUE, f"question `{question.id}`: "
                                 f"{message}", at + pointer, source=source)
                         for pointer, message in found]
        problems.extend(rule_problems)
        if isinstance(question, DecisionQuestion) and not rule_problems:
            try:
                if question.ask is not None:
                    cases[question.id], case_values[question.id] = _asked_case(
                        question, at, source, resolvers)
                else:
                    cases[question.id] = _question_case(question, at, source, base)
            except PolicyEngineError as error:
                problems.extend(error.problems)
    if problems:
        raise BankError(_placed(problems, document))
    return Bank(source, bank.title, tuple(bank.questions), cases, case_values)


class _Resolvers:
    """One resolver per snapshot a bank's `ask` questions use, each built once."""

    def __init__(self, base: Path | None, given: ResolverFor | None) -> None:
        self.base = base or Path.cwd()
        self.given = given
        self.built: dict[str | None, Resolver] = {}

    def get(self, snapshot_file: str | None) -> Resolver:
        if snapshot_file not in self.built:
            if snapshot_file is None:
                assert self.given is not None
                self.built[None] = self.given()
            else:
                from policy_engine.snapshot.load import load_snapshot

                self.built[snapshot_file] = Resolver(load_snapshot(self.base / snapshot_file))
        return self.built[snapshot_file]


def _asked_case(question: DecisionQuestion, at: str, source: str, resolvers: _Resolvers
                ) -> tuple[Case, dict[str, Any]]:
    """An `ask` question's case: the what-if question resolved over its snapshot and
    written out, so the quiz answers it exactly as `simulate` would answer the case."""
    from policy_engine.whatif import parse_question

    assert question.ask is not None
    where = f"{source}: question `{question.id}` ask"
    try:
        resolver = resolvers.get(question.snapshot_file)
    except PolicyEngineError as error:
        # The snapshot's own problem, with its file, line and path: the bank names only
        # the snapshot, so the reader needs both places.
        pointer = "/snapshot_file" if question.snapshot_file is not None else "/ask"
        raise BankError([Problem(error.problems[0].code, f"question `{question.id}`: its "
                                 f"snapshot: {error.problems[0].one_line()}", at + pointer,
                                 source=source)]) from None
    try:
        exported = export_case(resolver, parse_question(question.ask, source=where),
                               source=where)
    except PolicyEngineError as error:
        first = error.problems[0]
        raise BankError([Problem(first.code, f"question `{question.id}`: "
                                 f"{first.message}", at + "/ask", source=source)]) from None
    return exported.case, exported.value


def _question_case(question: DecisionQuestion, at: str, source: str,
                   base: Path | None) -> Case:
    """The question's case, parsed and compiled; an inline case's problems are given at
    their place in the bank."""
    if question.case_file is not None:
        return load_case((base or Path.cwd()) / question.case_file)
    try:
        return parse_case_value(question.case, source=source)
    except PolicyEngineError as error:
        prefix = join_pointer(at, "case")
        raise BankError([Problem(p.code, f"question `{question.id}`: {p.message}",
                                 prefix + p.pointer, source=source)
                         for p in error.problems]) from None


def _duplicate_ids(banks: list[Bank]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for bank in banks:
        for i, question in enumerate(bank.questions):
            if question.id in first and first[question.id] != bank.source:
                problems.append(Problem(ProblemCode.DUPLICATE_QUESTION, f"question id "
                                        f"`{question.id}` is already used in "
                                        f"{first[question.id]}", f"/questions/{i}/id",
                                        source=bank.source))
            first.setdefault(question.id, bank.source)
    return problems


def _placed(problems: list[Problem], document: SourceDocument | None) -> list[Problem]:
    return problems if document is None else [document.place(p) for p in problems]

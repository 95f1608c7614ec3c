"""Answers as people and scripts type them: option letters (`A`, `a`, `A,C`, `AC`, `A C`),
`skip` (or an empty line interactively), and, in a timed exam, `flag` to mark a question
for review. An answers file holds one answer per line; `#` starts a comment line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.files import FileReadError, read_text_bounded

SKIP = "skip"
FLAG = "flag"
_LETTERS = re.compile(r"[A-Ha-h](?:\s*[, ]\s*[A-Ha-h])*|[A-Ha-h]+")
MAX_ANSWERS_BYTES = 1024 * 1024


class AnswersError(PolicyEngineError):
    """An answers file cannot be read or has a line that is not an answer."""


@dataclass(frozen=True)
class Answer:
    letters: tuple[str, ...] | None  # None: skipped
    flag: bool = False
    # Where a scripted answer was written (1-based line of `source`); 0 when typed.
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False)


def unknown_letters(answer: Answer, options: Iterable[str]) -> tuple[str, ...]:
    """The answer's letters that name no option of the question."""
    known = set(options)
    return tuple(letter for letter in answer.letters or () if letter not in known)


def check_options(answer: Answer, options: Sequence[str], number: int) -> Answer:
    """A scripted answer naming a letter the question does not have is refused, one line
    naming the answers line: grading it wrong would hide a script that is out of step."""
    unknown = unknown_letters(answer, options)
    if unknown:
        raise AnswersError(Problem(
            ProblemCode.INVALID_VALUE, f"`{', '.join(unknown)}` is not an option of "
            f"question {number}, which has {', '.join(options)}", line=answer.line or None,
            column=1 if answer.line else None, source=answer.source or "<answers>"))
    return answer


def parse_answer(text: str) -> Answer | None:
    """The answer a line holds, or None when it is not an answer."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered in ("", SKIP, "s", "-"):
        return Answer(None)
    flag = False
    if lowered.endswith(f" {FLAG}") or lowered == FLAG:
        flag = True
        cleaned = cleaned[: -len(FLAG)].strip()
        if not cleaned:
            return Answer(None, flag=True)
    if not _LETTERS.fullmatch(cleaned):
        return None
    letters = tuple(sorted({c.upper() for c in cleaned if c.isalpha()}))
    return Answer(letters, flag)


def read_answers(path: Path) -> list[Answer]:
    try:
        text = read_text_bounded(path, max_bytes=MAX_ANSWERS_BYTES, what="answers file")
    except FileReadError as error:
        raise AnswersError(error.problems) from None
    return parse_answers(text, source=str(path))


def parse_answers(text: str, *, source: str = "<stdin>") -> list[Answer]:
    answers: list[Answer] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        answer = parse_answer(line)
        if answer is None:
            raise AnswersError(Problem(
                ProblemCode.INVALID_VALUE, f"`{line.strip()[:40]}` is not an answer: write "
                "option letters (A, or A,C for several) or `skip`", line=number, column=1,
                source=source))
        answers.append(replace(answer, line=number, source=source))
    return answers

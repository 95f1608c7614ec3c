"""Quiz questions in the bank format, built in code by scenarios.

`decision` writes a question the engine answers over the scenario's snapshot; `choice`
letters the options in order and marks the ones the scenario's model computed as right,
so no answer letter is ever typed by hand. The values are checked by the quiz when it
loads them (`quizzes/scenario_bank.py`), exactly as a bank file is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class About:
    """What every question of a scenario shares unless a question says otherwise."""

    topic: str
    domains: tuple[str, ...]
    references: tuple[str, ...]
    difficulty: str = "medium"


@dataclass(frozen=True)
class Option:
    text: str
    why: str  # why this option is right or wrong
    right: bool = False


def decision(about: About, question_id: str, stem: str, ask: str, *,
             topic: str | None = None, difficulty: str | None = None,
             references: Sequence[str] = (), changed: str | None = None) -> dict[str, Any]:
    """`ask`: `PRINCIPAL ACTION RESOURCE [when KEY = VALUE ...]` over the snapshot."""
    return _common(about, question_id, stem, topic, difficulty, references, changed) | {
        "kind": "decision", "ask": ask}


def choice(about: About, question_id: str, stem: str, options: Sequence[Option], *,
           topic: str | None = None, difficulty: str | None = None,
           references: Sequence[str] = (), changed: str | None = None) -> dict[str, Any]:
    """Single or multiple answer by how many options are right; `true_false` for two."""
    right = [LETTERS[i] for i, option in enumerate(options) if option.right]
    return _common(about, question_id, stem, topic, difficulty, references, changed) | {
        "kind": "single" if len(right) == 1 else "multiple",
        "options": {LETTERS[i]: {"text": o.text, "why": o.why} for i, o in enumerate(options)},
        "answer": right}


def true_false(about: About, question_id: str, stem: str, holds: bool, why_true: str,
               why_false: str, **extra: Any) -> dict[str, Any]:
    """`holds`: what the scenario's model computed for the statement in `stem`."""
    question = choice(about, question_id, stem, [Option("True", why_true, holds),
                                                 Option("False", why_false, not holds)],
                      **extra)
    return question | {"kind": "true-false"}


def _common(about: About, question_id: str, stem: str, topic: str | None,
            difficulty: str | None, references: Sequence[str], changed: str | None
            ) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": question_id, "topic": topic or about.topic, "domains": list(about.domains),
        "difficulty": difficulty or about.difficulty, "stem": stem,
        "references": list(references or about.references)}
    if changed is not None:
        found["changed"] = changed
    return found

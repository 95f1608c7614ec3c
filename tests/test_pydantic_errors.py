"""`problems_from_validation_error`: pydantic errors in the project's terms, placed by callers.

One pipeline for every input model; the snapshot file's model is the richest test bed.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from policy_engine.errors import Problem
from policy_engine.pydantic_errors import problems_from_validation_error
from policy_engine.snapshot.snapshot_file import PATTERN_WORDS, SnapshotFile


def _problems(raw: Any) -> list[tuple[str, str, str, bool]]:
    placed: list[tuple[str, str, str, bool]] = []

    def place(problem: Problem, at_key: bool) -> Problem:
        placed.append((problem.code, problem.message, problem.pointer, at_key))
        return problem

    with pytest.raises(ValidationError) as error:
        SnapshotFile.model_validate(raw)
    problems = problems_from_validation_error(error.value, raw, SnapshotFile, source="s.json",
                                              place=place, pattern_words=PATTERN_WORDS)
    assert [(p.code, p.message, p.pointer) for p in problems] == [t[:3] for t in placed]
    return placed


def test_unknown_key_suggests_the_closest_one() -> None:
    raw = {"format": "policy-engine-snapshot/1", "acounts": []}
    assert _problems(raw) == [("unknown-element", "unknown key `acounts`; did you mean "
                               "`accounts`?", "/acounts", True)]


def test_account_id_written_as_a_number() -> None:
    raw = {"format": "policy-engine-snapshot/1", "accounts": [{"id": 111122223333}]}
    assert _problems(raw) == [("wrong-type", "`id` must be text, not the number `111122223333`; "
                               "write account ids in quotes (`\"111122223333\"`)",
                               "/accounts/0/id", False)]


def test_missing_member_points_at_where_it_belongs() -> None:
    raw = {"format": "policy-engine-snapshot/1", "accounts": [{"name": "prod"}]}
    assert _problems(raw) == [("missing-element", "`id` is required", "/accounts/0/id", True)]

"""The scenario plugin API.

A scenario is an architecture from one exam topic: the account snapshot it builds (the
`policy-engine-snapshot/1` format, as a value), the checks that must hold on it (what-if
assertions in the project's language, each with the AWS page that justifies its expected
result, or checks answered by the scenario's own model where the question is not one of
access, such as DNS resolution or service limits), and optionally a narrated `run` that
performs the topic's own actions. A scenario never decides access: it asks the library.

Plugins register an object satisfying `Scenario` (or a zero-argument callable returning
one) in the entry-point group `policy_engine.scenarios`; the built-ins in the top-level
`scenarios` package register exactly so.

Quiz questions are values in the bank format of the quiz (`quizzes/model.py`; schema
`quizzes/schema/bank.schema.json`), so a plugin needs nothing from the quiz to write
them: decision questions are `ask` lines the engine answers over the scenario's snapshot,
and a choice question about the scenario's own model has its answer computed by that
model when `questions()` builds it, never typed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

# Prints one line of a narrated walk-through (rich markup allowed).
Narrate = Callable[[str], None]


@dataclass(frozen=True)
class AccessCheck:
    """`expect`: one what-if assertion line, `expect DECISION: PRINCIPAL ACTION RESOURCE
    [when KEY = VALUE ...]`, answered by the engine over the scenario's snapshot."""

    name: str
    expect: str
    doc: str  # the AWS page whose rule gives the expected result


@dataclass(frozen=True)
class ModelCheck:
    """A check the scenario's own model answers (DNS, limits, storage classes): `actual`
    computes the observed value, compared with `expected` as text."""

    name: str
    expected: str
    actual: Callable[[], str]
    doc: str


Check = AccessCheck | ModelCheck


@runtime_checkable
class Scenario(Protocol):
    name: str  # kebab-case, unique: `policy-engine scenario show NAME`
    title: str
    topic: str
    summary: str

    def snapshot(self) -> dict[str, Any]:
        """The architecture as a `policy-engine-snapshot/1` value."""
        ...

    def checks(self) -> Sequence[Check]:
        ...

    def questions(self) -> Sequence[Mapping[str, Any]]:
        """Quiz questions in the bank format, ids prefixed with the scenario's name."""
        ...

    def run(self, narrate: Narrate) -> None:
        """The narrated walk-through (`policy-engine scenario run NAME`)."""
        ...

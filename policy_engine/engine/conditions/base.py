"""Types shared by the operator families and the block compiler.

A family compiles the policy values of one (operator, key) pair into a `Matcher`, which
answers one question for one request value: does it match at least one policy value?
Negation, `...IfExists` and the set qualifiers are applied on top of that answer, once, in
`block.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Generic, Protocol, TypeVar

from policy_engine.engine.context import RequestContext


class Reason(StrEnum):
    """Why a condition holds or not; the values are the machine-readable trace reasons."""

    MATCHED = "matched"
    NO_VALUE_MATCHED = "no-value-matched"
    NEGATED_VALUE_MATCHED = "negated-value-matched"
    KEY_MISSING = "key-missing"
    KEY_MISSING_IFEXISTS = "key-missing-ifexists"
    KEY_MISSING_FORALLVALUES = "key-missing-forallvalues"
    NULL_CHECK = "null-check"
    VARIABLE_MISSING = "variable-missing"
    MULTIVALUED_WITHOUT_SET_OPERATOR = "multivalued-key-without-set-operator"
    UNPARSABLE_REQUEST_VALUE = "unparsable-request-value"


class Outcome(IntEnum):
    """One request value compared with all the policy values of a key (their OR).

    An IntEnum so that the block can index its per-condition verdicts by outcome.
    """

    MATCHED = 0
    NOT_MATCHED = 1
    # Nothing matched, and at least one policy value names a variable the context lacks.
    VARIABLE_MISSING = 2
    UNPARSABLE = 3


class Matcher(Protocol):
    def match(self, request_value: str, context: RequestContext) -> Outcome: ...


MatcherFactory = Callable[[tuple[str, ...], bool], Matcher]
"""(policy values as text, variables_enabled) -> Matcher; raises `InvalidPolicyValue`."""


class InvalidPolicyValue(ValueError):
    """A policy value the operator cannot use; the block adds operator and key."""


class ConditionCompileError(ValueError):
    """A Condition block that cannot be evaluated: unknown operator, bad modifier, bad value.

    `problem` is what is wrong on its own (such as "`x` is not an integer"); `operator` and
    `key` say where, so nobody has to take the message apart.
    """

    def __init__(self, problem: str, operator: str, key: str | None = None) -> None:
        self.problem = problem
        self.operator = operator
        self.key = key
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.key is None:
            return self.problem
        return f"{self.problem} (operator `{self.operator}`, key `{self.key}`)"


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One (operator, key) pair of a Condition block, evaluated against one request."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None  # None: the key is absent from the context
    holds: bool
    reason: str


ConditionFailure = ConditionResult

R = TypeVar("R")
P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class ParsedComparison(Generic[R, P]):
    """Policy values parsed at compile time; each request value parsed once per call."""

    parse_request: Callable[[str], R | None]
    policy_values: tuple[P, ...]
    compare: Callable[[R, P], bool]

    def match(self, request_value: str, context: RequestContext) -> Outcome:
        parsed = self.parse_request(request_value)
        if parsed is None:
            return Outcome.UNPARSABLE
        compare = self.compare
        for policy_value in self.policy_values:
            if compare(parsed, policy_value):
                return Outcome.MATCHED
        return Outcome.NOT_MATCHED


def parse_policy_values(
    texts: tuple[str, ...], parse: Callable[[str], P | None], expected: str
) -> tuple[P, ...]:
    """Parse every policy value or fail naming the first bad one."""
    parsed: list[P] = []
    for text in texts:
        value = parse(text)
        if value is None:
            raise InvalidPolicyValue(f"`{text}` is not {expected}")
        parsed.append(value)
    return tuple(parsed)

"""String operators: StringEquals, StringEqualsIgnoreCase, StringLike (negations in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_String.
Equals forms compare exactly (`*` is an ordinary character there); Like forms give `*` and
`?` their wildcard meaning; IgnoreCase forms casefold both sides. Variables are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from policy_engine.engine.conditions.base import Matcher, Outcome
from policy_engine.engine.conditions.templates import (
    Pieces,
    joined,
    match_templates,
    split_policy_values,
)
from policy_engine.engine.context import RequestContext
from policy_engine.engine.wildcard import WildcardPattern, compile_parts
from policy_engine.model.variables import Template


@dataclass(frozen=True, slots=True)
class TextEquals:
    constants: frozenset[str]
    templates: tuple[Template, ...]
    fold: bool

    def match(self, request_value: str, context: RequestContext) -> Outcome:
        subject = request_value.casefold() if self.fold else request_value
        if subject in self.constants:
            return Outcome.MATCHED
        fold = self.fold
        return match_templates(
            self.templates, context,
            lambda pieces: (joined(pieces).casefold() if fold else joined(pieces)) == subject)


@dataclass(frozen=True, slots=True)
class TextLike:
    literals: frozenset[str]  # patterns without wildcards: a set lookup is enough
    patterns: tuple[WildcardPattern, ...]
    templates: tuple[Template, ...]

    def match(self, request_value: str, context: RequestContext) -> Outcome:
        if request_value in self.literals:
            return Outcome.MATCHED
        for pattern in self.patterns:
            if pattern.matches(request_value):
                return Outcome.MATCHED
        return match_templates(self.templates, context,
                               lambda pieces: rendered_pattern(pieces).matches(request_value))


@lru_cache(maxsize=1024)
def rendered_pattern(pieces: Pieces) -> WildcardPattern:
    return compile_parts(pieces)


def compile_string_equals(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    constants, templates = split_policy_values(values, variables_enabled=variables_enabled)
    return TextEquals(frozenset(joined(p) for p in constants), templates, fold=False)


def compile_string_equals_ignore_case(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    constants, templates = split_policy_values(values, variables_enabled=variables_enabled)
    return TextEquals(frozenset(joined(p).casefold() for p in constants), templates, fold=True)


def compile_string_like(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    constants, templates = split_policy_values(values, variables_enabled=variables_enabled)
    compiled = [compile_parts(pieces) for pieces in constants]
    return TextLike(
        literals=frozenset(c.source for c in compiled if c.is_literal),
        patterns=tuple(c for c in compiled if not c.is_literal),
        templates=templates,
    )

"""ARN operators: ArnEquals and ArnLike, which behave identically (negations in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_ARN.
Case-sensitive; each of the six colon-separated components is matched separately and may
use `*` and `?`; the sixth keeps any further colons. So a `*` never swallows a colon in the
first five components, where `StringLike` would. A request value that is not an ARN, and a
policy value with fewer than six components, match nothing. Variables are allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from policy_engine.arn import arn_segments
from policy_engine.engine.conditions.base import Matcher, Outcome
from policy_engine.engine.conditions.templates import (
    Pieces,
    match_templates,
    split_policy_values,
)
from policy_engine.engine.context import RequestContext
from policy_engine.engine.wildcard import WildcardPattern, compile_parts
from policy_engine.model.variables import Template

COMPONENTS = 6


@dataclass(frozen=True, slots=True)
class ArnPattern:
    """Six component patterns; plain-text components are compared in one tuple comparison."""

    literal_parts: Callable[[list[str]], tuple[str, ...]]
    literal_texts: tuple[str, ...]
    wildcards: tuple[tuple[int, WildcardPattern], ...]  # `*` alone is left out: always true

    def matches(self, components: list[str]) -> bool:
        if self.literal_parts(components) != self.literal_texts:
            return False
        # A plain loop: `all()` over a generator costs about a microsecond on the hot path.
        for i, pattern in self.wildcards:  # noqa: SIM110
            if not pattern.matches(components[i]):
                return False
        return True


def _arn_pattern(components: list[WildcardPattern]) -> ArnPattern:
    literal_at = tuple(i for i, c in enumerate(components) if c.is_literal)
    wildcards = tuple(
        (i, c) for i, c in enumerate(components) if not c.is_literal and not c.matches_everything
    )
    return ArnPattern(_pick(literal_at), tuple(components[i].source for i in literal_at), wildcards)


def _pick(indexes: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    if not indexes:
        return lambda _components: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda components: (components[only],)
    return itemgetter(*indexes)


def arn_components(text: str) -> list[str] | None:
    """The six components of a request value that is an ARN (the list itemgetters index)."""
    components = arn_segments(text)
    if len(components) != COMPONENTS or components[0] != "arn":
        return None
    return components


@lru_cache(maxsize=1024)
def compile_arn_pattern(pieces: Pieces) -> ArnPattern | None:
    """Split (text, is_literal) pieces at the first five colons; None if fewer components."""
    components: list[list[tuple[str, bool]]] = [[]]
    for text, literal in pieces:
        first, *rest = text.split(":", COMPONENTS - len(components))
        components[-1].append((first, literal))
        components.extend([(segment, literal)] for segment in rest)
    if len(components) != COMPONENTS:
        return None
    return _arn_pattern([compile_parts(parts) for parts in components])


@dataclass(frozen=True, slots=True)
class ArnLike:
    patterns: tuple[ArnPattern, ...]
    templates: tuple[Template, ...]

    def match(self, request_value: str, context: RequestContext) -> Outcome:
        request = arn_components(request_value)
        if request is None:
            return Outcome.NOT_MATCHED
        for pattern in self.patterns:
            if pattern.matches(request):
                return Outcome.MATCHED
        return match_templates(self.templates, context,
                               lambda pieces: _rendered_matches(pieces, request))


def _rendered_matches(pieces: Pieces, request: tuple[str, ...]) -> bool:
    rendered = compile_arn_pattern(pieces)
    return rendered is not None and rendered.matches(request)


def compile_arn_like(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    constants, templates = split_policy_values(values, variables_enabled=variables_enabled)
    patterns = (compile_arn_pattern(pieces) for pieces in constants)
    return ArnLike(tuple(p for p in patterns if p is not None), templates)

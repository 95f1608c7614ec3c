"""The request context: condition keys and their values, as the evaluator sees them.

Key names are case-insensitive in IAM (`aws:SourceIP` is `aws:SourceIp`), so keys are
lower-cased once when the context is built. Values keep their canonical string form
(what string, ARN and policy-variable comparisons use) and the original value (what
numeric, date and boolean coercions start from).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from policy_engine.model.values import canonical_text

ContextInput = str | bool | int | float | list[str | bool | int | float] | tuple


@dataclass(frozen=True, slots=True)
class ContextValue:
    """One context key's value(s). `is_multi` marks a multivalued key (given as a list)."""

    values: tuple[str, ...]
    is_multi: bool = False

    @property
    def single(self) -> str | None:
        """The value usable as a policy variable: single-valued keys only."""
        return self.values[0] if not self.is_multi and len(self.values) == 1 else None


RequestContext = Mapping[str, ContextValue]


def make_context_value(value: object) -> ContextValue:
    if isinstance(value, list | tuple):
        return ContextValue(tuple(canonical_text(v) for v in value), is_multi=True)
    # The type is part of the key: True == 1, but "true" != "1".
    return _single_value(type(value), value)


@lru_cache(maxsize=65536)
def _single_value(_kind: type, value: object) -> ContextValue:
    return ContextValue((canonical_text(value),), is_multi=False)


def build_context(values: Mapping[str, object]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for key, value in values.items():
        kind = type(value)
        context[key.lower()] = make_context_value(value) if kind is list or kind is tuple \
            else _single_value(kind, value)
    return context

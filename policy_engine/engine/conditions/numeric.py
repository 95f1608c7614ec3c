"""Numeric operators: NumericEquals, NumericLessThan, ... (NumericNotEquals in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Numeric.
Integer or decimal values, compared exactly as `Decimal`; no variables, no wildcards.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values

Comparison = Callable[[Decimal, Decimal], bool]


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """An integer or decimal; None for anything else (whitespace, `_`, NaN, infinities)."""
    if not text or text.strip() != text or "_" in text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def compile_numeric(compare: Comparison) -> Callable[[tuple[str, ...], bool], Matcher]:
    """A factory for one comparison; `compare(request, policy)`."""

    def compile_values(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
        numbers = parse_policy_values(values, parse_number, "an integer or a decimal number")
        return ParsedComparison(parse_number, numbers, compare)

    return compile_values

"""Numeric operators: NumericEquals, NumericLessThan, ... (NumericNotEquals in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Numeric.
Integer or decimal values, compared exactly as `Decimal`; no variables, no wildcards.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values
from policy_engine.model.values import NUMBER_EXPECTED, parse_number

Comparison = Callable[[Decimal, Decimal], bool]


def compile_numeric(compare: Comparison) -> Callable[[tuple[str, ...], bool], Matcher]:
    """A factory for one comparison; `compare(request, policy)`."""

    def compile_values(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
        numbers = parse_policy_values(values, parse_number, NUMBER_EXPECTED)
        return ParsedComparison(parse_number, numbers, compare)

    return compile_values

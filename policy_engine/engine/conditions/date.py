"""Date operators: DateEquals, DateLessThan, ... (DateNotEquals in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Date.
Values use the W3C profile of ISO 8601 or epoch seconds, on either side; both become aware
UTC datetimes (`policy_engine.model.values.parse_date`). No variables, no wildcards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values
from policy_engine.model.values import DATE_EXPECTED, parse_date

Comparison = Callable[[datetime, datetime], bool]


def compile_date(compare: Comparison) -> Callable[[tuple[str, ...], bool], Matcher]:
    """A factory for one comparison; `compare(request, policy)`."""

    def compile_values(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
        moments = parse_policy_values(values, parse_date, DATE_EXPECTED)
        return ParsedComparison(parse_date, moments, compare)

    return compile_values

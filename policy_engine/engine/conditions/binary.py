"""The BinaryEquals operator: base-64 policy values compared byte for byte.

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals.
The request value is base-64 text as well; both sides are decoded and the bytes compared.
No variables.
"""

from __future__ import annotations

import operator

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values
from policy_engine.model.values import BASE64_EXPECTED, parse_base64


def compile_binary_equals(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    decoded = parse_policy_values(values, parse_base64, BASE64_EXPECTED)
    return ParsedComparison(parse_base64, decoded, operator.eq)

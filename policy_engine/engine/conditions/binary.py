"""The BinaryEquals operator: base-64 policy values compared byte for byte.

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals.
The request value is base-64 text as well; both sides are decoded and the bytes compared.
No variables.
"""

from __future__ import annotations

import base64
import binascii
import operator
from functools import lru_cache

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values


@lru_cache(maxsize=1024)
def parse_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def compile_binary_equals(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    decoded = parse_policy_values(values, parse_base64, "valid base-64 text")
    return ParsedComparison(parse_base64, decoded, operator.eq)

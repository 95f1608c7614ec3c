"""The Null operator: does the request carry the key at all?

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Null.
`"true"` holds when the key is absent (null), `"false"` when it is present with a value;
an empty list counts as absent. No `IfExists`, no set qualifier, no variables.
"""

from __future__ import annotations

from policy_engine.engine.conditions.base import parse_policy_values
from policy_engine.model.values import BOOL_EXPECTED, parse_bool


def compile_null(values: tuple[str, ...]) -> frozenset[bool]:
    """The accepted answers to "is the key absent?"; several values OR together."""
    return frozenset(parse_policy_values(values, parse_bool, BOOL_EXPECTED))

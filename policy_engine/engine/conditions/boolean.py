"""The Bool operator: `"true"` / `"false"` (JSON booleans arrive here as that text).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Boolean.
The operators page allows policy variables with Bool while the variables page does not
(spec §10 item 11); they are accepted here and left for lint to flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.engine.conditions.base import Matcher, Outcome, parse_policy_values
from policy_engine.engine.conditions.templates import (
    joined,
    match_templates,
    split_policy_values,
)
from policy_engine.engine.context import RequestContext
from policy_engine.model.values import BOOL_EXPECTED, parse_bool
from policy_engine.model.variables import Template


@dataclass(frozen=True, slots=True)
class BoolEquals:
    constants: frozenset[bool]
    templates: tuple[Template, ...]

    def match(self, request_value: str, context: RequestContext) -> Outcome:
        value = parse_bool(request_value)
        if value is None:
            return Outcome.UNPARSABLE
        if value in self.constants:
            return Outcome.MATCHED
        return match_templates(self.templates, context,
                               lambda pieces: parse_bool(joined(pieces)) is value)


def compile_bool(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    constants, templates = split_policy_values(values, variables_enabled=variables_enabled)
    texts = tuple(joined(pieces) for pieces in constants)
    booleans = parse_policy_values(texts, parse_bool, BOOL_EXPECTED)
    return BoolEquals(frozenset(booleans), templates)

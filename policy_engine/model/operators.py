"""Condition operators as data: every base operator AWS defines and how it may be written.

Source: IAM-UG/reference_policies_elements_condition_operators.html. Names are
case-sensitive, as AWS writes them. This is the vocabulary the validator, the JSON Schema
and the engine share; the engine maps each (family, comparison) to a matcher, and nothing
here evaluates a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from policy_engine.model import values
from policy_engine.model.variables import Literal, VariableSyntaxError, compile_template


class OperatorFamily(StrEnum):
    """Operator families as the condition-operators page groups them."""

    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOLEAN = "Boolean"
    BINARY = "Binary"
    IP_ADDRESS = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class Comparison(StrEnum):
    """What a positive operator asks of one request value and one policy value."""

    EQUALS = "equals"
    EQUALS_IGNORE_CASE = "equals-ignore-case"
    LIKE = "like"  # `*` and `?` are wildcards
    LESS_THAN = "less-than"
    LESS_THAN_EQUALS = "less-than-equals"
    GREATER_THAN = "greater-than"
    GREATER_THAN_EQUALS = "greater-than-equals"
    IN_RANGE = "in-range"  # an address inside a CIDR range
    IS_ABSENT = "is-absent"  # Null: the key's absence is the value compared


class SetQualifier(StrEnum):
    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


IF_EXISTS = "IfExists"


@dataclass(frozen=True, slots=True)
class ValueRule:
    """How one family's policy values are read: a parser (None: any text) and its name."""

    parse: Callable[[str], Any] | None
    expected: str
    # Families whose values are written as text only (what to write instead): a JSON
    # number or true/false would be read through its text form (`1234` as base-64), which
    # no policy author means.
    text_only: str | None = None


_FAMILY_VALUES: Mapping[OperatorFamily, ValueRule] = MappingProxyType({
    OperatorFamily.STRING: ValueRule(None, "text"),
    OperatorFamily.ARN: ValueRule(None, "an ARN"),
    OperatorFamily.NUMERIC: ValueRule(values.parse_number, values.NUMBER_EXPECTED),
    OperatorFamily.DATE: ValueRule(values.parse_date, values.DATE_EXPECTED),
    OperatorFamily.BOOLEAN: ValueRule(values.parse_bool, values.BOOL_EXPECTED),
    OperatorFamily.NULL: ValueRule(values.parse_bool, values.BOOL_EXPECTED),
    OperatorFamily.BINARY: ValueRule(values.parse_base64, values.BASE64_EXPECTED,
                                     text_only="base-64"),
    OperatorFamily.IP_ADDRESS: ValueRule(values.parse_network, values.NETWORK_EXPECTED,
                                         text_only=values.NETWORK_EXPECTED),
})

# The operators page allows variables with String, Arn and Bool operators only.
_FAMILIES_WITH_VARIABLES = frozenset({OperatorFamily.STRING, OperatorFamily.ARN,
                                      OperatorFamily.BOOLEAN})


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """One base operator (no set qualifier, no `IfExists`)."""

    name: str
    family: OperatorFamily
    comparison: Comparison
    negated: bool = False

    @property
    def allows_variables(self) -> bool:
        return self.family in _FAMILIES_WITH_VARIABLES

    @property
    def allows_modifiers(self) -> bool:
        """`...IfExists` and `ForAllValues:`/`ForAnyValue:` apply to all but Null."""
        return self.family is not OperatorFamily.NULL

    @property
    def values(self) -> ValueRule:
        return _FAMILY_VALUES[self.family]


def _family(family: OperatorFamily, *rows: tuple[str, Comparison, bool]) -> list[OperatorSpec]:
    return [OperatorSpec(name, family, comparison, negated) for name, comparison, negated in rows]


_C = Comparison
_SPECS = (
    *_family(OperatorFamily.STRING,
             ("StringEquals", _C.EQUALS, False), ("StringNotEquals", _C.EQUALS, True),
             ("StringEqualsIgnoreCase", _C.EQUALS_IGNORE_CASE, False),
             ("StringNotEqualsIgnoreCase", _C.EQUALS_IGNORE_CASE, True),
             ("StringLike", _C.LIKE, False), ("StringNotLike", _C.LIKE, True)),
    *_family(OperatorFamily.NUMERIC,
             ("NumericEquals", _C.EQUALS, False), ("NumericNotEquals", _C.EQUALS, True),
             ("NumericLessThan", _C.LESS_THAN, False),
             ("NumericLessThanEquals", _C.LESS_THAN_EQUALS, False),
             ("NumericGreaterThan", _C.GREATER_THAN, False),
             ("NumericGreaterThanEquals", _C.GREATER_THAN_EQUALS, False)),
    *_family(OperatorFamily.DATE,
             ("DateEquals", _C.EQUALS, False), ("DateNotEquals", _C.EQUALS, True),
             ("DateLessThan", _C.LESS_THAN, False),
             ("DateLessThanEquals", _C.LESS_THAN_EQUALS, False),
             ("DateGreaterThan", _C.GREATER_THAN, False),
             ("DateGreaterThanEquals", _C.GREATER_THAN_EQUALS, False)),
    *_family(OperatorFamily.BOOLEAN, ("Bool", _C.EQUALS, False)),
    *_family(OperatorFamily.BINARY, ("BinaryEquals", _C.EQUALS, False)),
    *_family(OperatorFamily.IP_ADDRESS,
             ("IpAddress", _C.IN_RANGE, False), ("NotIpAddress", _C.IN_RANGE, True)),
    # ArnEquals and ArnLike behave identically: both take wildcards per component.
    *_family(OperatorFamily.ARN,
             ("ArnEquals", _C.LIKE, False), ("ArnLike", _C.LIKE, False),
             ("ArnNotEquals", _C.LIKE, True), ("ArnNotLike", _C.LIKE, True)),
    *_family(OperatorFamily.NULL, ("Null", _C.IS_ABSENT, False)),
)

OPERATORS: Mapping[str, OperatorSpec] = MappingProxyType({s.name: s for s in _SPECS})
"""Base operator name -> its specification."""


# ------------------------------------------------------------------------ written forms


class OperatorErrorReason(StrEnum):
    UNKNOWN_QUALIFIER = "unknown-qualifier"
    UNKNOWN_OPERATOR = "unknown-operator"
    MODIFIER_NOT_ALLOWED = "modifier-not-allowed"


class OperatorError(ValueError):
    """An operator as written that AWS does not accept; `message` is the user-facing text."""

    def __init__(self, written: str, reason: OperatorErrorReason,
                 base: OperatorSpec | None = None) -> None:
        self.written = written
        self.reason = reason
        self.base = base
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.reason is OperatorErrorReason.UNKNOWN_QUALIFIER:
            return (f"unknown condition operator `{self.written}` (set operators are "
                    "`ForAllValues:` and `ForAnyValue:`)")
        if self.reason is OperatorErrorReason.MODIFIER_NOT_ALLOWED and self.base is not None:
            return (f"condition operator `{self.written}` is not supported: `{self.base.name}` "
                    "takes neither `IfExists` nor a set operator")
        return f"unknown condition operator `{self.written}`"


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    """An operator as written, split into set qualifier, base operator and `IfExists`."""

    written: str
    spec: OperatorSpec
    set_qualifier: SetQualifier | None
    if_exists: bool


def parse_operator(written: str) -> ParsedOperator:
    """Split `ForAnyValue:StringLikeIfExists`; raises `OperatorError`."""
    qualifier_text, colon, rest = written.rpartition(":")
    qualifier = None
    if colon:
        try:
            qualifier = SetQualifier(qualifier_text)
        except ValueError:
            raise OperatorError(written, OperatorErrorReason.UNKNOWN_QUALIFIER) from None
    if_exists = rest.endswith(IF_EXISTS) and rest != IF_EXISTS
    base = rest.removesuffix(IF_EXISTS) if if_exists else rest
    spec = OPERATORS.get(base)
    if spec is None:
        raise OperatorError(written, OperatorErrorReason.UNKNOWN_OPERATOR)
    if not spec.allows_modifiers and (if_exists or qualifier is not None):
        raise OperatorError(written, OperatorErrorReason.MODIFIER_NOT_ALLOWED, spec)
    return ParsedOperator(written, spec, qualifier, if_exists)


# ---------------------------------------------------------------------------- values


def value_problem(spec: OperatorSpec, texts: tuple[str, ...], *,
                  variables_enabled: bool) -> str | None:
    """Why these policy values (in their IAM text form) do not suit the operator; None if
    they do. Policy-variable syntax is checked on its own (`model.variables`)."""
    if variables_enabled and not spec.allows_variables:
        with_variable = next((text for text in texts if "${" in text), None)
        if with_variable is not None:
            return f"policy variables cannot be used with `{spec.name}`: `{with_variable}`"
    parse = spec.values.parse
    if parse is None:
        return None
    for text in texts:
        constant = text
        if variables_enabled and spec.allows_variables:
            try:
                template = compile_template(text, variables_enabled=True)
            except VariableSyntaxError as error:
                return error.message
            if template.has_variables:
                continue  # known only per request
            constant = "".join(p.text if isinstance(p, Literal) else p for p in template.parts)
        if parse(constant) is None:
            return f"`{constant}` is not {spec.values.expected}"
    return None

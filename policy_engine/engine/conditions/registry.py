"""Every base condition operator AWS defines, with its family and how to compile it.

Source: IAM-UG/reference_policies_elements_condition_operators.html. Names are
case-sensitive, as AWS writes them. A negated operator compiles the matcher of its positive
twin; `block.py` applies the negation (NOR over the policy values).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policy_engine.engine.conditions.arn import compile_arn_like
from policy_engine.engine.conditions.base import Family, MatcherFactory
from policy_engine.engine.conditions.binary import compile_binary_equals
from policy_engine.engine.conditions.boolean import compile_bool
from policy_engine.engine.conditions.date import compile_date
from policy_engine.engine.conditions.ip import compile_ip_address
from policy_engine.engine.conditions.numeric import compile_numeric
from policy_engine.engine.conditions.string import (
    compile_string_equals,
    compile_string_equals_ignore_case,
    compile_string_like,
)


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str
    family: Family
    negated: bool
    compile: MatcherFactory | None  # None only for Null, which inspects presence alone

    @property
    def allows_variables(self) -> bool:
        return self.family in _FAMILIES_WITH_VARIABLES

    @property
    def allows_modifiers(self) -> bool:
        """`...IfExists` and `ForAllValues:`/`ForAnyValue:` apply to all but Null."""
        return self.family is not Family.NULL


_FAMILIES_WITH_VARIABLES = frozenset({Family.STRING, Family.ARN, Family.BOOLEAN})


def _spec(
    name: str, family: Family, factory: MatcherFactory | None, *, negated: bool = False
) -> OperatorSpec:
    return OperatorSpec(name, family, negated, factory)


_S, _N, _D, _A = Family.STRING, Family.NUMERIC, Family.DATE, Family.ARN

_SPECS = (
    _spec("StringEquals", _S, compile_string_equals),
    _spec("StringNotEquals", _S, compile_string_equals, negated=True),
    _spec("StringEqualsIgnoreCase", _S, compile_string_equals_ignore_case),
    _spec("StringNotEqualsIgnoreCase", _S, compile_string_equals_ignore_case, negated=True),
    _spec("StringLike", _S, compile_string_like),
    _spec("StringNotLike", _S, compile_string_like, negated=True),
    _spec("NumericEquals", _N, compile_numeric(operator.eq)),
    _spec("NumericNotEquals", _N, compile_numeric(operator.eq), negated=True),
    _spec("NumericLessThan", _N, compile_numeric(operator.lt)),
    _spec("NumericLessThanEquals", _N, compile_numeric(operator.le)),
    _spec("NumericGreaterThan", _N, compile_numeric(operator.gt)),
    _spec("NumericGreaterThanEquals", _N, compile_numeric(operator.ge)),
    _spec("DateEquals", _D, compile_date(operator.eq)),
    _spec("DateNotEquals", _D, compile_date(operator.eq), negated=True),
    _spec("DateLessThan", _D, compile_date(operator.lt)),
    _spec("DateLessThanEquals", _D, compile_date(operator.le)),
    _spec("DateGreaterThan", _D, compile_date(operator.gt)),
    _spec("DateGreaterThanEquals", _D, compile_date(operator.ge)),
    _spec("Bool", Family.BOOLEAN, compile_bool),
    _spec("BinaryEquals", Family.BINARY, compile_binary_equals),
    _spec("IpAddress", Family.IP_ADDRESS, compile_ip_address),
    _spec("NotIpAddress", Family.IP_ADDRESS, compile_ip_address, negated=True),
    _spec("ArnEquals", _A, compile_arn_like),
    _spec("ArnLike", _A, compile_arn_like),
    _spec("ArnNotEquals", _A, compile_arn_like, negated=True),
    _spec("ArnNotLike", _A, compile_arn_like, negated=True),
    _spec("Null", Family.NULL, None),
)

OPERATORS: Mapping[str, OperatorSpec] = MappingProxyType({s.name: s for s in _SPECS})
"""Base operator name (no qualifier, no `IfExists`) -> its specification."""

OPERATOR_FAMILIES: Mapping[str, Family] = MappingProxyType({s.name: s.family for s in _SPECS})
"""Base operator name -> family, for lint."""

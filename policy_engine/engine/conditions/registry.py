"""The engine's side of the operator table: which matcher compiles each operator's values.

The operators themselves (names, families, negation, modifiers) are data in
`policy_engine.model.operators`; here each (family, comparison) pair gets the factory that
turns policy values into a `Matcher`. A negated operator compiles the matcher of its
positive twin; `block.py` applies the negation (NOR over the policy values).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from types import MappingProxyType

from policy_engine.engine.conditions.arn import compile_arn_like
from policy_engine.engine.conditions.base import MatcherFactory
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
from policy_engine.model.operators import OPERATORS, Comparison, OperatorFamily, OperatorSpec

_ORDERINGS = {
    Comparison.EQUALS: operator.eq,
    Comparison.LESS_THAN: operator.lt,
    Comparison.LESS_THAN_EQUALS: operator.le,
    Comparison.GREATER_THAN: operator.gt,
    Comparison.GREATER_THAN_EQUALS: operator.ge,
}

_F, _C = OperatorFamily, Comparison
MATCHERS: Mapping[tuple[OperatorFamily, Comparison], MatcherFactory] = MappingProxyType({
    (_F.STRING, _C.EQUALS): compile_string_equals,
    (_F.STRING, _C.EQUALS_IGNORE_CASE): compile_string_equals_ignore_case,
    (_F.STRING, _C.LIKE): compile_string_like,
    **{(_F.NUMERIC, c): compile_numeric(order) for c, order in _ORDERINGS.items()},
    **{(_F.DATE, c): compile_date(order) for c, order in _ORDERINGS.items()},
    (_F.BOOLEAN, _C.EQUALS): compile_bool,
    (_F.BINARY, _C.EQUALS): compile_binary_equals,
    (_F.IP_ADDRESS, _C.IN_RANGE): compile_ip_address,
    (_F.ARN, _C.LIKE): compile_arn_like,
})
"""(family, comparison) -> matcher factory; Null has none: it inspects presence alone."""


def matcher_factory(spec: OperatorSpec) -> MatcherFactory | None:
    return MATCHERS.get((spec.family, spec.comparison))


# Every operator but Null must have a matcher: checked once, at import.
assert all(matcher_factory(s) for s in OPERATORS.values() if s.family is not _F.NULL)

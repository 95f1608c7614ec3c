"""Conditions of one statement that no request can satisfy together.

Only single-valued keys the catalogue or the global-key table types are judged (a
multivalued key can hold values that meet each condition separately), only operators
without a set qualifier, and only values without policy variables. A request either
lacks the key — then positive operators fail and negated ones, `...IfExists` and
`Null: true` hold — or carries exactly one value, which must meet every condition on the
key. The statement can never apply when the key must be present (a positive operator
without `IfExists`, or `Null: false`) and no single value meets them all, or when the key
must be absent (`Null: true`) and present at once.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from policy_engine.analysis.patterns import pattern_includes
from policy_engine.catalog import condition_key
from policy_engine.engine.wildcard import compile_wildcard
from policy_engine.global_keys import KeyType
from policy_engine.model import values as parse
from policy_engine.model.operators import (
    Comparison,
    OperatorError,
    OperatorFamily,
    ParsedOperator,
    parse_operator,
)
from policy_engine.model.policy import Statement
from policy_engine.model.values import canonical_text


@dataclass(frozen=True, slots=True)
class _Condition:
    operator: ParsedOperator
    values: tuple[str, ...]


_ORDERED_TYPES = {OperatorFamily.NUMERIC: (KeyType.NUMERIC, parse.parse_number),
                  OperatorFamily.DATE: (KeyType.DATE, parse.parse_date)}


def contradictory_keys(statement: Statement) -> list[str]:
    """The condition keys (as first written) whose conditions no request can meet."""
    by_key: dict[str, list[_Condition]] = {}
    written: dict[str, str] = {}
    for operator, block in (statement.condition or {}).items():
        try:
            parsed = parse_operator(operator)
        except OperatorError:
            return []
        for key, raw in block.items():
            texts = tuple(canonical_text(v) for v in raw)
            by_key.setdefault(key.lower(), []).append(_Condition(parsed, texts))
            written.setdefault(key.lower(), key)
    return [written[key] for key, conditions in by_key.items()
            if len(conditions) > 1 and _contradicts(key, conditions)]


def _contradicts(key: str, conditions: list[_Condition]) -> bool:
    spec = condition_key(key)
    if spec is None or spec.multivalued:
        return False
    if any(c.operator.set_qualifier is not None or not c.values
           or any("${" in v for v in c.values) for c in conditions):
        return False
    nulls = [c for c in conditions if c.operator.spec.family is OperatorFamily.NULL]
    others = [c for c in conditions if c.operator.spec.family is not OperatorFamily.NULL]
    absent_allowed = all(_null_accepts(c, absent=True) for c in nulls)
    present_allowed = all(_null_accepts(c, absent=False) for c in nulls)
    must_be_present = not absent_allowed or any(
        not c.operator.spec.negated and not c.operator.if_exists for c in others)
    if must_be_present and not present_allowed:
        return True
    if not must_be_present or not others:
        return False
    return not _some_value_meets(spec.type, others)


def _null_accepts(condition: _Condition, *, absent: bool) -> bool:
    accepted = {parse.parse_bool(v) for v in condition.values}
    return absent in accepted


def _some_value_meets(key_type: KeyType, conditions: list[_Condition]) -> bool:
    """Whether one request value can meet every condition; True when unsure."""
    families = {c.operator.spec.family for c in conditions}
    if families == {OperatorFamily.STRING}:
        return _string_satisfiable(conditions)
    if families == {OperatorFamily.BOOLEAN} and key_type is KeyType.BOOL:
        return _candidates_satisfy([("true",), ("false",)], conditions, _bool_meets)
    if len(families) == 1:
        family = next(iter(families))
        ordered = _ORDERED_TYPES.get(family)
        if ordered is not None and ordered[0] is key_type:
            return _ordered_satisfiable(conditions, ordered[1])
    return True


def _candidates_satisfy(candidates: Iterable[tuple[str, ...]], conditions: list[_Condition],
                        meets: Callable[[_Condition, str], bool]) -> bool:
    return any(all(meets(c, candidate[0]) for c in conditions) for candidate in candidates)


def _bool_meets(condition: _Condition, value: str) -> bool:
    return any(parse.parse_bool(v) is (value == "true") for v in condition.values)


def _string_meets(condition: _Condition, value: str) -> bool:
    comparison = condition.operator.spec.comparison
    if comparison is Comparison.EQUALS:
        found = value in condition.values
    elif comparison is Comparison.EQUALS_IGNORE_CASE:
        found = value.lower() in {v.lower() for v in condition.values}
    else:
        found = any(compile_wildcard(v).matches(value) for v in condition.values)
    return found != condition.operator.spec.negated


def _string_satisfiable(conditions: list[_Condition]) -> bool:
    exact = [c for c in conditions if c.operator.spec.comparison is Comparison.EQUALS
             and not c.operator.spec.negated]
    if exact:
        # The value must be one of these: try each (a finite, exact search).
        return _candidates_satisfy(((v,) for v in exact[0].values), conditions,
                                   _string_meets)
    likes = [c for c in conditions if c.operator.spec.comparison is Comparison.LIKE
             and not c.operator.spec.negated]
    unlikes = [c for c in conditions if c.operator.spec.comparison is Comparison.LIKE
               and c.operator.spec.negated]
    # Every pattern a StringLike accepts is also refused by a StringNotLike pattern.
    return not any(all(any(pattern_includes(n, v) for u in unlikes for n in u.values)
                       for v in like.values) for like in likes)


def _ordered_satisfiable(conditions: list[_Condition], read: Callable[[str], Any]) -> bool:
    lower: tuple[Any, bool] | None = None  # (bound, inclusive)
    upper: tuple[Any, bool] | None = None
    equal: set[Any] | None = None
    unequal: set[Any] = set()
    for condition in conditions:
        numbers = [read(v) for v in condition.values]
        if any(n is None for n in numbers):
            return True
        comparison, negated = condition.operator.spec.comparison, condition.operator.spec.negated
        if comparison is Comparison.EQUALS:
            if negated:
                unequal.update(numbers)
            else:
                equal = set(numbers) if equal is None else equal & set(numbers)
        elif comparison in (Comparison.GREATER_THAN, Comparison.GREATER_THAN_EQUALS):
            bound = (min(numbers), comparison is Comparison.GREATER_THAN_EQUALS)
            lower = bound if lower is None else max(lower, bound, key=_lower_key)
        elif comparison in (Comparison.LESS_THAN, Comparison.LESS_THAN_EQUALS):
            bound = (max(numbers), comparison is Comparison.LESS_THAN_EQUALS)
            upper = bound if upper is None else min(upper, bound, key=_upper_key)
    if equal is not None:
        return any(_within(n, lower, upper) and n not in unequal for n in equal)
    if lower is not None and upper is not None:
        if lower[0] > upper[0]:
            return False
        if lower[0] == upper[0]:
            return lower[1] and upper[1] and lower[0] not in unequal
    return True


def _lower_key(bound: tuple[Any, bool]) -> tuple[Any, int]:
    return bound[0], 0 if bound[1] else 1  # an exclusive bound is the tighter lower one


def _upper_key(bound: tuple[Any, bool]) -> tuple[Any, int]:
    return bound[0], 1 if bound[1] else 0


def _within(value: Any, lower: tuple[Any, bool] | None, upper: tuple[Any, bool] | None) -> bool:
    if lower is not None and (value < lower[0] or (value == lower[0] and not lower[1])):
        return False
    return not (upper is not None and (value > upper[0] or (value == upper[0]
                                                            and not upper[1])))

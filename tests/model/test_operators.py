"""The operator table as data: every operator AWS documents, with its family and modifiers."""

from __future__ import annotations

import pytest

from policy_engine.engine.conditions import MATCHERS
from policy_engine.model.operators import (
    OPERATORS,
    OperatorError,
    OperatorErrorReason,
    OperatorFamily,
    SetQualifier,
    parse_operator,
)


def test_registry_has_every_documented_operator():
    """IAM-UG/reference_policies_elements_condition_operators.html lists these operators."""
    assert set(OPERATORS) == {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
        "DateGreaterThan", "DateGreaterThanEquals",
        "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
        "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    }  # fmt: skip
    assert OPERATORS["ArnLike"].family is OperatorFamily.ARN
    assert OPERATORS["NotIpAddress"].family is OperatorFamily.IP_ADDRESS
    assert OPERATORS["StringNotLike"].negated


def test_every_operator_but_null_has_a_matcher():
    """The engine compiles every operator the model accepts (Null inspects presence only)."""
    for spec in OPERATORS.values():
        has_matcher = (spec.family, spec.comparison) in MATCHERS
        assert has_matcher is (spec.family is not OperatorFamily.NULL), spec.name


@pytest.mark.parametrize(("written", "qualifier", "if_exists", "base"), [
    ("StringLike", None, False, "StringLike"),
    ("ForAnyValue:StringLikeIfExists", SetQualifier.FOR_ANY_VALUE, True, "StringLike"),
    ("ForAllValues:ArnEquals", SetQualifier.FOR_ALL_VALUES, False, "ArnEquals"),
    ("NumericLessThanIfExists", None, True, "NumericLessThan"),
])
def test_parse_operator_splits_the_written_form(written, qualifier, if_exists, base):
    """IAM-UG/reference_policies_elements_condition_operators.html: `...IfExists`, and the
    set operators of reference_policies_condition-single-vs-multi-valued-context-keys.html."""
    parsed = parse_operator(written)
    assert (parsed.set_qualifier, parsed.if_exists, parsed.spec.name) == (qualifier, if_exists,
                                                                          base)


@pytest.mark.parametrize(("written", "reason"), [
    ("StringEqual", OperatorErrorReason.UNKNOWN_OPERATOR),
    ("IfExists", OperatorErrorReason.UNKNOWN_OPERATOR),
    ("ForEveryValue:StringLike", OperatorErrorReason.UNKNOWN_QUALIFIER),
    ("NullIfExists", OperatorErrorReason.MODIFIER_NOT_ALLOWED),
    ("ForAnyValue:Null", OperatorErrorReason.MODIFIER_NOT_ALLOWED),
])
def test_bad_operators_carry_a_structured_reason(written, reason):
    """The operators page: Null takes neither `IfExists` nor a set operator."""
    with pytest.raises(OperatorError) as caught:
        parse_operator(written)
    assert caught.value.reason is reason
    assert caught.value.written == written
    assert f"`{written}`" in caught.value.message

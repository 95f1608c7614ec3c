"""Units behind the resource-policy and reachability rules: caller restriction,
statement coverage and condition contradictions."""

from __future__ import annotations

from typing import Any

import pytest

from policy_engine.lint import caller
from policy_engine.lint.contradictions import contradictory_keys
from policy_engine.lint.coverage import actions_cover, resource_pattern_includes, statement_covers
from policy_engine.model.policy import Statement


def _statement(**body: Any) -> Statement:
    return Statement.model_validate({"Effect": "Allow", **body})


@pytest.mark.parametrize(("key", "value", "pins"), [
    ("aws:principalarn", "arn:aws:iam::111122223333:role/app-*", True),
    ("aws:principalarn", "arn:aws:iam::*:role/app", False),
    ("aws:sourcearn", "arn:aws:s3:::bucket", True),
    ("aws:sourcearn", "arn:aws:s3:::bucket-*", False),
    ("aws:principalorgpaths", "o-a1b2c3d4e5/*", True),
    ("aws:principalorgpaths", "o-*/*", False),
    ("aws:principalorgid", "o-a1b2c3d4e5", True),
    ("aws:principalorgid", "${aws:PrincipalOrgID}", False),
])
def test_value_pins(key: str, value: str, pins: bool) -> None:
    assert caller.value_pins(key, value) is pins


def test_restriction_needs_a_condition_that_must_hold() -> None:
    assert caller.restricts("StringEquals", "aws:SourceAccount", ("111122223333",))
    assert caller.restricts("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", ("o-abc/*",))
    assert not caller.restricts("StringEqualsIfExists", "aws:SourceAccount", ("111122223333",))
    assert not caller.restricts("ForAllValues:StringEquals", "aws:SourceAccount", ("1",))
    assert not caller.restricts("StringNotEquals", "aws:SourceAccount", ("111122223333",))
    assert not caller.restricts("StringEquals", "aws:RequestedRegion", ("us-east-1",))


def test_catalogue_expansion_covers_a_wildcard_listed_in_full() -> None:
    # `s3:GetObjectAcl` and `s3:GetObjectAttributes` … : s3:GetObjectA* today.
    from policy_engine.lint.coverage import catalogue_matches
    listed = tuple(catalogue_matches("s3:GetObjectA*"))
    assert listed
    general = _statement(Action=list(listed), Resource="*")
    assert actions_cover(general, _statement(Action="s3:GetObjectA*", Resource="*"))
    assert not actions_cover(general, _statement(Action="s3:GetObject*", Resource="*"))


def test_unknown_wildcard_action_is_never_covered_by_the_catalogue() -> None:
    general = _statement(Action=["s3:GetObject"], Resource="*")
    assert not actions_cover(general, _statement(Action="s3:Nothing*", Resource="*"))


def test_resource_variables() -> None:
    assert resource_pattern_includes("arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*")
    assert not resource_pattern_includes("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/x/*")
    assert resource_pattern_includes("arn:aws:s3:::b/${aws:username}/*",
                                     "arn:aws:s3:::b/${aws:username}/*")


def test_conditions_compare_by_implication() -> None:
    regions = ["us-east-1", "eu-west-1"]
    wide = _statement(Action="s3:*", Resource="*",
                      Condition={"StringEquals": {"aws:RequestedRegion": regions}})
    narrow = _statement(Action="s3:GetObject", Resource="*",
                        Condition={"StringEquals": {"aws:requestedregion": "us-east-1"}})
    assert statement_covers(wide, narrow)
    assert not statement_covers(narrow, wide)


@pytest.mark.parametrize(("condition", "contradicts"), [
    ({"StringEquals": {"aws:SourceVpc": "vpc-1"}, "StringNotEquals": {"aws:SourceVpc": "vpc-1"}},
     True),
    ({"StringEquals": {"aws:SourceVpc": "vpc-1"}, "StringLike": {"aws:SourceVpc": "vpc-2*"}}, True),
    ({"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]},
      "StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, False),
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"},
      "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, True),
    ({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "10"},
      "NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "10"}}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "10"},
      "NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "10"}}, True),
    ({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
      "DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, True),
    ({"Null": {"aws:SourceVpc": "true"}, "StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, False),
    ({"StringEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"},
      "StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, False),
    ({"StringEquals": {"some:UnknownKey": "a"}, "StringNotEquals": {"some:UnknownKey": "a"}},
     False),
])
def test_contradictions(condition: dict[str, Any], contradicts: bool) -> None:
    statement = _statement(Action="s3:GetObject", Resource="*", Condition=condition)
    assert bool(contradictory_keys(statement)) is contradicts

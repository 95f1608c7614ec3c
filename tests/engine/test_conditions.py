"""Condition operators, table-driven: each row's expectation follows the cited AWS page.

`IAM-UG/` abbreviates https://docs.aws.amazon.com/IAM/latest/UserGuide/ (as in
shared/AWS-EVALUATION-SPEC.md). Rows marked [I] are derived from documented rules rather
than stated in one sentence.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import pytest

from policy_engine.engine.conditions import (
    ConditionCompileError,
    ConditionResult,
    compile_condition_block,
)
from policy_engine.engine.conditions import arn as arn_module
from policy_engine.engine.conditions import ip as ip_module
from policy_engine.engine.conditions import string as string_module
from policy_engine.engine.context import build_context


class _Missing:
    """The key is absent from the request context (a stable repr keeps test ids stable)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def evaluate_one(
    operator: str,
    key: str,
    values: Sequence[str | bool | int | float],
    request: object,
    *,
    extra: Mapping[str, object] | None = None,
    deny: bool = False,
    variables: bool = True,
) -> ConditionResult:
    """Evaluate a one-pair block; also checks that the hot path agrees with `explain`."""
    raw: dict[str, object] = dict(extra or {})
    if request is not MISSING:
        raw[key] = request
    context = build_context(raw)
    block = compile_condition_block(
        {operator: {key: tuple(values)}}, variables_enabled=variables, deny_statement=deny
    )
    (result,) = block.explain(context)
    failure = block.first_failure(context)
    assert (failure is None) == result.holds
    if failure is not None:
        assert failure == result
    return result


def rows(*table: tuple) -> list:
    return [pytest.param(*row, id="-".join(map(str, row))[:90]) for row in table]


# ---------------------------------------------------------------------------------------
# Every operator: present-key match, present-key non-match, missing key, IfExists form.
# ---------------------------------------------------------------------------------------

STRING_ROWS = rows(
    ("StringEquals", ["dev"], "dev", True),
    ("StringEquals", ["dev"], "Dev", False),
    ("StringEquals", ["dev"], MISSING, False),
    ("StringEqualsIfExists", ["dev"], MISSING, True),
    ("StringEqualsIfExists", ["dev"], "prod", False),
    ("StringEqualsIfExists", ["dev"], "dev", True),
    ("StringEquals", ["de*"], "dev", False),  # [I] `*` is a wildcard only in Like forms
    ("StringEquals", ["de*"], "de*", True),  # [I]
    ("StringNotEquals", ["dev"], "prod", True),
    ("StringNotEquals", ["dev"], "dev", False),
    ("StringNotEquals", ["dev"], MISSING, True),
    ("StringNotEqualsIfExists", ["dev"], MISSING, True),
    ("StringNotEqualsIfExists", ["dev"], "dev", False),
    ("StringEqualsIgnoreCase", ["Dev"], "dEV", True),
    ("StringEqualsIgnoreCase", ["Dev"], "prod", False),
    ("StringEqualsIgnoreCase", ["Dev"], MISSING, False),
    ("StringEqualsIgnoreCaseIfExists", ["Dev"], MISSING, True),
    ("StringEqualsIgnoreCaseIfExists", ["Dev"], "DEV", True),
    ("StringNotEqualsIgnoreCase", ["Dev"], "prod", True),
    ("StringNotEqualsIgnoreCase", ["Dev"], "DEV", False),
    ("StringNotEqualsIgnoreCase", ["Dev"], MISSING, True),
    ("StringNotEqualsIgnoreCaseIfExists", ["Dev"], MISSING, True),
    ("StringNotEqualsIgnoreCaseIfExists", ["Dev"], "dev", False),
    ("StringLike", ["d?v*"], "dev-1", True),
    ("StringLike", ["d?v*"], "Dev-1", False),
    ("StringLike", ["d?v*"], "dv", False),
    ("StringLike", ["dev"], "dev-1", False),
    ("StringLike", ["d?v*"], MISSING, False),
    ("StringLikeIfExists", ["d?v*"], MISSING, True),
    ("StringLikeIfExists", ["d?v*"], "prod", False),
    ("StringNotLike", ["dev*"], "prod", True),
    ("StringNotLike", ["dev*"], "dev-2", False),
    ("StringNotLike", ["dev*"], MISSING, True),
    ("StringNotLikeIfExists", ["dev*"], MISSING, True),
    ("StringNotLikeIfExists", ["dev*"], "dev", False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), STRING_ROWS)
def test_string_operators(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_String:
    StringEquals exact and case sensitive, IgnoreCase ignoring case, Like with `*`/`?`
    anywhere (wildcards documented for the Like forms only); a missing key does not match,
    except for negated operators and `...IfExists` (#Conditions_IfExists).
    """
    result = evaluate_one(operator, "aws:PrincipalTag/team", values, request_value)
    assert result.holds is expected


NUMERIC_ROWS = rows(
    ("NumericEquals", ["10"], "10", True),
    ("NumericEquals", ["10"], "10.0", True),  # [I] compared as numbers, not text
    ("NumericEquals", ["10"], "11", False),
    ("NumericEquals", ["10"], MISSING, False),
    ("NumericEqualsIfExists", ["10"], MISSING, True),
    ("NumericEqualsIfExists", ["10"], "9", False),
    ("NumericNotEquals", ["10"], "11", True),
    ("NumericNotEquals", ["10"], "10", False),
    ("NumericNotEquals", ["10"], MISSING, True),
    ("NumericNotEqualsIfExists", ["10"], MISSING, True),
    ("NumericNotEqualsIfExists", ["10"], "10", False),
    ("NumericLessThan", ["10"], "9", True),
    ("NumericLessThan", ["10"], "10", False),
    ("NumericLessThan", ["10"], MISSING, False),
    ("NumericLessThanIfExists", ["10"], MISSING, True),
    ("NumericLessThanIfExists", ["10"], "9.5", True),
    ("NumericLessThanEquals", ["10"], "10", True),
    ("NumericLessThanEquals", ["10"], "11", False),
    ("NumericLessThanEquals", ["10"], MISSING, False),
    ("NumericLessThanEqualsIfExists", ["10"], MISSING, True),
    ("NumericGreaterThan", ["10"], "10.5", True),
    ("NumericGreaterThan", ["10"], "10", False),
    ("NumericGreaterThan", ["10"], MISSING, False),
    ("NumericGreaterThanIfExists", ["10"], MISSING, True),
    ("NumericGreaterThanEquals", ["10"], "10", True),
    ("NumericGreaterThanEquals", ["10"], "-1", False),
    ("NumericGreaterThanEquals", ["10"], MISSING, False),
    ("NumericGreaterThanEqualsIfExists", ["10"], MISSING, True),
    ("NumericLessThanEquals", [10], 10, True),
    ("NumericLessThan", ["0.5"], 0.25, True),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), NUMERIC_ROWS)
def test_numeric_operators(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Numeric:
    integer or decimal values; `NumericLessThanEquals` with `s3:max-keys` 10 allows up to 10;
    a missing key does not match except for negated operators and `...IfExists`.
    """
    result = evaluate_one(operator, "s3:max-keys", values, request_value)
    assert result.holds is expected


ISSUED = "2020-01-01T00:00:01Z"
DATE_ROWS = rows(
    ("DateEquals", [ISSUED], ISSUED, True),
    ("DateEquals", [ISSUED], "2020-01-01T00:00:02Z", False),
    ("DateEquals", [ISSUED], MISSING, False),
    ("DateEqualsIfExists", [ISSUED], MISSING, True),
    ("DateEqualsIfExists", [ISSUED], "2021-01-01T00:00:00Z", False),
    ("DateNotEquals", [ISSUED], "2021-01-01T00:00:00Z", True),
    ("DateNotEquals", [ISSUED], ISSUED, False),
    ("DateNotEquals", [ISSUED], MISSING, True),
    ("DateNotEqualsIfExists", [ISSUED], MISSING, True),
    ("DateLessThan", [ISSUED], "2019-12-31T23:59:59Z", True),
    ("DateLessThan", [ISSUED], ISSUED, False),
    ("DateLessThan", [ISSUED], MISSING, False),
    ("DateLessThanIfExists", [ISSUED], MISSING, True),
    ("DateLessThanEquals", [ISSUED], ISSUED, True),
    ("DateLessThanEquals", [ISSUED], "2020-06-01T00:00:00Z", False),
    ("DateLessThanEquals", [ISSUED], MISSING, False),
    ("DateLessThanEqualsIfExists", [ISSUED], MISSING, True),
    ("DateGreaterThan", [ISSUED], "2020-06-01T12:00:00Z", True),
    ("DateGreaterThan", [ISSUED], "2019-06-01T00:00:00Z", False),
    ("DateGreaterThan", [ISSUED], MISSING, False),
    ("DateGreaterThanIfExists", [ISSUED], MISSING, True),
    ("DateGreaterThanIfExists", [ISSUED], "2019-06-01T00:00:00Z", False),
    ("DateGreaterThanEquals", [ISSUED], ISSUED, True),
    ("DateGreaterThanEquals", [ISSUED], "2020-01-01T00:00:00Z", False),
    ("DateGreaterThanEquals", [ISSUED], MISSING, False),
    ("DateGreaterThanEqualsIfExists", [ISSUED], MISSING, True),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), DATE_ROWS)
def test_date_operators(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Date:
    the page's example is `DateGreaterThan` `aws:TokenIssueTime` `2020-01-01T00:00:01Z`;
    the key is absent for long-term access keys and then the values do not match.
    """
    result = evaluate_one(operator, "aws:TokenIssueTime", values, request_value)
    assert result.holds is expected


DATE_FORMAT_ROWS = rows(
    ("2020-01-01T00:00:00Z", "1577836800", True),
    ("1577836800", "2020-01-01T00:00:00Z", True),
    ("1577836800", 1577836800, True),
    ("2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
    ("2019-12-31T19:00-05:00", "2020-01-01T00:00:00Z", True),
    ("2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00Z", True),
    ("2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00Z", False),
    # [I] a reduced-precision form is read as its first instant, in UTC.
    ("2020-01-01", "2020-01-01T00:00:00Z", True),
    ("2020-01", "2020-01-01T00:00:00Z", True),
    ("2020", "2020-01-01T00:00:00Z", True),
    ("2020-01-01T00:00Z", "2020-01-01T00:00:00Z", True),
)


@pytest.mark.parametrize(("policy", "request_value", "expected"), DATE_FORMAT_ROWS)
def test_date_formats(policy, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Date:
    values use one of the W3C implementations of the ISO 8601 date formats
    (https://www.w3.org/TR/NOTE-datetime: YYYY, YYYY-MM, YYYY-MM-DD, hh:mmTZD, hh:mm:ssTZD,
    hh:mm:ss.sTZD) or epoch (UNIX) time; `aws:CurrentTime` and `aws:EpochTime` are
    compared as instants, so the same instant in two forms is equal.
    """
    result = evaluate_one("DateEquals", "aws:CurrentTime", [policy], request_value)
    assert result.holds is expected


BOOL_ROWS = rows(
    ("Bool", ["false"], "false", True),
    ("Bool", ["false"], "true", False),
    ("Bool", ["false"], MISSING, False),
    ("BoolIfExists", ["false"], MISSING, True),
    ("BoolIfExists", ["false"], "true", False),
    ("BoolIfExists", ["false"], "false", True),
    ("Bool", [False], False, True),
    ("Bool", ["true"], True, True),
    ("Bool", [True], False, False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), BOOL_ROWS)
def test_bool_operator(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Boolean:
    `Bool` compares a key to "true" or "false" (`aws:SecureTransport` "false" denies plain
    HTTP); a missing key does not match; `BoolIfExists` holds when the key is absent.
    """
    result = evaluate_one(operator, "aws:SecureTransport", values, request_value)
    assert result.holds is expected


BLOB = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="  # the page's example value
BINARY_ROWS = rows(
    ("BinaryEquals", [BLOB], BLOB, True),
    ("BinaryEquals", [BLOB], "T3RoZXJWYWx1ZQ==", False),
    ("BinaryEquals", [BLOB], MISSING, False),
    ("BinaryEqualsIfExists", [BLOB], MISSING, True),
    ("BinaryEqualsIfExists", [BLOB], "T3RoZXJWYWx1ZQ==", False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), BINARY_ROWS)
def test_binary_operator(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals:
    the key's value is compared byte for byte with the base-64 value in the policy; a
    missing key does not match.
    """
    result = evaluate_one(operator, "custom:blob", values, request_value)
    assert result.holds is expected


NET = "203.0.113.0/24"
NET6 = "2001:DB8:1234:5678::/64"
IP_ROWS = rows(
    ("IpAddress", [NET], "203.0.113.7", True),
    ("IpAddress", [NET], "198.51.100.1", False),
    ("IpAddress", [NET], MISSING, False),
    ("IpAddressIfExists", [NET], MISSING, True),
    ("IpAddressIfExists", [NET], "198.51.100.1", False),
    ("IpAddress", [NET, NET6], "2001:db8:1234:5678::1", True),
    ("IpAddress", [NET6], "2001:db8:1234:5679::1", False),
    ("IpAddress", ["::/0"], "203.0.113.7", False),  # [I] versions never mix
    ("IpAddress", ["0.0.0.0/0"], "2001:db8::1", False),  # [I]
    ("IpAddress", ["203.0.113.5"], "203.0.113.5", True),
    ("IpAddress", ["203.0.113.5"], "203.0.113.6", False),
    ("NotIpAddress", [NET], "198.51.100.1", True),
    ("NotIpAddress", [NET], "203.0.113.7", False),
    ("NotIpAddress", [NET], MISSING, True),
    ("NotIpAddressIfExists", [NET], MISSING, True),
    ("NotIpAddressIfExists", [NET], "203.0.113.200", False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), IP_ROWS)
def test_ip_operators(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_IPAddress:
    IPv4 or IPv6 CIDR (203.0.113.0/24, 2001:DB8:1234:5678::/64); an address without a
    prefix gets the default /32; `aws:SourceIp` is absent through a VPC endpoint and the
    condition is then false; `NotIpAddress` is every address except the range.
    """
    result = evaluate_one(operator, "aws:SourceIp", values, request_value)
    assert result.holds is expected


TOPIC = "arn:aws:sns:us-east-1:123456789012:topic-a"
ARN_ROWS = rows(
    ("ArnEquals", [TOPIC], TOPIC, True),
    ("ArnEquals", [TOPIC], "arn:aws:sns:us-east-1:123456789012:topic-b", False),
    ("ArnEquals", [TOPIC], "arn:aws:sns:us-east-1:123456789012:Topic-A", False),
    ("ArnEquals", [TOPIC], MISSING, False),
    ("ArnEqualsIfExists", [TOPIC], MISSING, True),
    ("ArnEqualsIfExists", [TOPIC], "arn:aws:sns:us-east-1:999999999999:topic-a", False),
    ("ArnEquals", ["arn:aws:sns:*:123456789012:*"], TOPIC, True),
    ("ArnLike", ["arn:aws:sns:*:123456789012:topic-?"], TOPIC, True),
    ("ArnLike", ["arn:aws:sns:*:123456789012:topic-?"], "arn:aws:sns:eu-west-1:1:topic-a", False),
    ("ArnLike", ["arn:aws:sns:*:123456789012:topic-?"], MISSING, False),
    ("ArnLikeIfExists", ["arn:aws:sns:*:123456789012:topic-?"], MISSING, True),
    ("ArnLike", ["arn:aws:logs:*:*:log-group:*"], "arn:aws:logs:us-east-1:1:log-group:a:b", True),
    ("ArnLike", ["arn:aws:sns:*:*:*"], "not-an-arn", False),  # [I] no six components
    ("ArnNotEquals", [TOPIC], "arn:aws:sns:us-east-1:123456789012:topic-b", True),
    ("ArnNotEquals", [TOPIC], TOPIC, False),
    ("ArnNotEquals", [TOPIC], MISSING, True),
    ("ArnNotEqualsIfExists", [TOPIC], MISSING, True),
    ("ArnNotLike", ["arn:aws:sns:*:123456789012:*"], "arn:aws:sns:us-east-1:999:topic-a", True),
    ("ArnNotLike", ["arn:aws:sns:*:123456789012:*"], TOPIC, False),
    ("ArnNotLike", ["arn:aws:sns:*:123456789012:*"], MISSING, True),
    ("ArnNotLikeIfExists", ["arn:aws:sns:*:123456789012:*"], MISSING, True),
    ("ArnNotLikeIfExists", ["arn:aws:sns:*:123456789012:*"], TOPIC, False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), ARN_ROWS)
def test_arn_operators(operator, values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_ARN:
    case-sensitive; each of the six colon-delimited components is checked separately and
    may use `*` and `?`; ArnEquals and ArnLike behave identically, as do ArnNotEquals and
    ArnNotLike; `aws:SourceArn` absent → the condition returns false.
    """
    result = evaluate_one(operator, "aws:SourceArn", values, request_value)
    assert result.holds is expected


@pytest.mark.parametrize(("operator", "expected"), rows(("ArnLike", False), ("StringLike", True)))
def test_arn_components_versus_string_like(operator, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_ARN: the
    page's own example — `arn:aws:someservice:*:111122223333:finance/*` against
    `arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt`
    succeeds with StringLike and fails with ArnLike.
    """
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    request = (
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    )
    assert evaluate_one(operator, "aws:SourceArn", [pattern], request).holds is expected


NULL_ROWS = rows(
    (["true"], MISSING, True),
    (["true"], "2020-01-01T00:00:00Z", False),
    (["true"], [], True),  # [I] an empty set is null
    (["false"], "2020-01-01T00:00:00Z", True),
    (["false"], MISSING, False),
    (["false"], [], False),  # [I]
    ([True], MISSING, True),
    ([False], MISSING, False),
    (["true", "false"], MISSING, True),
    (["true", "false"], "x", True),
)


@pytest.mark.parametrize(("values", "request_value", "expected"), NULL_ROWS)
def test_null_operator(values, request_value, expected):
    """IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Null: `true`
    means the key does not exist (is null), `false` that it exists and is not null;
    `aws:TokenIssueTime` exists only with temporary credentials. Several values OR
    (reference_policies_condition-logic-multiple-context-keys-or-values.html). An empty
    set counts as null (reference_policies_condition-single-vs-multi-valued-context-keys.html
    pairs `Null: false` with ForAllValues to reject empty values).
    """
    result = evaluate_one("Null", "aws:TokenIssueTime", values, request_value)
    assert result.holds is expected
    assert result.reason == "null-check"


# ---------------------------------------------------------------------------------------
# Set qualifiers.
# ---------------------------------------------------------------------------------------

ALLOWED_ATTRIBUTES = ["PostDateTime", "Message", "Tags"]
FORBIDDEN_ATTRIBUTES = ["ID", "PostDateTime"]
SET_ROWS = rows(
    # The DynamoDB example: every requested attribute must be in the list.
    ("ForAllValues:StringLike", ALLOWED_ATTRIBUTES, ["PostDateTime", "Message"], True),
    ("ForAllValues:StringLike", ALLOWED_ATTRIBUTES, ["PostDateTime", "UserName"], False),
    ("ForAllValues:StringLike", ALLOWED_ATTRIBUTES, MISSING, True),
    ("ForAllValues:StringLike", ALLOWED_ATTRIBUTES, [], True),
    # The Deny example: any forbidden attribute in the request.
    ("ForAnyValue:StringLike", FORBIDDEN_ATTRIBUTES, ["UserName", "Message", "PostDateTime"], True),
    ("ForAnyValue:StringLike", FORBIDDEN_ATTRIBUTES, ["UserName"], False),
    ("ForAnyValue:StringLike", FORBIDDEN_ATTRIBUTES, MISSING, False),
    ("ForAnyValue:StringLike", FORBIDDEN_ATTRIBUTES, [], False),
    # "an empty data set (for example, an empty string)": ForAllValues true, ForAnyValue false.
    ("ForAllValues:StringEquals", ["a"], "", True),
    ("ForAllValues:StringEquals", ["a"], [""], True),
    ("ForAnyValue:StringLike", ["*"], "", False),
    # ForAllValues:StringNotLike aws:TagKeys "key1*" (multivalued context key examples).
    ("ForAllValues:StringNotLike", ["key1*"], ["key1:legal"], False),
    ("ForAllValues:StringNotLike", ["key1*"], ["key1:hr", "key1:personnel"], False),
    ("ForAllValues:StringNotLike", ["key1*"], ["key2:audit"], True),
    ("ForAllValues:StringNotLike", ["key1*"], MISSING, True),
    # Negated with set operators.
    ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "d"], True),
    ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "a"], False),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
    ("ForAnyValue:StringNotEquals", ["a", "b"], MISSING, False),
    # ForAnyValue keeps the base operator's case rules.
    ("ForAnyValue:StringEquals", ["dev"], ["Dev", "prod"], False),
    ("ForAnyValue:StringEqualsIgnoreCase", ["dev"], ["Dev", "prod"], True),
    # With IfExists a missing key holds for both qualifiers.
    ("ForAllValues:StringEqualsIfExists", ["a"], MISSING, True),
    ("ForAnyValue:StringEqualsIfExists", ["a"], MISSING, True),
    ("ForAnyValue:StringEqualsIfExists", ["a"], ["b"], False),
    # Other families that have ArrayOf keys.
    ("ForAnyValue:Bool", ["true"], [False, True], True),
    ("ForAllValues:Bool", ["true"], [False, True], False),
    ("ForAllValues:ArnLike", ["arn:aws:iam::*:role/app-*"], ["arn:aws:iam::1:role/app-x"], True),
    ("ForAllValues:ArnLike", ["arn:aws:iam::*:role/app-*"], ["arn:aws:iam::1:user/bob"], False),
    ("ForAnyValue:ArnNotLike", ["arn:aws:iam::*:role/app-*"], ["arn:aws:iam::1:role/app-x"], False),
    ("ForAnyValue:NumericLessThan", ["10"], ["20", "5"], True),
    ("ForAllValues:NumericLessThan", ["10"], ["20", "5"], False),
    ("ForAllValues:IpAddress", ["10.0.0.0/8"], ["10.1.2.3", "10.4.5.6"], True),
    ("ForAnyValue:DateGreaterThan", ["2020-01-01T00:00:00Z"], ["2019-01-01", "2021-01-01"], True),
    # A single-valued key behaves as a set of one (and lint warns about it).
    ("ForAnyValue:StringEquals", ["a"], "a", True),
    ("ForAllValues:StringEquals", ["a"], "b", False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), SET_ROWS)
def test_set_qualifiers(operator, values, request_value, expected):
    """IAM-UG/reference_policies_condition-single-vs-multi-valued-context-keys.html:
    ForAllValues is true if every request value matches at least one policy value, and
    also if the key is absent or resolves to an empty data set; ForAnyValue is true if at
    least one request value matches, false when absent or empty; ForAllValues with a
    negated operator means no request value matches, ForAnyValue with one means at least
    one request value matches none. An empty data set "for example, an empty string"
    (reference_policies_multi-value-conditions.html, 2023 text). Tables from
    reference_policies_condition_examples-multi-valued-context-keys.html and the DynamoDB
    example of reference_policies_multi-value-conditions.html.
    """
    result = evaluate_one(operator, "aws:TagKeys", values, request_value)
    assert result.holds is expected


def test_set_qualifier_reasons():
    """IAM-UG/reference_policies_condition-single-vs-multi-valued-context-keys.html: a
    missing key makes ForAllValues true (the documented over-grant) and ForAnyValue false.
    """
    assert evaluate_one("ForAllValues:StringEquals", "k", ["a"], MISSING).reason == (
        "key-missing-forallvalues"
    )
    assert evaluate_one("ForAnyValue:StringEquals", "k", ["a"], MISSING).reason == "key-missing"
    assert evaluate_one("ForAllValues:StringEqualsIfExists", "k", ["a"], MISSING).reason == (
        "key-missing-ifexists"
    )


# ---------------------------------------------------------------------------------------
# Several values OR, several keys AND, negated operators NOR.
# ---------------------------------------------------------------------------------------

USER_A, USER_B = "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b"
ANY_USER, ANY_ROLE = "arn:aws:iam::1:user/*", "arn:aws:iam::1:role/*"
VALUE_LOGIC_ROWS = rows(
    ("StringEquals", ["audit", "security"], "security", True),
    ("StringEquals", ["audit", "security"], "finance", False),
    ("StringLike", ["a*", "b*"], "bravo", True),
    ("NumericEquals", ["1", "2"], "2", True),
    ("IpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "192.168.1.1", True),
    ("ArnLike", [ANY_USER, ANY_ROLE], "arn:aws:iam::1:role/r", True),
    ("StringNotEquals", ["audit", "security"], "security", False),
    ("StringNotEquals", ["audit", "security"], "finance", True),
    ("StringNotEqualsIgnoreCase", ["audit", "security"], "AUDIT", False),
    ("StringNotLike", ["a*", "b*"], "bravo", False),
    ("StringNotLike", ["a*", "b*"], "charlie", True),
    ("NumericNotEquals", ["1", "2"], "2", False),
    ("NumericNotEquals", ["1", "2"], "3", True),
    ("DateNotEquals", ["2020-01-01", "2021-01-01"], "2021-01-01T00:00:00Z", False),
    ("DateNotEquals", ["2020-01-01", "2021-01-01"], "2022-01-01T00:00:00Z", True),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "192.168.1.1", False),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "172.16.0.1", True),
    ("ArnNotEquals", [USER_A, USER_B], USER_B, False),
    ("ArnNotEquals", [USER_A, USER_B], "arn:aws:iam::1:user/c", True),
    ("ArnNotLike", [ANY_USER, ANY_ROLE], "arn:aws:iam::2:role/r", True),
    ("ArnNotLike", [ANY_USER, ANY_ROLE], USER_B, False),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), VALUE_LOGIC_ROWS)
def test_several_values_or_and_negated_nor(operator, values, request_value, expected):
    """IAM-UG/reference_policies_condition-logic-multiple-context-keys-or-values.html:
    several values for one key under one operator are evaluated with a logical OR; under
    a negated matching operator (StringNotEquals, NumericNotEquals, DateNotEquals,
    NotIpAddress, ArnNotEquals, ...) with a logical NOR.
    """
    result = evaluate_one(operator, "custom:key", values, request_value)
    assert result.holds is expected


ANA = "arn:aws:iam::222222222222:user/Ana"
MARY = "arn:aws:iam::222222222222:role/Mary"
PRINCIPAL_BLOCK = {
    "StringEquals": {
        "aws:PrincipalTag/department": ("finance", "hr", "legal"),
        "aws:PrincipalTag/role": ("audit", "security"),
    },
    "ArnLike": {"aws:PrincipalArn": (ANA, MARY)},
}
KEY_LOGIC_ROWS = rows(
    ("hr", "audit", ANA, True),
    ("legal", "security", MARY, True),
    ("hr", "dev", ANA, False),
    ("hr", MISSING, ANA, False),
    ("it", "audit", ANA, False),
    ("hr", "audit", "arn:aws:iam::222222222222:user/Bob", False),
)


@pytest.mark.parametrize(("department", "role", "principal_arn", "expected"), KEY_LOGIC_ROWS)
def test_several_keys_and_several_operators_and(department, role, principal_arn, expected):
    """IAM-UG/reference_policies_condition-logic-multiple-context-keys-or-values.html:
    several condition operators AND; several keys under one operator AND; all context
    keys in the block must resolve to true (the page's department/role/PrincipalArn
    bucket-policy example).
    """
    raw = {
        "aws:PrincipalTag/department": department,
        "aws:PrincipalTag/role": role,
        "aws:PrincipalArn": principal_arn,
    }
    context = build_context({k: v for k, v in raw.items() if v is not MISSING})
    block = compile_condition_block(PRINCIPAL_BLOCK, variables_enabled=True, deny_statement=False)
    assert (block.first_failure(context) is None) is expected


# ---------------------------------------------------------------------------------------
# Policy variables.
# ---------------------------------------------------------------------------------------

BOB = {"aws:username": "bob"}
TEAM = "${aws:PrincipalTag/team, 'company-wide'}"
STAR_TAG = {"aws:PrincipalTag/prefix": "*"}
USER_ARN = "arn:aws:iam::123456789012:user/${aws:username}"
BOB_ARN = "arn:aws:iam::123456789012:user/bob"
ROLE_ARN = "arn:aws:iam::1:role/r"
ROLE_CONTEXT = {"aws:PrincipalArn": ROLE_ARN}
VARIABLE_ROWS = rows(
    ("StringLike", ["", "home/", "home/${aws:username}/"], "home/bob/", BOB, True, "matched"),
    ("StringLike", ["home/${aws:username}/"], "home/alice/", BOB, False, "no-value-matched"),
    ("StringLike", ["home/${aws:username}/*"], "home/bob/x", BOB, True, "matched"),
    ("StringEquals", [TEAM], "company-wide", {}, True, "matched"),
    ("StringEquals", [TEAM], "blue", {"aws:PrincipalTag/team": "blue"}, True, "matched"),
    ("StringEquals", ["${aws:username}"], "bob", {}, False, "variable-missing"),
    ("StringLike", ["${aws:username}*"], "bob", {}, False, "variable-missing"),
    ("StringNotEquals", ["${aws:username}"], "bob", {}, True, "variable-missing"),
    ("StringNotLike", ["${aws:username}*"], "bob", {}, True, "variable-missing"),
    ("StringEquals", ["${aws:username}", "bob"], "bob", {}, True, "matched"),
    ("StringEquals", ["${AWS:UserName}"], "bob", BOB, True, "matched"),
    ("StringLike", ["a${*}b"], "a*b", {}, True, "matched"),
    ("StringLike", ["a${*}b"], "axb", {}, False, "no-value-matched"),
    ("StringLike", ["a${?}"], "ax", {}, False, "no-value-matched"),
    ("StringEquals", ["cost${$}"], "cost$", {}, True, "matched"),
    ("StringLike", ["${aws:PrincipalTag/prefix}"], "anything", STAR_TAG, False, "no-value-matched"),
    ("StringLike", ["${aws:PrincipalTag/prefix}"], "*", STAR_TAG, True, "matched"),
    ("StringEquals", ["${aws:TagKeys}"], "a", {"aws:TagKeys": ["a"]}, False, "variable-missing"),
    ("ArnLike", [USER_ARN], BOB_ARN, BOB, True, "matched"),
    ("ArnLike", [USER_ARN], BOB_ARN, {"aws:username": "ann"}, False, "no-value-matched"),
    ("ArnNotLike", [USER_ARN], BOB_ARN, {}, True, "variable-missing"),
    ("ArnEquals", ["${aws:PrincipalArn}"], ROLE_ARN, ROLE_CONTEXT, True, "matched"),
    ("Bool", ["${custom:flag}"], "true", {"custom:flag": "true"}, True, "matched"),
)


@pytest.mark.parametrize(
    ("operator", "values", "request_value", "extra", "expected", "reason"), VARIABLE_ROWS
)
def test_policy_variables(operator, values, request_value, extra, expected, reason):
    """IAM-UG/reference_policies_variables.html: `${key}` is replaced by the key's value
    from the request (key names are case-insensitive; only single-valued keys); a default
    follows a comma in single quotes; `${*}`, `${?}`, `${$}` stand for literal characters;
    a missing key without default makes positive string operators not match and negated
    ones match. Variables work in String and ARN operators (and per
    reference_policies_elements_condition_operators.html in Boolean ones).
    """
    result = evaluate_one(operator, "custom:key", values, request_value, extra=extra)
    assert (result.holds, result.reason) == (expected, reason)


@pytest.mark.parametrize(
    ("request_value", "expected"), rows(("${aws:username}", True), ("bob", False))
)
def test_variables_are_literal_text_without_version_2012(request_value, expected):
    """IAM-UG/reference_policies_variables.html: variables exist only with Version
    2012-10-17; under 2008-10-17 or without Version `${aws:username}` is literal text.
    """
    result = evaluate_one(
        "StringEquals", "custom:key", ["${aws:username}"], request_value,
        extra={"aws:username": "bob"}, variables=False,
    )  # fmt: skip
    assert result.holds is expected


# ---------------------------------------------------------------------------------------
# Ambiguities decided conservatively: multivalued without a set operator, unparsable input.
# ---------------------------------------------------------------------------------------

AMBIGUOUS_ROWS = rows(
    ("StringEquals", ["a"], ["a", "b"], "multivalued-key-without-set-operator"),
    ("StringEquals", ["a"], ["a"], "multivalued-key-without-set-operator"),
    ("StringNotEquals", ["a"], ["c"], "multivalued-key-without-set-operator"),
    ("StringEqualsIfExists", ["a"], ["a"], "multivalued-key-without-set-operator"),
    ("NumericLessThan", ["10"], "ten", "unparsable-request-value"),
    ("NumericNotEquals", ["10"], "ten", "unparsable-request-value"),
    ("DateGreaterThan", ["2020-01-01"], "yesterday", "unparsable-request-value"),
    ("NotIpAddress", ["10.0.0.0/8"], "localhost", "unparsable-request-value"),
    ("Bool", ["true"], "yes", "unparsable-request-value"),
    ("BinaryEquals", [BLOB], "%%%", "unparsable-request-value"),
    ("ForAllValues:NumericLessThan", ["10"], ["1", "x"], "unparsable-request-value"),
)


@pytest.mark.parametrize(("operator", "values", "request_value", "reason"), AMBIGUOUS_ROWS)
def test_undocumented_cases_never_grant_and_still_deny(operator, values, request_value, reason):
    """IAM-UG/reference_policies_condition-single-vs-multi-valued-context-keys.html says
    multivalued keys require a set operator but not what happens without one, and
    reference_policies_elements_condition_operators.html does not say what a malformed
    request value does. Both are decided so an Allow never grants and a Deny still denies.
    """
    allow = evaluate_one(operator, "custom:key", values, request_value, deny=False)
    deny = evaluate_one(operator, "custom:key", values, request_value, deny=True)
    assert (allow.holds, deny.holds) == (False, True)
    assert allow.reason == deny.reason == reason


# ---------------------------------------------------------------------------------------
# Names, compile errors, traces.
# ---------------------------------------------------------------------------------------


def test_condition_key_names_are_case_insensitive():
    """IAM-UG/reference_policies_elements_condition.html (and the variables page): condition
    key names are not case-sensitive; the written spelling is kept for traces.
    """
    result = evaluate_one("StringEquals", "AWS:SourceVPC", ["vpc-1"], MISSING,
                          extra={"aws:sourcevpc": "vpc-1"})  # fmt: skip
    assert result.holds
    assert result.key == "AWS:SourceVPC"


COMPILE_ERROR_ROWS = rows(
    ("StringEqualz", ["a"], "unknown condition operator `StringEqualz`"),
    ("stringequals", ["a"], "unknown condition operator `stringequals`"),
    ("IfExists", ["a"], "unknown condition operator `IfExists`"),
    ("ForAllValue:StringEquals", ["a"], "unknown condition operator `ForAllValue:StringEquals`"),
    ("NullIfExists", ["true"], "`NullIfExists` is not supported"),
    ("ForAnyValue:Null", ["true"], "`ForAnyValue:Null` is not supported"),
    ("Null", ["maybe"], "`maybe` is not `true` or `false`"),
    ("Null", ["${aws:username}"], "policy variables cannot be used with `Null`"),
    ("NumericEquals", ["ten"], "`ten` is not an integer or a decimal number"),
    ("NumericEquals", ["NaN"], "`NaN` is not an integer or a decimal number"),
    ("NumericLessThan", ["${aws:x}"], "policy variables cannot be used with `NumericLessThan`"),
    ("DateLessThan", ["yesterday"], "`yesterday` is not a date"),
    ("DateLessThan", ["2020-13-01"], "`2020-13-01` is not a date"),
    ("DateEquals", ["${aws:CurrentTime}"], "policy variables cannot be used with `DateEquals`"),
    ("IpAddress", ["203.0.113.0/33"], "`203.0.113.0/33` is not an IP address or CIDR range"),
    ("NotIpAddress", ["${aws:SourceIp}"], "policy variables cannot be used with `NotIpAddress`"),
    ("BinaryEquals", ["not base64!"], "`not base64!` is not valid base-64 text"),
    ("BinaryEquals", ["${x}"], "policy variables cannot be used with `BinaryEquals`"),
    ("Bool", ["yes"], "`yes` is not `true` or `false`"),
    ("StringEquals", ["${aws:username"], "is not closed"),
)


@pytest.mark.parametrize(("operator", "values", "message"), COMPILE_ERROR_ROWS)
def test_compile_errors(operator, values, message):
    """IAM-UG/reference_policies_elements_condition_operators.html: `IfExists` goes on any
    operator except `Null`; no policy variables with Numeric, Date, Binary, IpAddress or
    Null (reference_policies_variables.html); Numeric takes integers or decimals, Date the
    W3C ISO 8601 formats or epoch, IP the CIDR format, Binary base-64, Null true/false.
    An unknown operator is rejected rather than evaluated (spec R6.13).
    """
    with pytest.raises(ConditionCompileError) as caught:
        compile_condition_block(
            {operator: {"custom:key": tuple(values)}}, variables_enabled=True, deny_statement=False
        )
    error = caught.value
    assert message in error.message
    assert error.message[0].islower() or error.message[0] == "`"
    assert error.operator == operator
    assert error.key in (None, "custom:key")


def test_numeric_variables_without_version_are_still_not_numbers():
    """IAM-UG/reference_policies_variables.html: without Version 2012-10-17 `${...}` is
    plain text, which is not a number for a Numeric operator.
    """
    with pytest.raises(ConditionCompileError, match="is not an integer"):
        compile_condition_block(
            {"NumericEquals": {"k": ("${x}",)}}, variables_enabled=False, deny_statement=False
        )


def test_explain_reports_every_pair_and_first_failure_the_first():
    """IAM-UG/reference_policies_condition-logic-multiple-context-keys-or-values.html: the
    block holds only if every pair holds; traces list each pair with its result.
    """
    block = compile_condition_block(
        {
            "StringEquals": {
                "aws:PrincipalTag/team": ("blue",),
                "AWS:RequestedRegion": ("eu-west-1",),
            },
            "IpAddressIfExists": {"aws:SourceIp": ("10.0.0.0/8",)},
            "Null": {"aws:TokenIssueTime": ("false",)},
        },
        variables_enabled=True,
        deny_statement=False,
    )  # fmt: skip
    context = build_context({"aws:PrincipalTag/team": "red", "aws:RequestedRegion": "eu-west-1"})
    results = block.explain(context)
    assert [(r.operator, r.key, r.holds, r.reason) for r in results] == [
        ("StringEquals", "aws:PrincipalTag/team", False, "no-value-matched"),
        ("StringEquals", "AWS:RequestedRegion", True, "matched"),
        ("IpAddressIfExists", "aws:SourceIp", True, "key-missing-ifexists"),
        ("Null", "aws:TokenIssueTime", False, "null-check"),
    ]
    assert results[0].request_values == ("red",)
    assert results[2].request_values is None
    assert results[0].policy_values == ("blue",)
    assert block.first_failure(context) == results[0]
    assert block.keys == (
        "aws:principaltag/team", "aws:requestedregion", "aws:sourceip", "aws:tokenissuetime",
    )  # fmt: skip


def test_variable_keys_are_reported_for_lint():
    """IAM-UG/reference_policies_variables.html: `${key}` reads a context key (names are
    case-insensitive); `${*}` is an escape, not a key; without Version 2012-10-17 there
    are no variables at all.
    """
    block = {"StringLike": {"s3:prefix": ("home/${AWS:username}/${*}",)}}
    enabled = compile_condition_block(block, variables_enabled=True, deny_statement=False)
    disabled = compile_condition_block(block, variables_enabled=False, deny_statement=False)
    assert enabled.keys == ("s3:prefix",)
    assert enabled.variable_keys == ("aws:username",)
    assert disabled.variable_keys == ()


def test_empty_block_always_holds():
    """IAM-UG/reference_policies_elements_condition.html: a statement without conditions
    is not restricted by them.
    """
    block = compile_condition_block({}, variables_enabled=True, deny_statement=False)
    assert block.first_failure(build_context({})) is None
    assert block.explain(build_context({})) == ()


def test_nothing_is_compiled_on_the_hot_path(monkeypatch):
    """STYLE.md habit 3: compile once, evaluate many. Constant policy values must not be
    parsed or compiled again when a request is evaluated.
    """
    block = compile_condition_block(
        {
            "StringLike": {"s3:prefix": ("home/*",)},
            "ArnLike": {"aws:SourceArn": ("arn:aws:sns:*:1:*",)},
            "IpAddress": {"aws:SourceIp": ("10.0.0.0/8",)},
        },
        variables_enabled=True,
        deny_statement=False,
    )

    def forbidden(*args, **kwargs):
        raise AssertionError("compiled on the hot path")

    monkeypatch.setattr(string_module, "compile_parts", forbidden)
    monkeypatch.setattr(arn_module, "compile_parts", forbidden)
    monkeypatch.setattr(ip_module, "parse_network", forbidden)
    context = build_context(
        {
            "s3:prefix": "home/x",
            "aws:SourceArn": "arn:aws:sns:us-east-1:1:t",
            "aws:SourceIp": "10.1.1.1",
        }
    )
    for _ in range(3):
        assert block.first_failure(context) is None


def test_pathological_pattern_is_fast():
    """STYLE.md habit 4: wildcard matching is linear, so a pathological pattern finishes in
    milliseconds (StringLike semantics from reference_policies_elements_condition_operators.html).
    """
    pattern = "*a*a*a*a*a*a*a*a*a*a*b"
    block = compile_condition_block(
        {"StringLike": {"k": (pattern,)}}, variables_enabled=True, deny_statement=False
    )
    context = build_context({"k": "a" * 20_000})
    started = time.perf_counter()
    assert block.first_failure(context) is not None
    assert time.perf_counter() - started < 0.5

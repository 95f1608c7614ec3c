"""Text -> value + locations: JSON and YAML loading, limits, and where each element is."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_engine.errors import PolicyEngineError
from policy_engine.source import (
    DEFAULT_MAX_CHARS,
    SourceError,
    guess_format,
    iter_pointers,
    load_json_text,
    load_text,
    load_yaml_text,
)

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow",
     "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": "arn:aws:s3:::b/*"}
  ]
}"""


def problem(error: pytest.ExceptionInfo[SourceError]):
    assert len(error.value.problems) >= 1
    return error.value.problems[0]


# ----------------------------------------------------------------------------- JSON


def test_json_value_and_locations_of_every_element() -> None:
    document = load_json_text(POLICY, source="p.json")
    assert document.value == json.loads(POLICY)
    assert document.locate("") == (1, 1)
    assert document.locate("/Version") == (2, 14)
    assert document.locate("/Statement/0") == (4, 5)
    assert document.locate("/Statement/0/Action/1") == (5, 33)
    assert document.locate("/Statement/0/Resource") == (6, 18)
    assert document.locate_key("/Statement/0/Resource") == (6, 6)
    assert document.locate("/Nope") is None
    assert document.nearest("/Statement/0/Nope/1") == (4, 5)
    lines = POLICY.splitlines()
    for pointer in iter_pointers(document.value):
        line, column = document.locate(pointer)
        assert lines[line - 1][column - 1] in '{["-0123456789tfn', pointer


def test_json_pointer_tokens_are_escaped_and_keys_decoded() -> None:
    document = load_json_text('{"a/b": {"c~d": 1}, "\\u0041": 2}')
    assert document.locate("/a~1b/c~0d") == (1, 17)
    assert document.locate("/A") == (1, 31)


def test_duplicate_key_is_reported_where_it_repeats() -> None:
    with pytest.raises(SourceError) as error:
        load_json_text('{"Effect": "Allow",\n "Effect": "Deny"}', source="d.json")
    found = problem(error)
    assert (found.code, found.pointer, found.line, found.column) == (
        "duplicate-key", "/Effect", 2, 2)
    assert found.source == "d.json"


def test_every_duplicate_is_reported() -> None:
    with pytest.raises(SourceError) as error:
        load_json_text('{"a": 1, "a": 2, "b": {"c": 1, "c": 1}}')
    assert [p.pointer for p in error.value.problems] == ["/a", "/b/c"]


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '[-Infinity]'])
def test_non_finite_numbers_are_rejected(text: str) -> None:
    with pytest.raises(SourceError) as error:
        load_json_text(text)
    assert problem(error).code == "invalid-json"
    assert "finite" in problem(error).message


def test_overflowing_numbers_are_rejected_cleanly() -> None:
    for text in ('{"a": 1e999}', "[" + "9" * 5000 + "]"):
        with pytest.raises(SourceError) as error:
            load_json_text(text)
        assert problem(error).code == "invalid-json"


@pytest.mark.parametrize(("text", "line", "column"), [
    ('{\n  "a": 1,\n}', 3, 1),
    ("{'a': 1}", 1, 2),
    ('{"a": 1} {"b": 2}', 1, 10),
    ('{"a": "x', 1, 7),
    ("", 1, 1),
])
def test_invalid_json_has_the_parsers_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(SourceError) as error:
        load_json_text(text)
    expected = None
    try:
        json.loads(text)
    except json.JSONDecodeError as decode_error:
        expected = (decode_error.lineno, decode_error.colno)
    found = problem(error)
    assert found.code == "invalid-json"
    assert (found.line, found.column) == expected == (line, column)
    assert found.message[0].islower()


def test_depth_limit_is_exact() -> None:
    load_json_text("[" * 64 + "]" * 64)
    with pytest.raises(SourceError) as error:
        load_json_text("[" * 65 + "]" * 65)
    assert problem(error).code == "too-deep"
    assert problem(error).column == 65


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_ten_thousand_deep_nesting_is_a_clean_quick_error(opening: str) -> None:
    text = opening * 10_000
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        load_json_text(text)
    elapsed = time.perf_counter() - started
    assert problem(error).code == "too-deep"
    assert "64" in problem(error).message
    assert elapsed < 1.0  # measured: well under a millisecond


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert load_json_text('["' + "[" * 500 + '"]').value == ["[" * 500]


def test_text_over_the_hard_cap_is_refused_before_parsing() -> None:
    text = '{"a": "' + "x" * DEFAULT_MAX_CHARS + '"}'
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        load_json_text(text)
    assert time.perf_counter() - started < 1.0
    assert problem(error).code == "oversize"
    assert f"{DEFAULT_MAX_CHARS:,}" in problem(error).message


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10)
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4),
        max_leaves=25,
    ),
    indent=st.none() | st.integers(0, 3),
)
def test_any_json_value_loads_with_a_location_for_every_element(value, indent) -> None:
    text = json.dumps(value, indent=indent)
    document = load_json_text(text)
    assert document.value == value
    lines = text.splitlines() or [""]
    for pointer in iter_pointers(value):
        location = document.locate(pointer)
        assert location is not None, pointer
        line, column = location
        assert lines[line - 1][column - 1] in '{["-0123456789tfn', pointer


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_with_a_located_problem(text: str) -> None:
    try:
        load_text(text)
    except PolicyEngineError as error:
        assert error.problems
        assert all(p.code in {"invalid-json", "invalid-yaml", "too-deep", "duplicate-key",
                              "oversize"} for p in error.problems)


# ----------------------------------------------------------------------------- YAML

YAML_POLICY = """\
Version: 2012-10-17
Statement:
  - Sid: Read
    Effect: Allow
    Action: [s3:GetObject, "s3:List*"]
    Resource: arn:aws:s3:::b/*
    Condition:
      Bool: {aws:SecureTransport: true}
      NumericLessThan: {s3:max-keys: 10}
"""


def test_yaml_values_and_locations() -> None:
    document = load_yaml_text(YAML_POLICY, source="p.yaml")
    assert document.format == "yaml"
    statement = document.value["Statement"][0]
    assert document.value["Version"] == "2012-10-17"  # a bare date stays the text written
    assert statement["Action"] == ["s3:GetObject", "s3:List*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": True},
                                      "NumericLessThan": {"s3:max-keys": 10}}
    assert document.locate("/Statement/0/Effect") == (4, 13)
    assert document.locate("/Statement/0/Action/1") == (5, 28)
    assert document.locate_key("/Statement/0/Effect") == (4, 5)


@pytest.mark.parametrize(("text", "code"), [
    ("a: 1\na: 2\n", "duplicate-key"),
    ("a: &x 1\nb: *x\n", "invalid-yaml"),
    ("a: !!binary aGk=\n", "invalid-yaml"),
    ("a: .nan\n", "invalid-yaml"),
    ("a: !!python/tuple [1]\n", "invalid-yaml"),
    ("a: 1\n---\nb: 2\n", "invalid-yaml"),
    ("a:\n\t- b\n", "invalid-yaml"),
    ("[" * 100, "too-deep"),
    ("? [a, b]\n: c\n", "invalid-yaml"),
])
def test_yaml_rejects_what_json_cannot_hold(text: str, code: str) -> None:
    with pytest.raises(SourceError) as error:
        load_yaml_text(text, source="x.yaml")
    found = problem(error)
    assert found.code == code
    assert found.line is not None


def test_yaml_ten_thousand_deep_is_a_clean_quick_error() -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        load_yaml_text("[" * 10_000)
    assert problem(error).code == "too-deep"
    assert time.perf_counter() - started < 1.0  # measured: about 3 ms with libyaml


def test_empty_yaml_is_none() -> None:
    assert load_yaml_text("").value is None


@pytest.mark.parametrize(("text", "source", "expected"), [
    ("{}", "<input>", "json"),
    ("a: 1", "<input>", "yaml"),
    ("{}", "x.yaml", "yaml"),
    ("a: 1", "x.json", "json"),
    ("  [1]", "x", "json"),
    ("", "x.YML", "yaml"),
])
def test_format_is_chosen_by_extension_then_content(text: str, source: str, expected: str) -> None:
    assert guess_format(text, source) == expected
    assert load_text("{}", source=source, fmt="json").format == "json"

"""Validation: the corpus, every problem class, messages, locations, round trips, safety.

Tests that check an AWS rule cite the AWS page in their docstring.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model.strategies import json_values, kinds_and_documents, near_valid_documents, policy_shaped

from policy_engine.errors import PolicyValidationError
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import (
    ParsedPolicy,
    guess_kind,
    load_policy,
    parse_policy,
    read_policy_text,
    validate_policy,
)
from policy_engine.source import load_json_text

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
KNOWN_CODES = {
    "invalid-json", "invalid-yaml", "too-deep", "duplicate-key", "invalid-character",
    "unknown-element", "wrong-type", "missing-element", "conflicting-elements", "empty-value",
    "invalid-effect", "invalid-version", "invalid-sid", "duplicate-sid", "invalid-action",
    "invalid-arn", "invalid-principal", "unknown-operator", "malformed-condition",
    "forbidden-element", "kind-restriction", "oversize",
}
HYPOTHESIS = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def found(document: Any, kind: PolicyKind | str = PolicyKind.IDENTITY) -> list[tuple[str, str]]:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return [(p.code, p.pointer) for p in validate_policy(text, kind=kind).problems]


def statement(**elements: Any) -> dict[str, Any]:
    body = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **elements}
    return {k: v for k, v in body.items() if v is not None}


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": list(statements) or [statement()]}
    if version:
        document = {"Version": version, **document}
    return document


# ---------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["path"] for e in MANIFEST])
def test_corpus_file_meets_its_expectation(entry: dict[str, Any]) -> None:
    """Each corpus file cites its AWS page in the manifest (`doc`)."""
    path = CORPUS / entry["path"]
    result = validate_policy(read_policy_text(path), kind=entry["kind"], source=str(path))
    problems = [(p.code, p.pointer) for p in result.problems]
    if entry["valid"]:
        assert problems == [], [p.one_line() for p in result.problems]
        assert isinstance(result.policy, ParsedPolicy)
        assert result.policy.text == path.read_text(encoding="utf-8-sig")
    else:
        assert entry["code"] in KNOWN_CODES
        assert (entry["code"], entry.get("pointer", "")) in problems, [
            p.one_line() for p in result.problems]
        assert all(p.line is not None and p.column is not None for p in result.problems)
        assert all(p.source == str(path) for p in result.problems)


def test_corpus_covers_every_kind_and_code() -> None:
    assert {e["kind"] for e in MANIFEST} == {k.value for k in PolicyKind}
    assert {e["code"] for e in MANIFEST if not e["valid"]} == KNOWN_CODES
    assert sum(e["valid"] for e in MANIFEST) >= 30
    assert sum(not e["valid"] for e in MANIFEST) >= 30


# ---------------------------------------------------------------------- problem classes


def test_unknown_elements_with_a_suggestion() -> None:
    """Statement elements are Sid, Effect, Principal/NotPrincipal, Action/NotAction,
    Resource/NotResource and Condition; a policy has Version, Id and Statement.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    document = {**policy(statement(Actoin="s3:x")), "Comment": "x"}
    result = validate_policy(json.dumps(document))
    assert [(p.code, p.pointer) for p in result.problems] == [
        ("unknown-element", "/Statement/0/Actoin"), ("unknown-element", "/Comment")]
    assert "did you mean `Action`?" in result.problems[0].message


@pytest.mark.parametrize(("element", "value", "pointer"), [
    ("Effect", True, "/Statement/0/Effect"),
    ("Action", 42, "/Statement/0/Action"),
    ("Action", ["s3:x", 5], "/Statement/0/Action/1"),
    ("Resource", {"arn": "x"}, "/Statement/0/Resource"),
    ("Sid", 1, "/Statement/0/Sid"),
    ("Principal", ["*"], "/Statement/0/Principal"),
    ("Condition", "x", "/Statement/0/Condition"),
])
def test_wrong_types(element: str, value: Any, pointer: str) -> None:
    """Element values are strings or arrays of strings; Condition is an object.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    document = policy(statement(**{element: value}))
    kind = PolicyKind.RESOURCE if element == "Principal" else PolicyKind.IDENTITY
    code = "malformed-condition" if element == "Condition" else "wrong-type"
    assert (code, pointer) in found(document, kind)


def test_statement_and_document_types() -> None:
    """Statement is one object or an array of objects.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html
    """
    assert found({"Statement": "Allow all"}) == [("wrong-type", "/Statement")]
    assert found({"Statement": ["x"]}) == [("wrong-type", "/Statement/0")]
    assert found([1, 2]) == [("wrong-type", "")]
    assert found({"Version": None, "Statement": statement()}) == [("wrong-type", "/Version")]


@pytest.mark.parametrize(("first", "second", "kind"), [
    ("Action", "NotAction", PolicyKind.IDENTITY),
    ("Resource", "NotResource", PolicyKind.IDENTITY),
    ("Principal", "NotPrincipal", PolicyKind.S3_BUCKET),
])
def test_conflicting_elements(first: str, second: str, kind: PolicyKind) -> None:
    """A statement has Action or NotAction, Resource or NotResource, Principal or
    NotPrincipal, never both.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    values = {"Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*",
              "NotResource": "arn:aws:s3:::b", "Principal": "*", "NotPrincipal": "*"}
    body = statement(Effect="Deny", **{first: values[first], second: values[second]})
    if kind is PolicyKind.S3_BUCKET:
        body.setdefault("Principal", "*")
    assert found(policy(body), kind) == [("conflicting-elements", f"/Statement/0/{second}")]


def test_empty_statements_and_values() -> None:
    """The statement block holds one or more statements; arrays hold one or more values; a
    statement needs Effect and an action block.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    assert found({"Statement": []}) == [("empty-value", "/Statement")]
    assert found({"Statement": [{}]}) == [("missing-element", "/Statement/0/Action"),
                                          ("missing-element", "/Statement/0/Effect"),
                                          ("missing-element", "/Statement/0/Resource")]
    assert found(policy(statement(Action=[]))) == [("empty-value", "/Statement/0/Action")]
    assert found(policy(statement(Action=""))) == [("empty-value", "/Statement/0/Action")]
    assert found({"Version": "2012-10-17"}) == [("missing-element", "/Statement")]


@pytest.mark.parametrize(("condition", "code", "pointer"), [
    ({"StringEquals": "aws:username"}, "malformed-condition", "/StringEquals"),
    ({"StringEquals": {}}, "empty-value", "/StringEquals"),
    ({"StringEquals": {"aws:username": []}}, "empty-value", "/StringEquals/aws:username"),
    ({"StringEquals": {"aws:username": {"a": 1}}}, "malformed-condition",
     "/StringEquals/aws:username"),
    ({"StringEquals": {"aws:username": [["x"]]}}, "malformed-condition",
     "/StringEquals/aws:username/0"),
    ({"StringEquals": {"username": "x"}}, "malformed-condition", "/StringEquals/username"),
    ({"NumericLessThan": {"s3:max-keys": "ten"}}, "malformed-condition",
     "/NumericLessThan/s3:max-keys"),
    ({"DateGreaterThan": {"aws:CurrentTime": "next tuesday"}}, "malformed-condition",
     "/DateGreaterThan/aws:CurrentTime"),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}, "malformed-condition",
     "/IpAddress/aws:SourceIp"),
    ({"IpAddress": {"aws:SourceIp": 10}}, "malformed-condition", "/IpAddress/aws:SourceIp"),
    ({"Bool": {"aws:SecureTransport": "yes"}}, "malformed-condition",
     "/Bool/aws:SecureTransport"),
    ({"NumericEquals": {"s3:max-keys": "${aws:username}"}}, "malformed-condition",
     "/NumericEquals/s3:max-keys"),
    ({"StringEquals": {"aws:username": "${aws:PrincipalTag/x"}}, "malformed-condition",
     "/StringEquals/aws:username"),
])
def test_malformed_condition_blocks(condition: dict, code: str, pointer: str) -> None:
    """Condition maps operators to keys to one or more values; each operator family takes
    its own value syntax (numbers, W3C dates, CIDR ranges, true/false); policy variables
    are not allowed with Numeric, Date, IP, Binary or Null operators.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    assert found(policy(statement(Condition=condition))) == [
        (code, "/Statement/0/Condition" + pointer)]


@pytest.mark.parametrize("operator", [
    "StringEqualsIfExists", "ForAllValues:StringLike", "ForAnyValue:ArnNotLikeIfExists",
    "BoolIfExists", "Null", "NotIpAddress", "DateLessThanEquals", "BinaryEquals",
])
def test_known_operators_in_all_their_forms(operator: str) -> None:
    """Operators take `IfExists` and the `ForAllValues:`/`ForAnyValue:` qualifiers (not
    Null).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    value = {"Null": "true", "NotIpAddress": "10.0.0.0/8", "DateLessThanEquals": "2030-01-01",
             "BoolIfExists": "true", "BinaryEquals": "QmluYXJ5"}.get(operator, "x")
    assert found(policy(statement(Condition={operator: {"aws:SourceArn": value}}))) == []


@pytest.mark.parametrize("operator", [
    "StringEqual", "ForSomeValues:StringEquals", "NullIfExists", "ForAnyValue:Null",
    "stringequals", "StringEqualsIfExistsIfExists", "IfExists",
])
def test_unknown_condition_operators(operator: str) -> None:
    """Only the documented operators exist; Null takes neither IfExists nor a set
    qualifier. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    document = policy(statement(Condition={operator: {"aws:username": "x"}}))
    assert found(document) == [("unknown-operator", f"/Statement/0/Condition/{operator}")]


@pytest.mark.parametrize("version", ["2012-10-18", "latest", "2024-01-01", ""])
def test_invalid_version(version: str) -> None:
    """Version is "2012-10-17" or "2008-10-17".
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """
    assert found(policy(version=version) | {"Version": version}) == [
        ("invalid-version", "/Version")]


@pytest.mark.parametrize("effect", ["allow", "DENY", "Alow", ""])
def test_invalid_effect(effect: str) -> None:
    """Effect is Allow or Deny, case-sensitive.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
    """
    assert found(policy(statement(Effect=effect))) == [("invalid-effect", "/Statement/0/Effect")]


def test_one_line_message_format() -> None:
    result = validate_policy(json.dumps(policy(statement(), statement(Effect="Alow"))),
                             source="p.json")
    assert result.problems[0].one_line() == (
        'p.json:1:116: Statement[1].Effect: `Alow` is not Allow or Deny')


@pytest.mark.parametrize(("action", "ok"), [
    ("*", True), ("s3:*", True), ("iam:*AccessKey*", True), ("s3:Get?bject", True),
    ("execute-api:Invoke", True), ("IAM:listaccesskeys", True),
    ("s3", False), ("s3:", False), (":Get", False), ("*:Get*", False), ("s3:Get Object", False),
    ("s3:${aws:username}", False), ("s3::Get", False),
])
def test_action_syntax(action: str, ok: bool) -> None:
    """`service:action` with `*` and `?` anywhere in the action name, or `*` alone;
    variables are not allowed in actions.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    assert found(policy(statement(Action=action))) == (
        [] if ok else [("invalid-action", "/Statement/0/Action")])


@pytest.mark.parametrize(("resource", "version", "ok"), [
    ("*", "2012-10-17", True),
    ("arn:aws:s3:::bucket/*", "2012-10-17", True),
    ("arn:aws:s3:*", "2012-10-17", True),
    ("arn:aws-cn:sqs:cn-north-1:123456789012:q", "2012-10-17", True),
    ("arn:aws:iam::123456789012:user/${aws:username}", "2012-10-17", True),
    ("arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*", "2012-10-17", True),
    ("arn:aws:s3:::b/${*}", "2012-10-17", True),
    ("bucket/*", "2012-10-17", False),
    ("arn:aws:s3", "2012-10-17", False),
    ("arn:aws:s3*:::b", "2012-10-17", False),
    ("arn:aws:*:::b", "2012-10-17", False),
    ("arn:awz:s3:::b", "2012-10-17", False),
    ("arn:aws:sqs:us-east-1:123456789012", "2012-10-17", False),
    ("arn:aws:s3:::", "2012-10-17", True),  # AWS stores `arn:aws:organizations::*:`
    ("arm:aws:s3:::b", "2012-10-17", False),
    ("arn:aws:iam::${aws:PrincipalAccount}:user/x", "2012-10-17", True),
    ("arn:*:kms:*:${aws:PrincipalAccount}:key/*", "2012-10-17", True),
    ("arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/*", "2012-10-17", True),
    ("arn:aws:${aws:username}:::b", "2012-10-17", False),
    ("arn:${aws:username}:s3:::b", "2012-10-17", False),
    ("arn:aws:iam::${aws:PrincipalAccount}:user/x", "2008-10-17", True),  # literal text
    ("arn:aws:s3:::b/${aws:username", "2012-10-17", False),
    ("arn:aws:s3:::b/${aws:username", "2008-10-17", True),
])
def test_resource_arns_and_variables(resource: str, version: str, ok: bool) -> None:
    """Resource is `*` or an ARN; wildcards are allowed within segments but not in the
    service segment; policy variables "can" be used in the resource part and AWS stores
    one in the account segment (AmazonTimestreamInfluxDBServiceRolePolicy v2), so only the
    partition and service refuse them; only with Version 2012-10-17 (otherwise `${…}` is
    literal text). An empty resource part is stored by AWS
    (AmazonDevOpsGuruOrganizationsAccess v1: `arn:aws:organizations::*:`).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    expected = [] if ok else [("invalid-arn", "/Statement/0/Resource")]
    assert found(policy(statement(Resource=resource), version=version)) == expected


@pytest.mark.parametrize(("principal", "ok"), [
    ({"AWS": "*"}, True), ({"AWS": "123456789012"}, True),
    ({"AWS": "arn:aws:iam::123456789012:root"}, True),
    ({"AWS": "arn:aws:iam::123456789012:role/path/app"}, True),
    ({"AWS": "arn:aws:sts::123456789012:assumed-role/app/session"}, True),
    ({"AWS": "arn:aws:sts::123456789012:federated-user/bob"}, True),
    ({"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1"}, True),
    ({"AWS": "AROAEXAMPLEID123456789"}, True),
    ({"Service": "lambda.amazonaws.com"}, True),
    ({"Service": "logs.eu-west-1.amazonaws.com"}, True),
    ({"Federated": "accounts.google.com"}, True),
    ({"Federated": "arn:aws:iam::123456789012:saml-provider/corp"}, True),
    ({"AWS": "arn:aws:iam::123456789012:user/*"}, False),
    ({"AWS": "arn:aws:iam::*:root"}, False),
    ({"AWS": "arn:aws:iam::123456789012:group/devs"}, False),
    ({"AWS": "12345"}, False),
    ({"AWS": "arn:aws:s3:::bucket"}, False),
    ({"Service": "*"}, False),
    ({"Service": "lambda"}, False),
    ({"Federated": "*"}, False),
    ({"CanonicalUser": "abc"}, False),
])
def test_principal_shapes(principal: dict[str, str], ok: bool) -> None:
    """Principals: account ids or ARNs of the account root, users, roles, role sessions and
    federated users; service principals; identity providers; no partial wildcards;
    `"Service": "*"` and user groups are not principals.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    key = next(iter(principal))
    expected = [] if ok else [("invalid-principal", f"/Statement/0/Principal/{key}")]
    assert found(policy(statement(Principal=principal)), PolicyKind.S3_BUCKET) == expected


def test_principal_text_must_be_star() -> None:
    """`"Principal": "*"` is the only text form; other principals go in a block.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    document = policy(statement(Principal="arn:aws:iam::123456789012:root"))
    assert found(document, PolicyKind.RESOURCE) == [("invalid-principal",
                                                      "/Statement/0/Principal")]
    assert found(policy(statement(Principal={})), PolicyKind.RESOURCE) == [
        ("empty-value", "/Statement/0/Principal")]
    assert found(policy(statement(Principal={"User": "x"})), PolicyKind.RESOURCE) == [
        ("invalid-principal", "/Statement/0/Principal/User")]


def test_characters_outside_latin_1_are_rejected() -> None:
    """"Policy documents can contain only the following Unicode characters: horizontal tab
    (U+0009), linefeed (U+000A), carriage return (U+000D), and characters in the range
    U+0020 to U+00FF."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    assert found(policy(statement(Sid="Read\u2019s"))) == [
        ("invalid-character", "/Statement/0/Sid")]
    assert found(policy(statement(Condition={"StringEquals": {"aws:x": "café"}}))) == []


def test_all_problems_are_reported_at_once_in_source_order() -> None:
    text = json.dumps(policy(statement(Effect="Alow", Resource="bucket"),
                             statement(Sid="a b", Action="s3"), statement(Bogus=1)), indent=1)
    with pytest.raises(PolicyValidationError) as error:
        parse_policy(text, source="p.json")
    problems = error.value.problems
    assert [p.code for p in problems] == [
        "invalid-effect", "invalid-arn", "invalid-action", "invalid-sid", "unknown-element"]
    assert [(p.line, p.column) for p in problems] == sorted((p.line, p.column) for p in problems)
    assert error.value.one_line().endswith("(and 4 more problems)")


def test_invalid_json_reports_the_parsers_position() -> None:
    """JSON syntax errors carry the parser's line and column."""
    result = validate_policy('{\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}')
    assert [(p.code, p.line, p.column) for p in result.problems] == [("invalid-json", 3, 24)]


# ------------------------------------------------------------- locations and results


def test_parsed_policy_keeps_text_raw_and_locations() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "s3:x",\n' \
           '  "Resource": "*"}}'
    parsed = parse_policy(text, source="p.json", name="p")
    assert parsed.text == text and parsed.to_json() == text
    assert parsed.raw == json.loads(text)
    assert parsed.name == "p" and parsed.kind is PolicyKind.IDENTITY
    assert parsed.locate("/Statement/Resource") == (3, 15)
    assert parsed.document.statements[0].action == ("s3:x",)
    assert parsed.document.variables_enabled


def test_values_inside_larger_files_point_into_them() -> None:
    outer = load_json_text('{"policies": [\n  {"Statement": {"Effect": "Alow", '
                           '"Action": "s3:x", "Resource": "*"}}]}', source="case.json")
    value = outer.value["policies"][0]
    with pytest.raises(PolicyValidationError) as error:
        parse_policy(value, source="case.json", pointer_prefix="/policies/0", locations=outer)
    problem = error.value.problems[0]
    assert (problem.pointer, problem.line, problem.column) == (
        "/policies/0/Statement/Effect", 2, 28)
    parsed = parse_policy(value | {"Statement": {**value["Statement"], "Effect": "Allow"}},
                          pointer_prefix="/policies/0", locations=outer.locations)
    assert parsed.locate("/Statement") == parsed.locate("/policies/0/Statement") == (2, 17)


def test_load_policy_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    document = policy(statement(Principal={"Service": "lambda.amazonaws.com"},
                                Action="sts:AssumeRole", Resource=None))
    path.write_text("\ufeff" + json.dumps(document), encoding="utf-8")
    parsed = load_policy(path, PolicyKind.TRUST)
    assert parsed.name == "trust" and parsed.source == str(path)
    yaml_path = tmp_path / "p.yaml"
    yaml_path.write_text("Statement:\n  Effect: Allow\n  Action: s3:x\n  Resource: '*'\n")
    assert load_policy(yaml_path).document.statements[0].effect == "Allow"
    (tmp_path / "latin1.json").write_bytes(b'{"Sid": "\xe9"}')
    with pytest.raises(Exception) as error:
        load_policy(tmp_path / "latin1.json")
    assert error.value.problems[0].code == "invalid-character"
    with pytest.raises(Exception) as error:
        load_policy(tmp_path / "missing.json")
    assert error.value.problems[0].code == "unreadable"


def test_a_one_megabyte_policy_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    pad = "x" * 1_000_000
    path.write_text(json.dumps(policy(statement(Sid=pad))), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PolicyValidationError) as error:
        load_policy(path)
    elapsed = time.perf_counter() - started
    assert error.value.problems[0].code == "oversize"
    assert "characters long" in error.value.problems[0].message
    assert elapsed < 1.0  # measured: microseconds, the file is not even read
    started = time.perf_counter()
    result = validate_policy(path.read_text(encoding="utf-8"))
    assert [p.code for p in result.problems] == ["oversize"]
    assert time.perf_counter() - started < 1.0


def test_nesting_ten_thousand_deep_is_refused_quickly() -> None:
    for text in ('{"Statement": ' + "[" * 10_000, "[" * 10_000 + "]" * 10_000,
                 "Statement:\n  " + "[" * 10_000):
        started = time.perf_counter()
        result = validate_policy(text)
        assert [p.code for p in result.problems] == ["too-deep"]
        assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("path", "value", "kind"), [
    ("policies/trust/app.json", {}, PolicyKind.TRUST),
    ("x/app.kms-key.json", {}, PolicyKind.KMS_KEY),
    ("tests/corpus/good/s3-bucket/public-read.json", {}, PolicyKind.S3_BUCKET),
    ("role.json", policy(statement(Principal={"Service": "ec2.amazonaws.com"},
                                   Action="sts:AssumeRole")), PolicyKind.TRUST),
    ("bucket.json", policy(statement(Principal="*")), PolicyKind.RESOURCE),
    ("user.json", policy(), PolicyKind.IDENTITY),
    ("broken.json", None, PolicyKind.IDENTITY),
])
def test_kind_guessing(path: str, value: Any, kind: PolicyKind) -> None:
    guessed, reason = guess_kind(path, value)
    assert guessed is kind
    assert reason


# ---------------------------------------------------------------------- properties


@HYPOTHESIS
@given(kinds_and_documents(), st.none() | st.integers(0, 4))
def test_valid_documents_survive_parse_write_parse(kind_document, indent) -> None:
    kind, document = kind_document
    text = json.dumps(document, indent=indent)
    first = parse_policy(text, kind=kind)
    assert first.to_json() == text  # written back unchanged
    again = parse_policy(first.to_json(), kind=kind)
    assert again.document == first.document and again.raw == document
    normalized = parse_policy(first.normalized_json(), kind=kind)
    assert normalized.document == first.document
    from_value = parse_policy(first.raw, kind=kind)
    assert from_value.document == first.document


def _assert_clean(result) -> None:
    assert result.ok or result.problems
    for problem in result.problems:
        assert problem.code in KNOWN_CODES, problem
        assert problem.message and problem.message[0] != " "
        assert "Traceback" not in problem.message


@HYPOTHESIS
@given(st.sampled_from(list(PolicyKind)), json_values | policy_shaped)
def test_validator_never_raises_on_arbitrary_json_values(kind: PolicyKind, value: Any) -> None:
    _assert_clean(validate_policy(value, kind=kind))
    _assert_clean(validate_policy(json.dumps(value), kind=kind))


@HYPOTHESIS
@given(near_valid_documents())
def test_validator_never_raises_on_near_valid_documents(kind_document) -> None:
    kind, document = kind_document
    result = validate_policy(json.dumps(document, indent=1), kind=kind)
    _assert_clean(result)
    for problem in result.problems:
        assert problem.line is not None


@HYPOTHESIS
@given(st.sampled_from(list(PolicyKind)), st.text(max_size=300)
       | st.builds(lambda d, cut: json.dumps(d)[:cut], policy_shaped, st.integers(0, 200)))
def test_validator_never_raises_on_arbitrary_text(kind: PolicyKind, text: str) -> None:
    _assert_clean(validate_policy(text, kind=kind))

"""The catalogue look-ups the catalogue lint rules stand on (`policy_engine.catalog`) and
the ARN-format overlap they use (`policy_engine.arn_overlap`)."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine import catalog
from policy_engine.arn_overlap import (
    ArnFormat,
    FormatToken,
    VarClass,
    compile_format,
    overlaps,
)


def _action(name: str) -> catalog.CatalogAction:
    found = catalog.find_action(name)
    assert found is not None, name
    return found


def test_actions_matching_reads_wildcards_case_insensitively():
    names = {a.full_name for a in catalog.actions_matching("S3:get*")}
    assert "s3:GetObject" in names and "s3:PutObject" not in names
    assert {a.full_name for a in catalog.actions_matching("s3:GetObjec?")} == {"s3:GetObject"}
    assert catalog.actions_matching("s3:Get*Foo") == ()
    assert catalog.actions_matching("s4:Get*") == ()


def test_is_service():
    assert catalog.is_service("s3") and catalog.is_service("DynamoDB")
    assert not catalog.is_service("s4")


@pytest.mark.parametrize(("action", "resource", "fits"), [
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
    ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket", False),
    ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*", True),
    ("s3:GetObject", "arn:aws:s3:::*", True),
    ("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket/*", False),
    ("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", True),
    ("s3:ListBucket", "arn:aws:s3:::*", True),
    ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*", True),
    ("s3:GetObject", "arn:aws:dynamodb:us-east-1:111122223333:table/Books", False),
    # list_amazondynamodb.html: items of a table, queries of its indexes
    ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Books/index/*", False),
    ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Books", True),
    ("dynamodb:Query", "arn:aws:dynamodb:*:*:table/Books/*", True),
    # list_awslambda.html: a qualified function ARN names the function
    ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:f:prod", True),
    # log group names hold slashes
    ("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/f:log-stream:*", True),
    ("sts:AssumeRole", "arn:aws:iam::111122223333:role/path/app", True),
    ("iam:PassRole", "arn:aws:iam::*:role/service-role/*", True),
    ("ec2:DescribeInstances", "arn:aws:ec2:us-east-1:111122223333:instance/*", True),
    ("s3:GetObject", "*", True),
])
def test_resource_pattern_fits(action, resource, fits):
    assert catalog.resource_pattern_fits(_action(action), resource) is fits


def _sample_arn(arn_format: str) -> str:
    names = {"Partition": "aws", "Account": "111122223333", "Region": "us-east-1"}
    return re.sub(r"\$\{([^}]*)\}", lambda m: names.get(m.group(1), "name1"), arn_format)


def test_every_resource_type_fits_an_action_that_names_it():
    """For each resource type of the catalogue, an ARN built from its format (and the
    same ARN with its last part a wildcard) fits an action listing the type."""
    wrong = []
    for service in catalog.service_prefixes():
        formats = {t.name: t.arn_format for t in catalog.resource_types(service)}
        seen: set[str] = set()
        for action in catalog.actions_of(service):
            for type_name in action.resource_types:
                if type_name in seen or type_name not in formats:
                    continue
                seen.add(type_name)
                arn = _sample_arn(formats[type_name])
                for resource in (arn, arn[:-1] + "*"):
                    if not catalog.resource_pattern_fits(action, resource):
                        wrong.append((action.full_name, resource))
    assert not wrong, wrong[:10]


def test_service_keys_and_templates():
    assert catalog.service_defines_key("s3", "s3:ExistingObjectTag/classification")
    assert catalog.service_defines_key("s3", "S3:PREFIX")
    assert catalog.service_defines_key("ec2", "aws:RequestTag/env")  # services list them
    assert not catalog.service_defines_key("s3", "s3:prefex")
    assert not catalog.service_defines_key("s3", "s3:ExistingObjectTag/")
    assert "s3:prefix" in catalog.service_condition_keys("s3")


def test_closest_names():
    assert catalog.closest_condition_key("aws:SourceIpAddr") == "aws:SourceIp"
    assert catalog.closest_condition_key("s3:prefex", "s3") == "s3:prefix"
    assert catalog.closest_service("dynamodbb") == "dynamodb"
    assert catalog.closest_service("s4") == "s3"


# ------------------------------------------------------------------ arn_overlap


def test_format_tokens_read_the_last_variable_by_its_siblings():
    bucket = compile_format("arn:${Partition}:s3:::${BucketName}", slash_extended=True)
    role = compile_format("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
                          slash_extended=False)
    assert bucket.tokens[-1] == FormatToken(variable=VarClass.NO_SLASH)
    assert role.tokens[-1] == FormatToken(variable=VarClass.ANY)
    assert FormatToken(variable=VarClass.SEGMENT) in role.tokens  # ${Partition}, ${Account}
    table = compile_format("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
                           "/index/${IndexName}", slash_extended=False)
    assert FormatToken(variable=VarClass.NO_COLON) in table.tokens  # ${TableName}


def test_a_region_or_account_never_holds_a_slash():
    """`arn:aws:s3:example-reports/*` (the bucket name written where the region goes)
    names no S3 resource: an access point ARN's region cannot be `example-reports/`
    (reference-arns.html: partition, service, region and account are colon-separated
    segments)."""
    action = catalog.find_action("s3:GetObject")
    assert action is not None
    assert not catalog.resource_pattern_fits(action, "arn:aws:s3:example-reports/*")
    assert catalog.resource_pattern_fits(action, "arn:aws:s3:*")
    assert catalog.resource_pattern_fits(action, "arn:aws:s3:::example-reports/*")


def test_overlap_is_linear_on_a_pathological_pattern():
    tokens = compile_format("arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                            slash_extended=False)
    bucket = compile_format("arn:${Partition}:s3:::${BucketName}", slash_extended=True)
    started = time.perf_counter()
    assert overlaps("arn:aws:s3:::" + "*a" * 300 + "b", tokens)
    assert not overlaps("arn:aws:s3:::" + "*a" * 300 + "/b", bucket)
    assert time.perf_counter() - started < 2.0


_ALPHABET = "ab:/"


def _reference(arn_format: ArnFormat) -> re.Pattern[str]:
    parts = []
    for token in arn_format.tokens:
        if token.variable is None:
            parts.append(re.escape(token.literal))
        elif token.variable is VarClass.ANY:
            parts.append(".*")
        else:
            parts.append(f"[^{re.escape(token.variable.value)}]*")
    return re.compile("".join(parts))


_FORMATS = st.sampled_from([
    "a:${X}", "a:${X}/b/${Y}", "${X}:${Y}", "a/${X}", "${X}", "a:b",
])


@settings(max_examples=300, deadline=None)
@given(_FORMATS, st.booleans(), st.text(_ALPHABET, max_size=10), st.data())
def test_no_false_no_overlap(arn_format, extended, subject, data):
    """Soundness (what keeps RESOURCE_TYPE_MISMATCH from false findings): when a string
    matches the format, every wildcard pattern that matches the string overlaps it
    (stars, question marks and policy variables in place of parts of the string)."""
    tokens = compile_format(arn_format, slash_extended=extended)
    if not _reference(tokens).fullmatch(subject):
        return
    cuts = sorted(data.draw(st.lists(st.integers(0, len(subject)), max_size=4)))
    pattern, position = "", 0
    for start, stop in zip(cuts[::2], cuts[1::2], strict=False):
        wildcard = data.draw(st.sampled_from(["*", "${aws:username}", "?"]))
        if wildcard == "?" and stop - start != 1:
            wildcard = "*"
        pattern += subject[position:start] + wildcard
        position = stop
    pattern += subject[position:]
    assert overlaps(pattern, tokens)


@settings(max_examples=300, deadline=None)
@given(_FORMATS, st.booleans(), st.text(_ALPHABET, max_size=10))
def test_a_literal_pattern_overlaps_exactly_when_it_matches(arn_format, extended, subject):
    tokens = compile_format(arn_format, slash_extended=extended)
    assert overlaps(subject, tokens) is bool(_reference(tokens).fullmatch(subject))


@pytest.mark.parametrize(("action", "arn"), [
    ("lex:RecognizeText", "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT4PLE123/ALIAS00001"),
    ("lex:RecognizeText", "arn:aws:lex:us-east-1:111122223333:bot:OrderBot:prod"),
    ("apigateway:GET", "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/deployments/d4e5"),
    ("apigateway:GET", "arn:aws:apigateway:us-east-1::/apis/a1b2c3/deployments/d4e5"),
])
def test_a_type_with_two_arn_formats_accepts_either(action: str, arn: str) -> None:
    """The service authorization reference gives some resource types two ARN formats
    (Lex V2's bot alias by bot and alias id or by bot name; API Gateway's REST and HTTP
    API paths): an ARN in either is a resource of that type.
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonlexv2.html"""
    found = _action(action)
    assert catalog.resource_pattern_fits(found, arn)
    assert set(catalog.resource_types_of_arn(arn)) & {
        t for t in catalog.resource_types(found.service) if t.name in found.resource_types}

"""Terraform plans as lint input: the policy resources of every module, policies that are
JSON strings located inside their string, values known after apply, bad plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policy_engine.lint.inputs import read_input
from policy_engine.model.kinds import PolicyKind
from tests.lint.input_helpers import FIXTURES, flag_all, position, run_cli, run_json

PLAN = FIXTURES / "plan.json"
ROOT = "/planned_values/root_module/resources"


def _by_subject() -> dict[str, Any]:
    return {document.subject: document for document in read_input(PLAN).documents}


def test_plan_documents_kinds_and_pointers() -> None:
    read = read_input(PLAN)
    assert read.input_type == "terraform"
    assert [(d.subject, d.kind, d.pointer) for d in read.documents] == [
        ("aws_iam_role.app (trust policy)", PolicyKind.TRUST,
         f"{ROOT}/0/values/assume_role_policy"),
        ("aws_iam_role.app (inline policy app-access)", PolicyKind.INLINE_ROLE,
         f"{ROOT}/0/values/inline_policy/0/policy"),
        ("aws_s3_bucket_policy.data (bucket policy)", PolicyKind.S3_BUCKET,
         f"{ROOT}/1/values/policy"),
        ("aws_lambda_permission.from_s3 (Lambda function policy statement)",
         PolicyKind.LAMBDA_FUNCTION, f"{ROOT}/3/values"),
        ("module.org.aws_organizations_policy.deny_leave (SCP)", PolicyKind.SCP,
         "/planned_values/root_module/child_modules/0/resources/0/values/content"),
        # The trust policy document equals the role's: linted once, with the role.
        ("data.aws_iam_policy_document.logs (policy document)", PolicyKind.IDENTITY,
         "/prior_state/values/root_module/resources/0/values/json"),
    ]


def test_known_after_apply_is_skipped_with_a_note() -> None:
    read = read_input(PLAN)
    assert read.notes == ("aws_sqs_queue_policy.jobs (queue policy): `policy` is known only "
                          "after apply; not linted",)


def test_lambda_permission_statement() -> None:
    statement = _by_subject()["aws_lambda_permission.from_s3 (Lambda function policy "
                              "statement)"].value["Statement"][0]
    assert statement == {
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:handler",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::app-data"},
                      "StringEquals": {"aws:SourceAccount": "111122223333"}},
    }


def test_findings_land_inside_the_embedded_json_string() -> None:
    """The plan is one line (as Terraform writes it): the column places each element."""
    text = PLAN.read_text()
    found = {f.pointer: (f.line, f.column) for f in flag_all(read_input(PLAN))}
    trust = f"{ROOT}/0/values/assume_role_policy/Statement/0"
    assert found[f"{trust}/Action"] == position(text, '\\"sts:AssumeRole\\"')
    assert found[f"{trust}/Principal/Service"] == position(text, '\\"ec2.amazonaws.com\\"')
    bucket = f"{ROOT}/1/values/policy/Statement/0"
    # The bucket policy is pretty-printed JSON inside the string (escaped line breaks).
    assert found[f"{bucket}/Resource/1"] == position(text, '\\"arn:aws:s3:::app-data/*\\"',
                                                     after="aws_s3_bucket_policy")
    assert found[f"{bucket}/Condition/Bool/aws:SecureTransport"] == position(
        text, '\\"false\\"')
    permission = f"{ROOT}/3/values/Statement/0"
    assert found[f"{permission}/Principal/Service"] == position(text, '"s3.amazonaws.com"')
    assert found[f"{permission}/Condition/StringEquals/aws:SourceAccount"] == position(
        text, '"111122223333"', after='"source_account"')


def test_cli_grammar_findings_at_their_column_and_pointer_inside_the_document() -> None:
    code, report = run_json(str(PLAN))
    assert code == 1
    text = PLAN.read_text()
    effect = next(f for f in report["findings"] if f["code"] == "INVALID_EFFECT")
    assert (effect["line"], effect["column"]) == position(text, '\\"Alow\\"')
    assert effect["pointer"] == f"{ROOT}/0/values/inline_policy/0/policy/Statement/1/Effect"
    assert effect["subject"] == "aws_iam_role.app (inline policy app-access)"
    assert effect["sid"] == "Bad"
    scp = next(f for f in report["findings"] if f["subject"].endswith("(SCP)"))
    assert (scp["line"], scp["column"]) == position(text, '\\"2008-10-17\\"')
    assert report["files"][0]["notes"][0].startswith("aws_sqs_queue_policy.jobs")


def _plan(tmp_path: Path, value: Any, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def test_state_output_and_pretty_printed_plans(tmp_path: Path) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})
    state = {"format_version": "1.0", "terraform_version": "1.7.5", "values": {
        "root_module": {"resources": [{"address": "aws_iam_policy.p", "mode": "managed",
                                       "type": "aws_iam_policy", "name": "p",
                                       "values": {"policy": policy}}]}}}
    path = _plan(tmp_path, json.dumps(state, indent=2))
    read = read_input(path)
    assert [(d.subject, d.kind) for d in read.documents] == [
        ("aws_iam_policy.p (managed policy)", PolicyKind.IDENTITY)]
    text = path.read_text()
    found = {f.pointer: (f.line, f.column) for f in flag_all(read)}
    assert found["/values/root_module/resources/0/values/policy/Statement/0/Action"] == \
        position(text, '\\"s3:GetObject\\"')


def test_unknown_lambda_function_is_a_placeholder(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "terraform_version": "1.7.5", "planned_values": {
        "root_module": {"resources": [{
            "address": "aws_lambda_permission.p", "mode": "managed",
            "type": "aws_lambda_permission", "name": "p",
            "values": {"action": "lambda:InvokeFunction", "principal": "sns.amazonaws.com"}}]}},
        "resource_changes": [{"address": "aws_lambda_permission.p", "change": {
            "after_unknown": {"function_name": True}}}]}
    read = read_input(_plan(tmp_path, plan))
    (document,) = read.documents
    resource = "/planned_values/root_module/resources/0/values/Statement/0/Resource"
    assert document.placeholders == frozenset({resource})
    assert "*" not in document.value["Statement"][0]["Resource"]
    assert resource not in {f.pointer for f in flag_all(read)}


def test_plan_without_policies_is_fine_with_a_note(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "terraform_version": "1.7.5",
            "planned_values": {"root_module": {}}}
    code, report = run_json(str(_plan(tmp_path, plan)))
    assert code == 0
    assert report["files"][0]["notes"] == ["no IAM or resource policy in this plan"]


BAD_PLANS = [
    ("no planned_values", {"format_version": "1.2", "terraform_version": "1.7.5"},
     "no `planned_values`"),
    ("invalid JSON", '{"format_version": "1.2", "terraform_version": "1.7.5",\n', "plan.json:2"),
    ("policy not JSON", {"format_version": "1.2", "terraform_version": "1.7.5",
                         "planned_values": {"root_module": {"resources": [{
                             "address": "aws_iam_policy.p", "type": "aws_iam_policy",
                             "mode": "managed", "values": {"policy": "{oops"}}]}}},
     "does not hold valid JSON"),
]


@pytest.mark.parametrize(("what", "plan", "expected"), BAD_PLANS,
                         ids=[case[0] for case in BAD_PLANS])
def test_cli_bad_plan_is_one_line_and_exit_2(tmp_path: Path, what: str, plan: Any,
                                             expected: str) -> None:
    path = _plan(tmp_path, plan)
    result = run_cli("lint", str(path))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0] and str(path) in errors[0]

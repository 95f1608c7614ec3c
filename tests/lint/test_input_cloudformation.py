"""CloudFormation templates as lint input: short-form tags, the documents of each resource
type, intrinsic functions as placeholders, findings at the line and column in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policy_engine.lint.inputs import InputType, read_input
from policy_engine.lint.inputs.cloudformation import NO_POLICIES, SHORT_TAGS
from policy_engine.lint.inputs.intrinsics import ACCOUNT, Resolver, Template
from policy_engine.model.kinds import PolicyKind
from policy_engine.source import SourceDocument, load_yaml_text
from tests.lint.input_helpers import FIXTURES, flag_all, position, run_cli, run_json

YAML_TEMPLATE = FIXTURES / "template.yaml"
JSON_TEMPLATE = FIXTURES / "template.json"


def _documents(path: Path) -> dict[str, Any]:
    return {document.subject: document for document in read_input(path).documents}


def _statement(subject: str, index: int = 0, path: Path = YAML_TEMPLATE) -> dict[str, Any]:
    return _documents(path)[subject].value["Statement"][index]


# -- the YAML loader

def test_short_tags_become_their_long_forms() -> None:
    text = ("A: !Ref Bucket\nB: !GetAtt Role.Arn\nC: !Sub [\"${X}-y\", {X: !Ref Z}]\n"
            "D: !Join ['', [!GetAtt Bucket.Arn, '/*']]\nE: !If [Cond, a, !Ref AWS::NoValue]\n"
            "F: !GetAZs ''\nG: !Select [0, !GetAZs '']\nH: !Condition IsProd\n"
            "I: !ImportValue shared\nJ: !GetAtt [Role, Arn]\nK: !Ref 123\n")
    value = load_yaml_text(text, tags=SHORT_TAGS).value
    assert value["A"] == {"Ref": "Bucket"}
    assert value["B"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert value["C"] == {"Fn::Sub": ["${X}-y", {"X": {"Ref": "Z"}}]}
    assert value["D"] == {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}
    assert value["E"] == {"Fn::If": ["Cond", "a", {"Ref": "AWS::NoValue"}]}
    assert value["F"] == {"Fn::GetAZs": ""}
    assert value["G"] == {"Fn::Select": ["0", {"Fn::GetAZs": ""}]} or \
        value["G"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert value["H"] == {"Condition": "IsProd"}
    assert value["I"] == {"Fn::ImportValue": "shared"}
    assert value["J"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert value["K"] == {"Ref": "123"}  # a tagged scalar is text, never a number


def test_tagged_values_are_located_at_their_tag() -> None:
    text = "Resource:\n  - !Sub 'arn:aws:s3:::${B}/*'\n  - !GetAtt B.Arn\n"
    document = load_yaml_text(text, tags=SHORT_TAGS)
    assert document.locate("/Resource/0") == (2, 5)
    assert document.locate("/Resource/0/Fn::Sub") == (2, 5)
    assert document.locate("/Resource/1") == (3, 5)


def test_unknown_tags_are_still_refused() -> None:
    from policy_engine.source import SourceError

    with pytest.raises(SourceError, match="not JSON-compatible"):
        load_yaml_text("A: !Unknown x\n", tags=SHORT_TAGS)


# -- which documents, of which kind, under which subject

def test_yaml_template_documents_and_kinds() -> None:
    documents = _documents(YAML_TEMPLATE)
    assert {subject: document.kind for subject, document in documents.items()} == {
        "BucketPolicy DataBucketPolicy (bucket policy)": PolicyKind.S3_BUCKET,
        "Role AppRole (trust policy)": PolicyKind.TRUST,
        "Role AppRole (inline policy AppAccess)": PolicyKind.INLINE_ROLE,
        "Role DeployRole (trust policy)": PolicyKind.TRUST,
        "QueuePolicy QueuePolicy (queue policy)": PolicyKind.SQS_QUEUE,
        "Key AppKey (key policy)": PolicyKind.KMS_KEY,
        "Permission InvokeFromBucket (Lambda function policy statement)":
            PolicyKind.LAMBDA_FUNCTION,
    }
    trust = documents["Role AppRole (trust policy)"]
    assert trust.pointer == "/Resources/AppRole/Properties/AssumeRolePolicyDocument"
    assert trust.kind_reason == "from its resource type AWS::IAM::Role"


def test_json_template_documents_unknown_types_skipped_and_notes() -> None:
    read = read_input(JSON_TEMPLATE)
    assert read.input_type == "cloudformation"
    assert [(d.subject, d.kind) for d in read.documents] == [
        ("Policy DenyLeave (SCP)", PolicyKind.SCP),
        ("ResourcePolicy SecretPolicy (resource policy)", PolicyKind.SECRETSMANAGER_SECRET),
        ("Repository Repository (repository policy)", PolicyKind.ECR_REPOSITORY),
    ]
    assert any("TAG_POLICY" in note and "not linted" in note for note in read.notes)


def test_every_resource_type_of_the_table(tmp_path: Path) -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    resources = {
        "P1": ("AWS::IAM::ManagedPolicy", {"PolicyDocument": document}),
        "P2": ("AWS::IAM::Policy", {"PolicyDocument": document, "Roles": ["r"],
                                    "Users": ["u"]}),
        "P3": ("AWS::IAM::RolePolicy", {"PolicyDocument": document, "RoleName": "r"}),
        "P4": ("AWS::IAM::UserPolicy", {"PolicyDocument": document, "UserName": "u"}),
        "P5": ("AWS::IAM::GroupPolicy", {"PolicyDocument": document, "GroupName": "g"}),
        "P6": ("AWS::IAM::User", {"Policies": [{"PolicyName": "x", "PolicyDocument": document}]}),
        "P7": ("AWS::IAM::Group", {"Policies": [{"PolicyName": "y", "PolicyDocument": document}]}),
        "P8": ("AWS::SNS::TopicPolicy", {"PolicyDocument": document, "Topics": ["t"]}),
        "P9": ("AWS::SNS::TopicInlinePolicy", {"PolicyDocument": document, "TopicArn": "t"}),
        "PA": ("AWS::EC2::VPCEndpoint", {"PolicyDocument": document, "VpcId": "v"}),
        "PB": ("AWS::Organizations::Policy", {"Type": "RESOURCE_CONTROL_POLICY",
                                              "Content": document}),
        "PC": ("AWS::IAM::Policy", {"PolicyDocument": document, "Roles": ["r"]}),
    }
    template = {"Resources": {name: {"Type": t, "Properties": p}
                              for name, (t, p) in resources.items()}}
    path = tmp_path / "stack.json"
    import json

    path.write_text(json.dumps(template, indent=2))
    kinds = {d.subject.split(" ")[1]: d.kind for d in read_input(path).documents}
    assert kinds == {
        "P1": PolicyKind.IDENTITY, "P2": PolicyKind.INLINE_USER,
        "P3": PolicyKind.INLINE_ROLE, "P4": PolicyKind.INLINE_USER,
        "P5": PolicyKind.INLINE_GROUP, "P6": PolicyKind.INLINE_USER,
        "P7": PolicyKind.INLINE_GROUP, "P8": PolicyKind.SNS_TOPIC, "P9": PolicyKind.SNS_TOPIC,
        "PA": PolicyKind.VPC_ENDPOINT, "PB": PolicyKind.RCP, "PC": PolicyKind.INLINE_ROLE,
    }


# -- intrinsic functions -> values

def test_intrinsics_resolve_to_values_of_the_right_shape() -> None:
    reads = _statement("BucketPolicy DataBucketPolicy (bucket policy)")
    assert reads["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app-prod"}
    assert reads["Resource"] == "arn:aws:s3:::example-stack-data-prod/*"
    deny = _statement("BucketPolicy DataBucketPolicy (bucket policy)", 1)
    assert deny["Resource"] == ["arn:aws:s3:::example-stack-data-prod",
                                "arn:aws:s3:::example-stack-data-prod/*"]
    trust = _statement("Role AppRole (trust policy)")
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    inline = _documents(YAML_TEMPLATE)["Role AppRole (inline policy AppAccess)"].value
    assert inline["Statement"][0]["Resource"] == "arn:aws:s3:::example-stack-data-prod/*"
    assert inline["Statement"][1]["Resource"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue"
    queue = _statement("QueuePolicy QueuePolicy (queue policy)")
    assert queue["Condition"]["ArnEquals"]["aws:SourceArn"] == \
        f"arn:aws:sns:us-east-1:{ACCOUNT}:topic"  # Ref of a topic is its ARN
    key = _statement("Key AppKey (key policy)")
    assert key["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def _resolve(value: Any, template: dict[str, Any] | None = None) -> tuple[Any, set[str]]:
    resolver = Resolver(Template.of(template or {}), SourceDocument(value), "")
    return resolver.resolve(value), resolver.placeholders


@pytest.mark.parametrize(("expression", "expected"), [
    ({"Fn::Sub": "arn:aws:s3:::${!Literal}"}, "arn:aws:s3:::${Literal}"),
    ({"Fn::Sub": ["arn:aws:s3:::${Name}/*", {"Name": "fixed"}]}, "arn:aws:s3:::fixed/*"),
    ({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}, "b"),
    ({"Fn::Join": [":", ["arn", "aws", "s3", "", "", "b"]]}, "arn:aws:s3:::b"),
    ({"Fn::FindInMap": ["Buckets", "prod", "Name"]}, "prod-bucket"),
    ({"Ref": "Env"}, "dev"),
    ({"Fn::If": ["C", {"Ref": "AWS::NoValue"}, "second"]}, "second"),
    ({"Fn::GetAtt": ["Fn", "Arn"]}, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"),
    ({"Fn::GetAtt": ["Secret", "Id"]},
     f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:s-AbCdEf"),
])
def test_faithful_substitutions(expression: dict[str, Any], expected: Any) -> None:
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Mappings": {"Buckets": {"prod": {"Name": "prod-bucket"}}},
        "Resources": {"Fn": {"Type": "AWS::Lambda::Function"},
                      "Secret": {"Type": "AWS::SecretsManager::Secret",
                                 "Properties": {"Name": "s"}}},
    }
    value, placeholders = _resolve({"Resource": expression}, template)
    assert value == {"Resource": expected}
    assert placeholders == set()


@pytest.mark.parametrize("expression", [
    {"Fn::ImportValue": "shared-arn"},
    {"Ref": "NoDefault"},
    {"Ref": "FromSsm"},
    {"Fn::GetAtt": ["Custom", "Arn"]},
    {"Fn::Sub": "${NoDefault}"},
    {"Fn::Transform": {"Name": "AWS::Include"}},
    {"Fn::Base64": "x"},
])
def test_opaque_values_become_wildcard_free_placeholders(expression: dict[str, Any]) -> None:
    template = {"Parameters": {"NoDefault": {"Type": "String"},
                               "FromSsm": {"Type": "AWS::SSM::Parameter::Value<String>",
                                           "Default": "/name"}},
                "Resources": {"Custom": {"Type": "Custom::Thing"}}}
    value, placeholders = _resolve({"Statement": [{"Resource": expression,
                                                   "Principal": {"AWS": expression}}]},
                                   template)
    statement = value["Statement"][0]
    assert placeholders == {"/Statement/0/Resource", "/Statement/0/Principal/AWS"}
    assert statement["Resource"].startswith("arn:aws:") and "*" not in statement["Resource"]
    assert statement["Principal"]["AWS"].startswith(f"arn:aws:iam::{ACCOUNT}:")


def test_no_value_removes_the_element_and_keeps_the_next_located() -> None:
    text = ("Resource:\n  - !If [C, !Ref AWS::NoValue, !Ref AWS::NoValue]\n"
            "  - arn:aws:s3:::kept\n")
    origin = load_yaml_text(text, tags=SHORT_TAGS)
    resolver = Resolver(Template(), origin, "")
    value = resolver.resolve(origin.value)
    assert value == {"Resource": ["arn:aws:s3:::kept"]}
    assert resolver.locations.locations["/Resource/0"] == (3, 5)


# -- findings at the line and column in the original file

def test_findings_land_on_the_element_in_the_yaml_file() -> None:
    text = YAML_TEMPLATE.read_text()
    found = {(f.subject, f.pointer): (f.line, f.column) for f in flag_all(read_input(
        YAML_TEMPLATE))}
    inline = "/Resources/AppRole/Properties/Policies/0/PolicyDocument/Statement"
    subject = "Role AppRole (inline policy AppAccess)"
    assert found[(subject, f"{inline}/0/Action/1")] == position(text, "s3:GetObjekt")
    assert found[(subject, f"{inline}/0/Resource")] == position(text, "!Join")
    assert found[(subject, f"{inline}/1/Resource")] == position(text, "!If [IsProd")
    bucket = "BucketPolicy DataBucketPolicy (bucket policy)"
    assert found[(bucket, "/Resources/DataBucketPolicy/Properties/PolicyDocument/Statement/0"
                  "/Principal/AWS")] == position(text, "!GetAtt AppRole.Arn")
    assert found[(bucket, "/Resources/DataBucketPolicy/Properties/PolicyDocument/Statement/1"
                  "/Resource/1")] == position(text, '!Sub "arn:${AWS::Partition}')


def test_findings_on_placeholders_are_not_reported() -> None:
    findings = flag_all(read_input(YAML_TEMPLATE))
    pointers = {finding.pointer for finding in findings}
    inline = "/Resources/AppRole/Properties/Policies/0/PolicyDocument/Statement"
    assert f"{inline}/2/Action" in pointers  # the statement is linted...
    assert f"{inline}/2/Resource" not in pointers  # ...but not its `!ImportValue`
    assert not any(p.startswith("/Resources/DeployRole/Properties/AssumeRolePolicyDocument/"
                                "Statement/0/Principal") for p in pointers)


def test_lambda_permission_becomes_the_statement_lambda_adds() -> None:
    subject = "Permission InvokeFromBucket (Lambda function policy statement)"
    statement = _statement(subject)
    assert statement == {
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:handler",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::example-stack-data-prod"},
                      "StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    text = YAML_TEMPLATE.read_text()
    found = {f.pointer: (f.line, f.column) for f in flag_all(read_input(YAML_TEMPLATE))
             if f.subject == subject}
    at = "/Resources/InvokeFromBucket/Statement/0"
    assert found[f"{at}/Principal/Service"] == position(text, "s3.amazonaws.com",
                                                        after="InvokeFromBucket")
    assert found[f"{at}/Resource"] == position(text, "!GetAtt Handler.Arn")
    assert found[f"{at}/Condition/StringEquals/aws:SourceAccount"] == position(
        text, "!Ref AWS::AccountId", after="InvokeFromBucket")


def test_grammar_findings_inside_a_json_string_policy_land_inside_the_string() -> None:
    code, report = run_json(str(JSON_TEMPLATE))
    assert code == 1
    text = JSON_TEMPLATE.read_text()
    by_code = {f["code"]: f for f in report["findings"]}
    effect = by_code["INVALID_EFFECT"]
    assert (effect["line"], effect["column"]) == position(text, '\\"Alow\\"')
    assert effect["pointer"] == ("/Resources/SecretPolicy/Properties/ResourcePolicy"
                                 "/Statement/0/Effect")
    version = by_code["OUTDATED_VERSION"]
    assert (version["line"], version["column"]) == position(text, '"2008-10-17"')
    assert version["subject"] == "Repository Repository (repository policy)"


# -- the command line

def test_cli_lints_a_yaml_template_as_json() -> None:
    code, report = run_json(str(YAML_TEMPLATE))
    # The template's one deliberate error (`s3:GetObjekt`) fails the run.
    assert code == 1
    failing = [f["code"] for f in report["findings"]
               if f["severity"] in ("error", "security-warning")]
    assert failing == ["UNKNOWN_ACTION"]
    assert report["files"][0]["input"] == "cloudformation"
    assert report["files"][0]["policies"] == 7
    assert report["errors"] == []


def test_cli_input_option_forces_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_text(YAML_TEMPLATE.read_text().replace('AWSTemplateFormatVersion: "2010-09-09"\n',
                                                      ""))
    assert read_input(path, input_type=InputType.CLOUDFORMATION).input_type == "cloudformation"
    assert read_input(path).input_type == "cloudformation"  # Resources of AWS:: types


BAD_INPUTS = [
    ("invalid YAML", "stack.yaml",
     "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: [AWS::IAM::Role\n",
     "stack.yaml:5:1"),
    ("invalid JSON", "stack.json",
     '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {},}\n', "stack.json:1:"),
    ("no policies", "stack.yaml",
     "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n"
     "    Type: AWS::S3::Bucket\n  Thing:\n    Type: Custom::Unknown\n", NO_POLICIES),
    ("no Resources", "stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n",
     "no `Resources`"),
    ("policy string not JSON", "stack.json",
     '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"P": {"Type": '
     '"AWS::SecretsManager::ResourcePolicy", "Properties": {"ResourcePolicy": "{nope"}}}}',
     "does not hold valid JSON"),
]


@pytest.mark.parametrize(("what", "name", "text", "expected"), BAD_INPUTS,
                         ids=[case[0] for case in BAD_INPUTS])
def test_cli_bad_template_is_one_line_and_exit_2(tmp_path: Path, what: str, name: str,
                                                 text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = run_cli("lint", str(path))
    assert result.exit_code == 2, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert expected in errors[0]
    assert str(path) in errors[0]
    assert "Traceback" not in result.stderr


def test_cli_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = run_cli("lint", str(missing))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(missing) in errors[0]
    directory = tmp_path / "folder.yaml"
    directory.mkdir()
    assert run_cli("lint", str(directory)).exit_code == 2


def test_no_false_finding_from_placeholders_with_the_default_rules(tmp_path: Path) -> None:
    """Every value an intrinsic function of unknown value: the default rules find nothing."""
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Other: {Type: String}\n"
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n            Principal: {AWS: !Ref Other}\n"
        "            Action: sts:AssumeRole\n"
        "            Condition: {StringEquals: {sts:ExternalId: !ImportValue ext}}\n"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
        "            Version: '2012-10-17'\n            Statement:\n"
        "              - Sid: !Ref Other\n                Effect: Allow\n"
        "                Action: !Ref Other\n                Resource: !ImportValue arn\n"
        "              - Effect: Allow\n                Action: s3:GetObject\n"
        "                Resource: !GetAtt Unknown.Arn\n"
        "  Unknown: {Type: Custom::Thing}\n")
    path = tmp_path / "stack.yaml"
    path.write_text(template)
    code, report = run_json(str(path))
    assert report["findings"] == [] and code == 0
    assert len(report["files"][0]["notes"]) == 2

"""The snapshot file: the bundled example, each malformed input's one located error, schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from snapshot_helpers import AUTHZ, EXAMPLE, line_of, only_problem, write_json

from policy_engine.model.kinds import PolicyKind
from policy_engine.schema import export_schema
from policy_engine.snapshot import (
    SNAPSHOT_FORMAT,
    OrgNodeType,
    ResourceType,
    SnapshotError,
    load_snapshot,
    load_snapshot_value,
    parse_snapshot_text,
    snapshot_schema,
)

PROD, DEV, MGMT = "111122223333", "444455556666", "999988887777"
KEY = f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def example():
    return load_snapshot([EXAMPLE / "snapshot.yaml"])


def test_example_organization_loads(example) -> None:
    assert example.warnings == ()
    assert {a.id: a.name for a in example.accounts.values()} == {
        MGMT: "management", PROD: "prod", DEV: "dev"}
    assert all(a.has_authorization_details for a in example.accounts.values())
    assert example.accounts[DEV].identity_providers == (
        f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com",)
    assert len(example.sources) == 4  # the snapshot and the three files it names


def test_organization_paths(example) -> None:
    org = example.organization
    assert org is not None
    assert (org.id, org.root_id, org.management_account) == ("o-a1b2c3d4e5", "r-a1b2", MGMT)
    path = example.org_path(PROD)
    assert path is not None
    assert [(lvl.node_id, lvl.node_type) for lvl in path] == [
        ("r-a1b2", OrgNodeType.ROOT), ("ou-a1b2-workload", OrgNodeType.ORGANIZATIONAL_UNIT),
        ("ou-a1b2-prod0001", OrgNodeType.ORGANIZATIONAL_UNIT), (PROD, OrgNodeType.ACCOUNT)]
    assert [[p.name for p in lvl.scps] for lvl in path] == [
        ["FullAWSAccess", "DenyLeaveAndTrailTampering"], ["FullAWSAccess"],
        ["FullAWSAccess", "DenyBreakGlassFromWorkloads"], ["FullAWSAccess"]]
    assert [[p.name for p in lvl.rcps] for lvl in path] == [
        ["RCPFullAWSAccess", "EnforceTlsForS3"], ["RCPFullAWSAccess"], ["RCPFullAWSAccess"],
        ["RCPFullAWSAccess"]]
    assert path[3].name == "prod" and path[2].name == "Prod"
    scps = org.scps_for(PROD)
    assert scps is not None and [len(level) for level in scps] == [2, 1, 2, 1]
    assert scps[2][1].kind is PolicyKind.SCP
    rcps = org.rcps_for(DEV)
    assert rcps is not None and rcps[0][1].kind is PolicyKind.RCP
    assert org.scps_for(MGMT) is None and org.rcps_for(MGMT) is None  # management account
    assert org.scps_for("123456789012") is None  # not in the organization
    assert org.org_paths_for(DEV) == "o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload/ou-a1b2-dev00001/"
    assert org.org_paths_for(MGMT) == "o-a1b2c3d4e5/r-a1b2/"
    full = org.policies["p-FullAWSAccess"]
    assert full.aws_managed and full.policy.origin.source == "<built-in>"
    assert org.organizational_units["ou-a1b2-prod0001"].name == "Prod"


def test_resources(example) -> None:
    types = {r.type for r in example.resources.values()}
    assert types == set(ResourceType)
    reports = example.resource("arn:aws:s3:::example-prod-reports")
    assert reports is not None and reports.account == PROD
    assert reports.policy is not None and reports.policy.kind is PolicyKind.S3_BUCKET
    assert dict(reports.tags) == {"classification": "confidential"}
    assert example.resource_for("arn:aws:s3:::example-prod-reports/2024/may.pdf") is reports
    key = example.resource(KEY)
    assert key is not None and key.aliases == ("alias/prod-data",)
    assert key.name == "1234abcd-12ab-34cd-56ef-1234567890ab" and key.region == "us-east-1"
    assert key.policy is not None and key.policy.kind is PolicyKind.KMS_KEY
    assert example.resource_for(f"arn:aws:kms:us-east-1:{PROD}:alias/prod-data") is key
    function = f"arn:aws:lambda:us-east-1:{PROD}:function:report-generator"
    assert example.resource_for(function + ":live") is example.resource(function)
    assert example.resource(function).name == "report-generator"
    layer = example.resource(f"arn:aws:lambda:us-east-1:{PROD}:layer:shared-utils:3")
    assert layer is not None and layer.policy is not None and layer.name == "shared-utils:3"
    assert layer.policy.kind is PolicyKind.LAMBDA_LAYER
    glue = example.resource(f"arn:aws:glue:us-east-1:{PROD}:catalog")
    assert glue is not None and glue.type_name == "glue:catalog"
    assert glue.policy is not None and glue.policy.kind is PolicyKind.RESOURCE
    scratch = example.resource("arn:aws:s3:::example-dev-scratch")
    assert scratch is not None and scratch.policy is None and scratch.account == DEV


def test_yaml_and_json_snapshots_are_the_same(tmp_path: Path, example) -> None:
    for name in (f"authz-{a}.json" for a in (MGMT, PROD, DEV)):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    value = yaml.safe_load((EXAMPLE / "snapshot.yaml").read_text())
    loaded = load_snapshot([write_json(tmp_path / "snapshot.json", value)])
    assert list(loaded.accounts) == list(example.accounts)
    assert list(loaded.resources) == list(example.resources)
    assert loaded.organization is not None
    assert list(loaded.organization.paths) == list(example.organization.paths)


# ------------------------------------------------------------------- malformed files

BASE = f"""\
format: {SNAPSHOT_FORMAT}
accounts:
  - id: "{PROD}"
    name: prod
    authorization_details: authz.json
    identity_providers: [arn:aws:iam::{PROD}:saml-provider/Okta]
organization:
  id: o-a1b2c3d4e5
  management_account: "{MGMT}"
  root:
    id: r-a1b2
    policies: [p-FullAWSAccess]
    organizational_units:
      - id: ou-a1b2-prod0001
        name: Prod
        policies: [p-FullAWSAccess, p-denyregion]
        accounts:
          - id: "{PROD}"
            policies: [p-FullAWSAccess]
  policies:
    p-denyregion:
      name: DenyOtherRegions
      type: SCP
      document:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            NotAction: [iam:*, sts:*]
            Resource: "*"
            Condition:
              StringNotEquals: {{aws:RequestedRegion: [eu-west-1]}}
resources:
  s3_buckets:
    - name: example-reports
      account: "{PROD}"
      policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: arn:aws:iam::{PROD}:role/app-server}}
            Action: s3:GetObject
            Resource: arn:aws:s3:::example-reports/*
  sqs_queues:
    - arn: arn:aws:sqs:us-east-1:{PROD}:orders
  kms_keys:
    - arn: {KEY}
      aliases: [alias/prod-data]
      policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: arn:aws:iam::{PROD}:root}}
            Action: kms:*
            Resource: "*"
"""


def _write_base(tmp_path: Path, text: str = BASE) -> Path:
    shutil.copy(AUTHZ, tmp_path / "authz.json")
    path = tmp_path / "snapshot.yaml"
    path.write_text(text)
    return path


def test_base_of_the_malformed_cases_loads(tmp_path: Path) -> None:
    snapshot = load_snapshot([_write_base(tmp_path)])
    assert snapshot.warnings[0].code == "management-account-not-placed"
    assert len(snapshot.warnings) == 1


MALFORMED = [
    pytest.param(f'  - id: "{PROD}"\n    name: prod', f"  - id: {PROD}\n    name: prod",
                 "wrong-type", "/accounts/0/id", f"- id: {PROD}", "write account ids in quotes",
                 id="wrong-type"),
    pytest.param("    name: prod\n", "    name: prod\n    owner: me\n", "unknown-element",
                 "/accounts/0/owner", "owner: me",
                 "unknown key `owner` (expected `id`, `name`, `authorization_details`, "
                 "`identity_providers`", id="unknown-key"),
    pytest.param("resources:", "resource:", "unknown-element", "/resource", "resource:",
                 "did you mean `resources`?", id="unknown-top-level-key"),
    pytest.param("          - Effect: Allow", "          - Effect: Alow", "invalid-effect",
                 "/resources/s3_buckets/0/policy/Statement/0/Effect", "Effect: Alow",
                 "`Alow` is not Allow or Deny", id="bad-policy-inside"),
    pytest.param("NotAction: [iam:*, sts:*]", "NotAction: [iam:*, sts*]", "invalid-action",
                 "/organization/policies/p-denyregion/document/Statement/0/NotAction/1",
                 "sts*]", "", id="bad-scp-inside"),
    pytest.param("authorization_details: authz.json", "authorization_details: missing.json",
                 "missing-file", "/accounts/0/authorization_details", "missing.json",
                 "cannot read", id="missing-referenced-file"),
    pytest.param("accounts:\n  - id:", f'accounts:\n  - id: "{PROD}"\n  - id:',
                 "duplicate-account", "/accounts/1/id", f'  - id: "{PROD}"\n    name',
                 "listed twice", id="duplicate-account"),
    pytest.param("policies: [p-FullAWSAccess, p-denyregion]",
                 "policies: [p-FullAWSAccess, p-denyregoin]", "unknown-policy",
                 "/organization/root/organizational_units/0/policies/1", "p-denyregoin",
                 "did you mean `p-denyregion`?", id="unknown-policy-id"),
    pytest.param("    policies: [p-FullAWSAccess]\n    organizational_units",
                 "    policies: []\n    organizational_units", "no-policy-attached",
                 "/organization/root/policies", "policies: []", "attach `p-FullAWSAccess`",
                 id="no-scp-attached"),
    pytest.param("policies: [p-FullAWSAccess]\n    organizational_units",
                 "policies: [p-FullAWSAccess, p-RCPFullAWSAccess]\n    organizational_units",
                 "policy-type-disabled", "/organization/root/policies/1", "p-RCPFullAWSAccess",
                 "add `RCP` to `organization.policy_types`", id="rcp-not-enabled"),
    pytest.param("    policies: [p-FullAWSAccess]\n    organizational_units",
                 f'    policies: [p-FullAWSAccess]\n    accounts: [{{id: "{PROD}", '
                 'policies: [p-FullAWSAccess]}]\n    organizational_units',
                 "duplicate-account", "/organization/root/organizational_units/0/accounts/0/id",
                 f'          - id: "{PROD}"', "placed twice", id="account-placed-twice"),
    pytest.param("id: r-a1b2", "id: root-1", "invalid-value", "/organization/root/id",
                 "id: root-1", "not a valid root id", id="bad-root-id"),
    pytest.param("arn:aws:sqs:us-east-1", "arn:aws:sns:us-east-1", "invalid-arn",
                 "/resources/sqs_queues/0/arn", "arn:aws:sns", "is not an SQS queue ARN",
                 id="bad-resource-arn"),
    pytest.param("name: example-reports", "name: Example_Reports", "invalid-name",
                 "/resources/s3_buckets/0/name", "Example_Reports", "not a valid S3 bucket",
                 id="bad-bucket-name"),
    pytest.param("aliases: [alias/prod-data]", "aliases: [prod-data]", "invalid-name",
                 "/resources/kms_keys/0/aliases/0", "aliases: [prod-data]", "alias/NAME",
                 id="bad-kms-alias"),
    pytest.param("saml-provider/Okta]", "saml-provider/Okta, arn:aws:iam::444455556666:"
                 "saml-provider/Okta]", "wrong-account", "/accounts/0/identity_providers/1",
                 "identity_providers", "belongs to account `444455556666`",
                 id="provider-of-another-account"),
    pytest.param(f"format: {SNAPSHOT_FORMAT}", "format: policy-engine-snapshot/2",
                 "invalid-value", "/format", "format:", "must be `policy-engine-snapshot/1`",
                 id="unknown-format-version"),
    pytest.param("authorization_details: authz.json", "authorization_details: [authz.json]",
                 "wrong-type", "/accounts/0/authorization_details", "[authz.json]",
                 "should be the path of a file", id="details-neither-path-nor-object"),
]


@pytest.mark.parametrize(("old", "new", "code", "pointer", "line_needle", "message"), MALFORMED)
def test_malformed_snapshot_gives_one_located_error(tmp_path: Path, old: str, new: str,
                                                   code: str, pointer: str, line_needle: str,
                                                   message: str) -> None:
    assert old in BASE
    path = _write_base(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == (code, pointer), problem.one_line()
    assert problem.source == str(path)
    assert problem.line == line_of(path, line_needle.splitlines()[0],
                                   2 if "\n" in line_needle else 1)
    assert message in problem.message
    assert str(error.value) == problem.one_line()
    assert problem.one_line().startswith(f"{path}:{problem.line}:{problem.column}: ")


def test_referenced_file_must_hold_authorization_details(tmp_path: Path) -> None:
    path = _write_base(tmp_path)
    (tmp_path / "authz.json").write_text(json.dumps({"format": SNAPSHOT_FORMAT}))
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == ("unknown-format",
                                               "/accounts/0/authorization_details")


def test_error_inside_a_referenced_file_points_into_that_file(tmp_path: Path,
                                                              authz: dict) -> None:
    path = _write_base(tmp_path)
    authz["GroupDetailList"][0]["GroupPolicyList"][0]["PolicyDocument"]["Statement"][0][
        "Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false", {"x": 1}]}}
    details = write_json(tmp_path / "authz.json", authz)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert problem.source == str(details)
    assert problem.pointer.startswith(
        "/GroupDetailList/0/GroupPolicyList/0/PolicyDocument/Statement/0/Condition")


def test_neither_snapshot_nor_authorization_details(tmp_path: Path) -> None:
    path = write_json(tmp_path / "policy.json", {"Version": "2012-10-17", "Statement": []})
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    assert only_problem(error).code == "unknown-format"


def test_syntax_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "policy-engine-snapshot/1",\n  "accounts": [}\n')
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    assert only_problem(error).line == 2


def test_several_problems_are_all_reported_in_order(tmp_path: Path) -> None:
    text = BASE.replace("Effect: Allow", "Effect: Alow").replace("name: prod\n",
                                                                 "name: prod\n    x: 1\n")
    with pytest.raises(SnapshotError) as error:
        load_snapshot([_write_base(tmp_path, text)])
    # Shape errors stop the load before policies are validated: one pass at a time.
    assert [p.code for p in error.value.problems] == ["unknown-element"]
    text = BASE.replace("Effect: Allow", "Effect: Alow")  # in the bucket and key policies
    text = text.replace("policies: [p-FullAWSAccess, p-denyregion]",
                        "policies: [p-FullAWSAccess, p-nope0000]")
    with pytest.raises(SnapshotError) as error:
        load_snapshot([_write_base(tmp_path, text)])
    problems = error.value.problems
    assert [p.code for p in problems] == ["unknown-policy", "invalid-effect", "invalid-effect"]
    assert problems[0].line < problems[1].line < problems[2].line


def test_inline_value_and_text(tmp_path: Path) -> None:
    value = {"format": SNAPSHOT_FORMAT, "accounts": [
        {"id": PROD, "authorization_details": json.loads(AUTHZ.read_text())}]}
    snapshot = load_snapshot_value(value, source="inline")
    user = snapshot.accounts[PROD].users["bob"]
    assert user.inline_policies[0].origin.pointer == (
        "/accounts/0/authorization_details/UserDetailList/1/UserPolicyList/0/PolicyDocument")
    assert parse_snapshot_text(json.dumps(value), source="x.json").accounts[PROD].name is None
    value["accounts"][0]["authorization_details"] = "authz.json"
    with pytest.raises(SnapshotError) as error:
        load_snapshot_value(value)
    assert "relative paths have no base" in error.value.problems[0].message
    shutil.copy(AUTHZ, tmp_path / "authz.json")
    assert load_snapshot_value(value, base_dir=tmp_path).accounts[PROD].has_authorization_details


def test_inline_details_must_match_the_account(authz: dict) -> None:
    value = {"format": SNAPSHOT_FORMAT, "accounts": [
        {"id": DEV, "authorization_details": authz}]}
    with pytest.raises(SnapshotError) as error:
        load_snapshot_value(value)
    problem = error.value.problems[0]
    assert len(error.value.problems) == 1
    assert (problem.code, problem.pointer) == ("wrong-account", "/accounts/0/authorization_details")
    assert problem.message == (f"these authorization details describe account `{PROD}`, but are "
                               f"given for account `{DEV}`")


def test_no_input() -> None:
    with pytest.raises(SnapshotError):
        load_snapshot([])


# ---------------------------------------------------------------------------- schema


def test_schema_validates_the_example_and_rejects_unknown_keys() -> None:
    schema = snapshot_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert export_schema("snapshot") == schema
    assert {"format", "accounts", "organization", "resources"} <= schema["properties"].keys()
    example = yaml.safe_load((EXAMPLE / "snapshot.yaml").read_text())
    jsonschema.validate(example, schema)
    inline = {"format": SNAPSHOT_FORMAT, "accounts": [
        {"id": PROD, "authorization_details": json.loads(AUTHZ.read_text())}]}
    jsonschema.validate(inline, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "extra": 1}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"format": SNAPSHOT_FORMAT, "accounts": [{"id": 1}]}, schema)

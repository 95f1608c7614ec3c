"""`lint --env SNAPSHOT`: every policy of a snapshot, named by what carries it, located in
the file it sits in (the snapshot or the authorization details it names)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from policy_engine.lint.inputs.snapshot import read
from policy_engine.model.kinds import PolicyKind
from tests.lint.input_helpers import flag_all, position, run_cli, run_json

ORG = Path(__file__).parents[2] / "policy_engine" / "examples" / "org"
SNAPSHOT = ORG / "snapshot.yaml"


def test_every_policy_of_the_example_organization() -> None:
    documents = read(SNAPSHOT).documents
    assert len(documents) == 37
    assert all(document.stored for document in documents)
    kinds = {document.kind for document in documents}
    assert kinds == {
        PolicyKind.AWS_MANAGED, PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.TRUST,
        PolicyKind.INLINE_USER, PolicyKind.INLINE_GROUP, PolicyKind.INLINE_ROLE,
        PolicyKind.S3_BUCKET, PolicyKind.KMS_KEY, PolicyKind.SQS_QUEUE, PolicyKind.SNS_TOPIC,
        PolicyKind.LAMBDA_FUNCTION, PolicyKind.LAMBDA_LAYER,
        PolicyKind.SECRETSMANAGER_SECRET, PolicyKind.ECR_REPOSITORY, PolicyKind.RESOURCE,
        PolicyKind.SCP, PolicyKind.RCP, PolicyKind.VPC_ENDPOINT,
    }
    subjects = {document.subject for document in documents}
    assert "role/report-generator in 111122223333 (trust policy)" in subjects
    assert "group/Analysts in 111122223333 (inline policy read-analytics-bucket)" in subjects
    assert "arn:aws:s3:::example-public-website" in subjects
    assert "SCP p-denyleave (DenyLeaveAndTrailTampering)" in subjects
    assert "vpce-0a1b2c3d4e5f60718" in subjects


def test_a_managed_policy_carried_by_many_is_linted_once() -> None:
    documents = read(SNAPSHOT).documents
    admin = [d for d in documents if d.subject and "AdministratorAccess" in d.subject]
    assert len(admin) == 1  # listed in two accounts' details, attached to three roles
    assert admin[0].kind is PolicyKind.AWS_MANAGED
    assert admin[0].subject == (
        "arn:aws:iam::aws:policy/AdministratorAccess (attached to 3: role/OrganizationAdmin, "
        "role/break-glass, role/OrganizationAccountAccessRole)")
    boundary = [d for d in documents if d.kind is PolicyKind.BOUNDARY]
    assert [d.subject for d in boundary] == [
        "arn:aws:iam::444455556666:policy/DevBoundary (permissions boundary of 1: "
        "user/dev-bob)"]


def test_findings_land_in_the_file_holding_the_policy() -> None:
    findings = flag_all(read(SNAPSHOT))
    by_subject = {}
    for finding in findings:
        by_subject.setdefault(finding.subject, []).append(finding)
    website = by_subject["arn:aws:s3:::example-public-website"]
    principal = next(f for f in website if f.pointer.endswith("/Principal"))
    assert principal.source == str(SNAPSHOT)
    text = SNAPSHOT.read_text()
    assert (principal.line, principal.column) == position(text, '"*"',
                                                          after="example-public-website")
    assert principal.pointer == "/resources/s3_buckets/2/policy/Statement/0/Principal"
    alice = by_subject["user/dev-alice in 444455556666 (inline policy assume-deployer)"]
    authz = ORG / "authz-444455556666.json"
    (resource,) = [f for f in alice if f.pointer.endswith("/Resource")]
    assert resource.source == str(authz)
    assert (resource.line, resource.column) == position(
        authz.read_text(), '"arn:aws:iam::444455556666:role/deployer"')
    assert resource.pointer == ("/UserDetailList/0/UserPolicyList/0/PolicyDocument/"
                                "Statement/0/Resource")


def _authz(tmp_path: Path, document: object, name: str = "authz.json") -> Path:
    details = {"UserDetailList": [{
        "UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice", "Path": "/",
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": document}]}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = tmp_path / name
    path.write_text(json.dumps(details, indent=2))
    return path


def test_raw_authorization_details_and_url_encoded_documents(tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    path = _authz(tmp_path, quote(json.dumps(policy)))
    (document,) = read(path).documents
    assert document.value == policy
    assert document.subject == "user/alice (inline policy p)"
    assert document.kind is PolicyKind.INLINE_USER
    (finding, *_) = flag_all(read(path))
    # Inside URL-encoded text there are no element positions: the finding is at the string.
    assert (finding.line, finding.column) == position(path.read_text(), '"%7B')


def test_an_invalid_stored_policy_is_a_finding_not_a_load_failure(tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}
    path = _authz(tmp_path, policy)
    code, report = run_json("--env", str(path))
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["code"] == "INVALID_EFFECT"]
    assert finding["subject"] == "user/alice (inline policy p)"
    assert (finding["line"], finding["column"]) == position(path.read_text(), '"Alow"')


def test_cli_env_reports_subjects_as_json() -> None:
    code, report = run_json("--env", str(SNAPSHOT))
    assert code in (0, 1)
    assert report["errors"] == []
    assert report["files"] == [{
        "file": str(SNAPSHOT), "input": "snapshot", "policies": 37,
        "kinds": report["files"][0]["kinds"], "kind_reason": "where the snapshot holds it",
        "notes": []}]
    assert all(finding["subject"] for finding in report["findings"])


def test_cli_env_bad_snapshots_are_one_line_and_exit_2(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"Something": []}')
    missing = tmp_path / "missing.json"
    for path, expected in ((unknown, "neither a policy-engine snapshot"),
                           (missing, str(missing))):
        result = run_cli("lint", "--env", str(path))
        assert result.exit_code == 2
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and expected in errors[0]

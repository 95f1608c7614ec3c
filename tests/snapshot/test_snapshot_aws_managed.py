"""AWS managed policies in snapshots: validated as `aws-managed`, stored strings accepted.

`get-account-authorization-details` returns AWS managed policies
(`arn:aws:iam::aws:policy/…`) with their versions. They are validated as the
`aws-managed` kind (no customer managed size quota), and every document of the output is
one AWS stores, so the strings AWS stored in earlier managed policy versions load (with
the warning in the trace when evaluated), in customer documents too.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from snapshot_helpers import write_json
from typer.testing import CliRunner

from policy_engine.cli.app import app
from policy_engine.model.kinds import PolicyKind
from policy_engine.snapshot import load_snapshot

ACCOUNT = "111122223333"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:policy/DeployPolicy"


def _policy(authz: dict[str, Any], arn: str) -> dict[str, Any]:
    return next(p for p in authz["Policies"] if p["Arn"] == arn)


def _odd(authz: dict[str, Any], tmp_path: Path) -> Path:
    """ReadOnlyAccess as SecurityAudit v5 wrote `lambda:ListFunctions ` (default version),
    an earlier version with ReadOnlyAccess v59's `config:select-resource-config` and
    AmazonEC2SpotFleetTaggingRole v1's `PassedToService`; DeployPolicy (customer managed,
    stored in the account) with ViewOnlyAccess v1's `ec2: DescribeAccountAttributes`; and
    enough real actions to pass the customer quota of 6,144."""
    read_only = _policy(authz, READ_ONLY)
    default = read_only["PolicyVersionList"][0]
    default["Document"] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": "*", "Action": [
            "lambda:ListFunctions ", *(f"ec2:Describe{i:04d}" for i in range(600))]}]}
    read_only["PolicyVersionList"].append({
        "VersionId": "v1", "IsDefaultVersion": False, "CreateDate": "2015-02-06T18:39:46Z",
        "Document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "config:select-resource-config", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {
                "StringEquals": {"PassedToService": "ec2.amazonaws.com"}}}]}})
    deploy = _policy(authz, DEPLOY)
    for version in deploy["PolicyVersionList"]:
        if version["IsDefaultVersion"]:
            version["Document"]["Statement"].append(
                {"Effect": "Allow", "Action": "ec2: DescribeAccountAttributes", "Resource": "*"})
    return write_json(tmp_path / "authz.json", authz)


def test_aws_managed_policies_load_as_their_kind_with_the_stored_strings(
        authz: dict[str, Any], tmp_path: Path) -> None:
    snapshot = load_snapshot([_odd(authz, tmp_path)])
    read_only = snapshot.managed_policy(READ_ONLY)
    assert read_only is not None and read_only.default.kind is PolicyKind.AWS_MANAGED
    earlier = next(v for v in read_only.versions if not v.is_default)
    assert earlier.policy.kind is PolicyKind.AWS_MANAGED  # validated on first use
    deploy = snapshot.managed_policy(DEPLOY, account=ACCOUNT)
    assert deploy is not None and deploy.default.kind is PolicyKind.IDENTITY
    assert "ec2: DescribeAccountAttributes" in deploy.default.document.statements[-1].action


def test_the_trace_warns_and_the_odd_entry_matches_only_literally(
        authz: dict[str, Any], tmp_path: Path) -> None:
    """okta-readonly has only ReadOnlyAccess: `lambda:ListFunctions ` does not allow
    `lambda:ListFunctions`, and the explanation carries the warning."""
    env = _odd(authz, tmp_path)
    result = CliRunner().invoke(app, ["ask", "role/okta-readonly lambda:ListFunctions *",
                                      "--env", str(env), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    body = json.loads(result.stdout)
    assert body["decision"] == "implicitDeny"
    warnings = [w for p in body["explanation"]["policies"] for s in p["statements"]
                for w in s.get("warnings", ())]
    assert len(warnings) == 1 and "`lambda:ListFunctions `" in warnings[0]

"""The least-privilege policy the README gives for `policy-engine fetch` allows every
operation a whole fetch sends — checked by this project's own engine, with each
operation mapped to the IAM action that authorizes it.

Most operations are authorized by the action of the same name; S3's differ, as each API
page says under "Permissions": ListBuckets needs s3:ListAllMyBuckets, GetPublicAccessBlock
s3:GetBucketPublicAccessBlock, and S3 Control's GetPublicAccessBlock
s3:GetAccountPublicAccessBlock. sts:GetCallerIdentity needs no permission.
Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html,
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.fetch import FetchOptions, FetchSession, fetch_snapshot
from tests.fetch import seed as S

PERMISSIONS = Path(__file__).resolve().parents[2] / "policy_engine" / "examples" / \
    "fetch-permissions.json"
# (botocore service, operation) -> IAM action, where the action's name differs.
_ACTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
_NO_PERMISSION = {("sts", "GetCallerIdentity")}


def iam_action(service: str, operation: str) -> str:
    prefix = "s3" if service == "s3control" else service
    return _ACTIONS.get((service, operation), f"{prefix}:{operation}")


def _allowed(action: str) -> str:
    case = parse_case_value({
        "request": {"principal": f"arn:aws:iam::{S.MANAGEMENT}:role/auditor",
                    "action": action, "resource": "*"},
        "identity_policies": [json.loads(PERMISSIONS.read_text())]})
    return evaluate(case.request, case.policies).decision.value


@pytest.mark.aws
def test_the_readme_policy_allows_every_operation_a_fetch_sends(server: str) -> None:
    session = FetchSession(endpoint_url=server)
    calls: set[tuple[str, str]] = set()

    def record(model: Any, **_: Any) -> None:
        calls.add((model.service_model.service_name, model.name))

    session.events.register("before-call", record)
    fetch_snapshot(session, FetchOptions(regions=(S.REGION,)))
    needed = sorted({iam_action(*call) for call in calls - _NO_PERMISSION})
    assert len(needed) >= 35
    assert {action: _allowed(action) for action in needed} == \
        dict.fromkeys(needed, "allowed")
    listed = json.loads(PERMISSIONS.read_text())["Statement"][0]["Action"]
    # and nothing more than the fetch uses; ec2:DescribeRegions lists the Regions when
    # --regions is not given (this fetch names its Region)
    assert sorted(listed) == sorted([*needed, "ec2:DescribeRegions"])


def test_the_policy_grants_no_write_and_no_secret_read() -> None:
    for action in ("s3:PutBucketPolicy", "secretsmanager:GetSecretValue", "kms:Decrypt",
                   "iam:CreateAccessKey", "s3:GetObject"):
        assert _allowed(action) == "implicitDeny"

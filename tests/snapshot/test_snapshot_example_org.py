"""The bundled example organization gives the answers its README documents.

This test assembles each request's policies directly from the snapshot (identity policies
with groups, boundary, resource or trust policy, SCP/RCP levels) so the example's data is
checked independently of the commands built on it; every decision is the engine's.
"""

from __future__ import annotations

import pytest
from snapshot_helpers import EXAMPLE

from policy_engine.engine.compiler import compile_policy_set
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.request import make_request
from policy_engine.snapshot import Snapshot, User, load_snapshot

PROD, DEV, MGMT = "111122223333", "444455556666", "999988887777"
KEY = f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TLS = {"aws:SecureTransport": True}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load_snapshot([EXAMPLE / "snapshot.yaml"])


def _decide(snapshot: Snapshot, caller: str, action: str, resource: str,
            context: dict[str, object] | None = None) -> str:
    org = snapshot.organization
    assert org is not None
    principal = snapshot.principal(caller)
    identity, boundary, caller_account = [], None, None
    if principal is not None:
        caller_account = principal.account
        owners = [principal, *(snapshot.groups_of(principal)
                               if isinstance(principal, User) else ())]
        for owner in owners:
            identity += [p.named for p in owner.inline_policies]
            identity += [m.default.named for m in snapshot.managed_policies_of(owner)]
        found = snapshot.boundary_of(principal)
        boundary = found.named if found else None
    if action.startswith("sts:AssumeRole"):
        target = snapshot.principal(resource)
        assert target is not None and target.type == "role" and target.trust_policy
        resource_policy, resource_account = target.trust_policy.named, target.account
    else:
        governing = snapshot.resource_for(resource)
        resource_account = governing.account if governing else None
        resource_policy = governing.policy.named if governing and governing.policy else None
    scps = org.scps_for(caller_account) if caller_account else None
    rcps = org.rcps_for(resource_account) if resource_account else None
    policies = compile_policy_set(
        identity=identity, permissions_boundary=boundary, resource_policy=resource_policy,
        scps=[[p.named for p in level] for level in scps] if scps else None,
        rcps=[[p.named for p in level] for level in rcps] if rcps else None,
        management_account=org.management_account)
    request_principal = caller
    if principal is not None and principal.type == "role":
        request_principal = f"arn:aws:sts::{principal.account}:assumed-role/{principal.name}/s"
    given = {"aws:PrincipalArn": caller} if principal is not None else {}
    request = make_request(request_principal, action, resource,
                           resource_account=resource_account, context={**given, **(context or {})})
    return evaluate(request, policies).decision.value


def _user(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def _role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


ANSWERS = [
    ("1 group policy", _user(PROD, "carol"), "s3:GetObject",
     "arn:aws:s3:::example-prod-analytics/q1.csv", TLS, "allowed"),
    ("2", _user(PROD, "carol"), "s3:DeleteObject", "arn:aws:s3:::example-prod-analytics/q1.csv",
     TLS, "implicitDeny"),
    ("3", _user(PROD, "dave"), "s3:GetObject", "arn:aws:s3:::example-prod-analytics/q1.csv", TLS,
     "implicitDeny"),
    ("4 bucket policy names the role", _role(PROD, "report-generator"), "s3:PutObject",
     "arn:aws:s3:::example-prod-reports/may.pdf", TLS, "allowed"),
    ("5", _role(PROD, "report-generator"), "s3:DeleteObject",
     "arn:aws:s3:::example-prod-reports/may.pdf", TLS, "implicitDeny"),
    ("6 public bucket", "*", "s3:GetObject", "arn:aws:s3:::example-public-website/index.html",
     TLS, "allowed"),
    ("7 RCP", "*", "s3:GetObject", "arn:aws:s3:::example-public-website/index.html",
     {"aws:SecureTransport": False}, "explicitDeny"),
    ("8", "*", "s3:PutObject", "arn:aws:s3:::example-public-website/index.html", TLS,
     "implicitDeny"),
    ("9 hop 1", _user(DEV, "dev-alice"), "sts:AssumeRole", _role(DEV, "deployer"), None,
     "allowed"),
    ("10 hop 2", _role(DEV, "deployer"), "sts:AssumeRole", _role(PROD, "prod-deployer"), None,
     "allowed"),
    ("11 hop 3 blocked by the Prod OU's SCP", _role(PROD, "prod-deployer"), "sts:AssumeRole",
     _role(PROD, "break-glass"), None, "explicitDeny"),
    ("12 management account", _role(MGMT, "OrganizationAdmin"), "sts:AssumeRole",
     _role(PROD, "break-glass"), None, "allowed"),
    ("13", _user(DEV, "dev-alice"), "sts:AssumeRole", _role(PROD, "prod-deployer"), None,
     "implicitDeny"),
    ("14", _user(DEV, "dev-bob"), "s3:PutObject", "arn:aws:s3:::example-dev-scratch/x", TLS,
     "allowed"),
    ("15 boundary removes it", _user(DEV, "dev-bob"), "s3:DeleteObject",
     "arn:aws:s3:::example-dev-scratch/x", TLS, "implicitDeny"),
    ("16", _role(PROD, "kms-admin"), "kms:ScheduleKeyDeletion", KEY, None, "allowed"),
    ("17", _role(PROD, "kms-admin"), "kms:Decrypt", KEY, None, "implicitDeny"),
    ("18", _role(PROD, "app-server"), "kms:Decrypt", KEY, None, "allowed"),
    ("19", _role(PROD, "app-server"), "kms:ScheduleKeyDeletion", KEY, None, "implicitDeny"),
    ("20", _role(PROD, "app-server"), "secretsmanager:GetSecretValue",
     f"arn:aws:secretsmanager:us-east-1:{PROD}:secret:prod/db-password-AbCdEf", None, "allowed"),
    ("21", f"arn:aws:iam::{DEV}:root", "ecr:BatchGetImage",
     f"arn:aws:ecr:us-east-1:{PROD}:repository/report-generator", None, "allowed"),
    ("22", _role(PROD, "prod-deployer"), "organizations:LeaveOrganization", "*", None,
     "explicitDeny"),
]


@pytest.mark.parametrize(("row", "caller", "action", "resource", "context", "expected"),
                         ANSWERS, ids=[a[0] for a in ANSWERS])
def test_readme_answer(snapshot: Snapshot, row: str, caller: str, action: str, resource: str,
                       context: dict[str, object] | None, expected: str) -> None:
    assert _decide(snapshot, caller, action, resource, context) == expected


def test_readme_lists_every_answer() -> None:
    readme = (EXAMPLE / "README.md").read_text()
    for row, *_ in ANSWERS:
        assert f"| {row.split()[0]} |" in readme

"""The example organization's matrix against the answers its README documents
(policy_engine/examples/org/README.md, "Intended answers"). Each row cites its rule there;
the pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html,
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_engine.matrix.model import Cell
from policy_engine.matrix.run import Collect, MatrixSpec, run_local

ORG = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"
PROD, DEV, MGMT = "111122223333", "444455556666", "999988887777"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _user(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def _role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


@pytest.fixture(scope="module")
def cells() -> dict[tuple[str, str, str], Cell]:
    sink = Collect()
    run_local(MatrixSpec((str(ORG),)), sink)
    return {cell.key: cell for cell in sink.cells}


def _actions(cells: dict, principal: str, resource: str, level: str) -> set[str]:
    cell = cells.get((principal, resource, level))
    return set(cell.actions) if cell else set()


def _any(cells: dict, principal: str, resource: str) -> bool:
    return any(key[:2] == (principal, resource) for key in cells)


def test_group_policies_and_bucket_policies(cells) -> None:
    """README rows 1-5: carol reads through her group; dave nothing; report-generator
    gets and puts through the bucket policy, but cannot delete."""
    analytics = "arn:aws:s3:::example-prod-analytics/*"
    assert "s3:GetObject" in _actions(cells, _user(PROD, "carol"), analytics, "Read")
    assert "s3:DeleteObject" not in _actions(cells, _user(PROD, "carol"), analytics, "Write")
    assert not _any(cells, _user(PROD, "dave"), analytics)
    reports = "arn:aws:s3:::example-prod-reports/*"
    generator = _role(PROD, "report-generator")
    assert _actions(cells, generator, reports, "Write") == {"s3:PutObject"}
    assert "s3:GetObject" in _actions(cells, generator, reports, "Read")
    cell = cells[(generator, reports, "Write")]
    assert cell.reach == "internal" and any("ReportGeneratorWrites" in s for s in cell.statements)


def test_public_access_is_public_and_listed(cells) -> None:
    """Rows 6, 8, 23-27: the public website is readable by anyone (public), not writable;
    Block Public Access keeps prod-assets to the prod account; the legacy ACL's AllUsers
    grant is ignored but the dev account's READ grant counts."""
    website = "arn:aws:s3:::example-public-website/*"
    cell = cells[("*", website, "Read")]
    assert cell.actions == ("s3:GetObject",) and cell.reach == "public"
    assert ("*", website, "Write") not in cells
    assets = "arn:aws:s3:::example-prod-assets/*"
    assert not _any(cells, "*", assets)
    assert not _any(cells, f"arn:aws:iam::{DEV}:root", assets)
    assert "s3:GetObject" in _actions(cells, _role(PROD, "app-server"), assets, "Read")
    legacy = "arn:aws:s3:::example-legacy-media"
    assert not _any(cells, "*", legacy)
    dev_root = cells[(f"arn:aws:iam::{DEV}:root", legacy, "List")]
    assert "s3:ListBucket" in dev_root.actions and dev_root.reach == "cross-account"
    assert any(s.startswith("acl:") for s in dev_root.statements)


def test_the_deployment_chain(cells) -> None:
    """Rows 9-13: dev-alice → deployer → prod-deployer; the Prod SCP blocks break-glass;
    the management account's admin reaches it (SCPs do not apply to it)."""
    assert "sts:AssumeRole" in _actions(cells, _user(DEV, "dev-alice"), _role(DEV, "deployer"),
                                        "Write")
    assert not _any(cells, _user(DEV, "dev-alice"), _role(PROD, "prod-deployer"))
    hop = cells[(_role(DEV, "deployer"), _role(PROD, "prod-deployer"), "Write")]
    assert "sts:AssumeRole" in hop.actions and hop.reach == "cross-account"
    assert "sts:AssumeRole" not in _actions(cells, _role(PROD, "prod-deployer"),
                                            _role(PROD, "break-glass"), "Write")
    assert "sts:AssumeRole" in _actions(cells, _role(MGMT, "OrganizationAdmin"),
                                        _role(PROD, "break-glass"), "Write")


def test_a_boundary_removes_what_the_policy_grants(cells) -> None:
    """Rows 14-15: dev-bob's boundary leaves GetObject, PutObject and ListBucket."""
    bob = _user(DEV, "dev-bob")
    assert _actions(cells, bob, "arn:aws:s3:::example-dev-scratch/*", "Read") == {"s3:GetObject"}
    assert _actions(cells, bob, "arn:aws:s3:::example-dev-scratch/*", "Write") == {"s3:PutObject"}
    assert _actions(cells, bob, "arn:aws:s3:::example-dev-scratch", "List") == {"s3:ListBucket"}


def test_kms_administrators_users_and_grants(cells) -> None:
    """Rows 16-19, 28-30: administrators manage but cannot use the key, users the
    reverse; a grant allows Decrypt under its encryption-context constraint, said so."""
    admin = _role(PROD, "kms-admin")
    admin_write = _actions(cells, admin, KEY, "Write")
    assert "kms:ScheduleKeyDeletion" in admin_write
    retire = cells[(admin, KEY, "Permissions management")]
    assert "kms:RetireGrant" in retire.actions
    assert "kms-grant: report-generator-decrypt" in retire.statements
    assert not {"kms:Decrypt", "kms:Encrypt"} & admin_write
    app = _role(PROD, "app-server")
    assert "kms:Decrypt" in _actions(cells, app, KEY, "Write")
    assert "kms:ScheduleKeyDeletion" not in _actions(cells, app, KEY, "Write")
    generator = cells[(_role(PROD, "report-generator"), KEY, "Write")]
    assert "kms:Decrypt" in generator.actions and "kms:Encrypt" not in generator.actions
    assert any("department=reports" in c for c in generator.conditions)


def test_secrets_and_repositories(cells) -> None:
    """Rows 20-21: the secret's policy names app-server; the repository trusts dev."""
    secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-AbCdEf"
    assert "secretsmanager:GetSecretValue" in _actions(cells, _role(PROD, "app-server"),
                                                       secret, "Read")
    repository = "arn:aws:ecr:us-east-1:111122223333:repository/report-generator"
    cell = cells[(f"arn:aws:iam::{DEV}:root", repository, "Read")]
    assert "ecr:BatchGetImage" in cell.actions and cell.reach == "cross-account"

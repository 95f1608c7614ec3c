"""Several snapshot and authorization-details files merge into one snapshot."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from snapshot_helpers import AUTHZ, EXAMPLE, only_problem, write_json

from policy_engine.snapshot import SNAPSHOT_FORMAT, SnapshotError, load_snapshot

PROD, DEV, MGMT = "111122223333", "444455556666", "999988887777"


def _org_only(tmp_path: Path) -> Path:
    """The example snapshot without its `authorization_details` entries."""
    import yaml

    value = yaml.safe_load((EXAMPLE / "snapshot.yaml").read_text())
    for account in value["accounts"]:
        del account["authorization_details"]
    return write_json(tmp_path / "org.json", value)


def _bucket(name: str, account: str = PROD, **extra: Any) -> dict[str, Any]:
    return {"name": name, "account": account, **extra}


def _snapshot(path: Path, **content: Any) -> Path:
    return write_json(path, {"format": SNAPSHOT_FORMAT, **content})


def test_snapshot_and_raw_outputs_merge_by_account(tmp_path: Path) -> None:
    files = [_org_only(tmp_path)] + [EXAMPLE / f"authz-{a}.json" for a in (PROD, DEV)]
    snapshot = load_snapshot(files)
    prod, dev, management = (snapshot.accounts[a] for a in (PROD, DEV, MGMT))
    assert (prod.name, prod.has_authorization_details) == ("prod", True)
    assert (dev.name, dev.has_authorization_details) == ("dev", True)
    assert (management.name, management.has_authorization_details) == ("management", False)
    assert "carol" in prod.users and "dev-alice" in dev.users
    assert prod.identity_providers == (f"arn:aws:iam::{PROD}:saml-provider/Okta",)
    assert snapshot.organization is not None and snapshot.org_path(DEV) is not None
    assert len(snapshot.sources) == 3


def test_raw_outputs_alone_merge(tmp_path: Path) -> None:
    snapshot = load_snapshot([EXAMPLE / f"authz-{a}.json" for a in (MGMT, PROD, DEV)])
    assert list(snapshot.accounts) == [MGMT, PROD, DEV]
    assert snapshot.organization is None and snapshot.resources == {}
    assert all(a.name is None for a in snapshot.accounts.values())


def test_resources_from_several_files_merge(tmp_path: Path) -> None:
    first = _snapshot(tmp_path / "a.json", resources={"s3_buckets": [_bucket("bucket-one")]})
    second = _snapshot(tmp_path / "b.json", resources={
        "s3_buckets": [_bucket("bucket-one"), _bucket("bucket-two", DEV)]})
    snapshot = load_snapshot([first, second])
    assert list(snapshot.resources) == ["arn:aws:s3:::bucket-one", "arn:aws:s3:::bucket-two"]


def test_the_same_file_twice_is_harmless(tmp_path: Path) -> None:
    snapshot = load_snapshot([EXAMPLE / "snapshot.yaml", EXAMPLE / "snapshot.yaml"])
    assert len(snapshot.accounts) == 3 and snapshot.warnings == ()


def test_conflicting_resource_is_an_error_naming_both_files(tmp_path: Path) -> None:
    first = _snapshot(tmp_path / "a.json", resources={"s3_buckets": [_bucket("bucket-one")]})
    second = _snapshot(tmp_path / "b.json", resources={
        "s3_buckets": [_bucket("bucket-one", tags={"env": "prod"})]})
    with pytest.raises(SnapshotError) as error:
        load_snapshot([first, second])
    problem = only_problem(error)
    assert problem.code == "conflicting-duplicate"
    assert problem.source == str(second) and problem.pointer == "/resources/s3_buckets/0"
    assert str(first) in problem.message


def test_duplicate_resource_in_one_file(tmp_path: Path) -> None:
    path = _snapshot(tmp_path / "a.json", resources={"sqs_queues": [
        {"arn": f"arn:aws:sqs:us-east-1:{PROD}:q"}, {"arn": f"arn:aws:sqs:us-east-1:{PROD}:q"}]})
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == ("duplicate-resource", "/resources/sqs_queues/1/arn")


def test_conflicting_account_names(tmp_path: Path) -> None:
    first = _snapshot(tmp_path / "a.json", accounts=[{"id": PROD, "name": "prod"}])
    second = _snapshot(tmp_path / "b.json", accounts=[{"id": PROD, "name": "production"}])
    with pytest.raises(SnapshotError) as error:
        load_snapshot([first, second])
    problem = only_problem(error)
    assert problem.pointer == "/accounts/0/name" and problem.source == str(second)
    assert "named `production` here but `prod`" in problem.message


def test_two_different_outputs_for_one_account(tmp_path: Path) -> None:
    changed = json.loads(AUTHZ.read_text())
    changed["UserDetailList"].pop()
    second = write_json(tmp_path / "later.json", changed)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([AUTHZ, second])
    problem = only_problem(error)
    assert problem.source == str(second) and problem.line == 1
    assert problem.code == "conflicting-duplicate"
    assert f"account `{PROD}` has different authorization details" in problem.message


def test_two_organizations(tmp_path: Path) -> None:
    org = {"id": "o-a1b2c3d4e5", "management_account": MGMT, "policy_types": [],
           "root": {"id": "r-a1b2"}}
    first = _snapshot(tmp_path / "a.json", organization=org)
    same = _snapshot(tmp_path / "b.json", organization=org)
    other = _snapshot(tmp_path / "c.json", organization={**org, "id": "o-zzzzzzzzzz"})
    assert load_snapshot([first, same]).organization is not None
    with pytest.raises(SnapshotError) as error:
        load_snapshot([first, other])
    assert only_problem(error).code == "conflicting-duplicate"


def test_aws_managed_policy_is_shared_between_accounts(tmp_path: Path) -> None:
    """A filtered output may omit AWS managed policies another account's output has."""
    dev = json.loads((EXAMPLE / f"authz-{DEV}.json").read_text())
    dev["Policies"] = [p for p in dev["Policies"] if ":aws:policy/" not in p["Arn"]]
    filtered = write_json(tmp_path / "dev-filtered.json", dev)
    alone = load_snapshot([filtered])
    assert [w.code for w in alone.warnings] == ["missing-managed-policy"]
    snapshot = load_snapshot([filtered, EXAMPLE / f"authz-{PROD}.json"])
    assert snapshot.warnings == ()
    role = snapshot.accounts[DEV].roles["OrganizationAccountAccessRole"]
    assert [p.name for p in snapshot.managed_policies_of(role)] == ["AdministratorAccess"]


def test_relative_paths_resolve_against_the_naming_file(tmp_path: Path) -> None:
    nested = tmp_path / "env" / "accounts"
    nested.mkdir(parents=True)
    shutil.copy(AUTHZ, nested / "prod.json")
    path = _snapshot(tmp_path / "env" / "snapshot.json", accounts=[
        {"id": PROD, "authorization_details": "accounts/prod.json"}])
    snapshot = load_snapshot([path])
    assert snapshot.accounts[PROD].users["alice"].origin.source == str(nested / "prod.json")

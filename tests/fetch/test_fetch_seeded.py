"""`policy-engine fetch` against moto's server: what was seeded comes back, in the
snapshot format every other command reads.

Each test seeds moto through boto3 (tests/fetch/seed.py) and fetches through the CLI.
Sources: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html,
https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html,
https://docs.aws.amazon.com/lambda/latest/api/API_GetLayerVersionPolicy.html.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from policy_engine.snapshot import ResourceType, load_snapshot
from tests.fetch import seed as S
from tests.fetch.helpers import fetch_into, run

pytestmark = pytest.mark.aws


@pytest.fixture(scope="module")
def fetched(seeded_once: S.Seeded, moto_url: str, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[S.Seeded, dict[str, Any], Path]:
    path = tmp_path_factory.mktemp("fetched") / "snapshot.json"
    _, value = fetch_into(path, moto_url)
    return seeded_once, value, path


def _by(entries: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    found = [entry for entry in entries if entry[key] == value]
    assert len(found) == 1, f"{value} not found once in {[e[key] for e in entries]}"
    return found[0]


def test_the_snapshot_records_when_for_which_account_and_caller(fetched) -> None:
    """sts GetCallerIdentity names account and caller; the time is when the fetch began.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"""
    _, value, _ = fetched
    record = value["fetched"]
    assert value["format"] == "policy-engine-snapshot/1"
    assert record["account"] == S.MANAGEMENT
    assert record["caller_arn"].startswith(f"arn:aws:sts::{S.MANAGEMENT}:")
    taken = datetime.fromisoformat(record["taken_at"].replace("Z", "+00:00"))
    assert datetime.now(UTC) - taken < timedelta(minutes=5)
    assert record["regions"] == ["us-east-1", "eu-west-1"]
    assert record["warnings"] == []
    assert record["services"] == ["iam", "organizations", "s3", "kms", "sqs", "sns",
                                  "lambda", "secretsmanager", "ecr"]


def test_users_groups_roles_and_boundaries_come_back(fetched) -> None:
    """The authorization details are the API's, joined over every page."""
    _, value, path = fetched
    account = value["accounts"][0]
    assert account["id"] == S.MANAGEMENT
    assert account["identity_providers"] == [
        f"arn:aws:iam::{S.MANAGEMENT}:saml-provider/corp-idp"]
    snapshot = load_snapshot(path)
    loaded = snapshot.accounts[S.MANAGEMENT]
    assert sorted(loaded.users) == ["alice", "bob"]
    assert loaded.users["alice"].group_names == ("developers",)
    assert loaded.users["alice"].tags == {"team": "payments"}
    assert [p.name for p in loaded.groups["developers"].inline_policies] == ["read-app-data"]
    app = loaded.roles["app"]
    assert app.permissions_boundary is not None
    assert app.permissions_boundary.arn == f"arn:aws:iam::{S.MANAGEMENT}:policy/app-boundary"
    assert app.trust_policy is not None
    trust = app.trust_policy.document.statements[0]
    assert trust.principal is not None
    assert "lambda.amazonaws.com" in str(trust.principal)
    assert f"arn:aws:iam::{S.MANAGEMENT}:policy/app-boundary" in loaded.managed_policies
    assert snapshot.warnings == ()


def test_the_organization_tree_with_its_scps_and_rcps(fetched) -> None:
    """Root, OU and accounts with what is attached to each, both policy types (moto
    supports RCPs). orgs_manage_policies_rcps.html: RCPFullAWSAccess is attached to
    every root, OU and account while RCPs are enabled."""
    seeded, value, path = fetched
    organization = value["organization"]
    assert organization["id"] == seeded.organization_id
    assert organization["management_account"] == S.MANAGEMENT
    assert organization["policy_types"] == ["SCP", "RCP"]
    assert organization["root"]["id"] == seeded.root_id
    unit = _by(organization["root"]["organizational_units"], "id", seeded.ou_id)
    assert unit["name"] == "workloads"
    assert [a["id"] for a in unit["accounts"]] == [seeded.member_account]
    assert {seeded.scp_id, seeded.rcp_id, "p-FullAWSAccess", "p-RCPFullAWSAccess"} == \
        set(unit["policies"])
    scp = organization["policies"][seeded.scp_id]
    assert (scp["name"], scp["type"]) == ("protect-buckets", "SCP")
    assert scp["document"]["Statement"][0]["Action"] == [
        "s3:DeleteBucket", "organizations:LeaveOrganization"]
    assert organization["policies"][seeded.rcp_id]["type"] == "RCP"
    loaded = load_snapshot(path).organization
    assert loaded is not None
    levels = loaded.scps_for(seeded.member_account)
    assert levels is not None and len(levels) == 3  # root, OU, account
    assert sorted(p.name for p in levels[1]) == ["FullAWSAccess", "protect-buckets"]
    assert loaded.scps_for(S.MANAGEMENT) is None  # SCPs do not restrict the management


def test_buckets_with_policy_block_public_access_ownership_and_tags(fetched) -> None:
    """GetBucketPolicy/GetPublicAccessBlock/GetBucketOwnershipControls/GetBucketTagging,
    and the account's S3 Control GetPublicAccessBlock. A bucket with none configured has
    none in the snapshot."""
    _, value, path = fetched
    account = value["accounts"][0]
    assert account["s3_public_access_block"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False}
    buckets = value["resources"]["s3_buckets"]
    app = _by(buckets, "name", S.APP_BUCKET)
    assert app["region"] == "us-east-1"
    assert [s["Sid"] for s in app["policy"]["Statement"]] == ["AppReads", "TlsOnly"]
    assert app["public_access_block"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True}
    assert app["object_ownership"] == "BucketOwnerEnforced"
    assert app["tags"] == {"team": "payments", "data": "confidential"}
    site = _by(buckets, "name", S.SITE_BUCKET)
    assert site["region"] == S.OTHER_REGION
    assert "public_access_block" not in site and "object_ownership" not in site
    resource = load_snapshot(path).resources[f"arn:aws:s3:::{S.APP_BUCKET}"]
    assert resource.s3 is not None and resource.tags["data"] == "confidential"


def test_kms_key_policy_alias_tags_and_grants(fetched) -> None:
    """GetKeyPolicy (`default`), ListAliases, ListResourceTags, ListGrants."""
    seeded, value, path = fetched
    key = _by(value["resources"]["kms_keys"], "arn", seeded.key_arn)
    assert [s["Sid"] for s in key["policy"]["Statement"]] == ["Admins", "AppDecrypts"]
    assert key["aliases"] == [S.KEY_ALIAS]
    assert key["tags"] == {"team": "payments"}
    (grant,) = key["grants"]
    assert grant["GranteePrincipal"] == S.role_arn("deployer")
    assert grant["Operations"] == ["Decrypt", "GenerateDataKey"]
    assert grant["Constraints"] == {"EncryptionContextSubset": {"stage": "build"}}
    loaded = load_snapshot(path).resources[seeded.key_arn]
    assert loaded.aliases == (S.KEY_ALIAS,) and loaded.grants[0].Name == "deployer-builds"


def test_queues_topics_functions_layers_secrets_and_repositories(fetched) -> None:
    """One entry per resource in each selected Region, with its policy and tags."""
    seeded, value, path = fetched
    resources = value["resources"]
    queues = {q["arn"]: q for q in resources["sqs_queues"]}
    orders = queues[f"arn:aws:sqs:us-east-1:{S.MANAGEMENT}:{S.QUEUE}"]
    assert orders["policy"]["Statement"][0]["Sid"] == "TopicDelivers"
    assert orders["tags"] == {"team": "payments"}
    assert "policy" not in queues[f"arn:aws:sqs:eu-west-1:{S.MANAGEMENT}:audit-eu"]
    (topic,) = resources["sns_topics"]
    assert topic["policy"]["Statement"][0]["Sid"] == "PartnerPublishes"
    (function,) = resources["lambda_functions"]
    assert function["arn"].endswith(f":function:{S.FUNCTION}")
    assert function["policy"]["Statement"][0]["Sid"] == "TopicInvokes"
    assert function["tags"] == {"team": "payments"}
    layers = {layer["arn"].rsplit(":", 1)[1]: layer
              for layer in resources["lambda_layer_versions"]}
    assert sorted(layers) == ["1", "2"]
    assert "policy" not in layers["1"]
    assert layers["2"]["policy"]["Statement"][0]["Principal"] == "*"
    (secret,) = resources["secretsmanager_secrets"]
    assert secret["arn"] == seeded.secret_arn
    assert secret["policy"]["Statement"][0]["Sid"] == "OnlyApp"
    assert secret["tags"] == {"team": "payments"}
    (repository,) = resources["ecr_repositories"]
    assert repository["arn"].endswith(f":repository/{S.REPOSITORY}")
    assert repository["policy"]["Statement"][0]["Sid"] == "PartnerPulls"
    types = {r.type for r in load_snapshot(path).resources.values()}
    assert types == set(ResourceType) - {ResourceType.OTHER}


def test_services_and_regions_are_selectable(seeded_once: S.Seeded, moto_url: str,
                                             tmp_path: Path) -> None:
    """`--services sqs --regions eu-west-1`: one service, one Region, nothing else."""
    _, value = fetch_into(tmp_path / "s.json", moto_url, "--services", "sqs",
                          "--regions", "eu-west-1")
    assert value["fetched"]["services"] == ["sqs"]
    assert value["fetched"]["regions"] == ["eu-west-1"]
    assert [q["arn"] for q in value["resources"]["sqs_queues"]] == [
        f"arn:aws:sqs:eu-west-1:{S.MANAGEMENT}:audit-eu"]
    assert "authorization_details" not in value["accounts"][0]
    assert "organization" not in value


def test_without_regions_every_enabled_region_is_read(seeded_once: S.Seeded, moto_url: str,
                                                      tmp_path: Path) -> None:
    """Default Regions: ec2 DescribeRegions (AllRegions false: the enabled ones).
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html"""
    path = tmp_path / "all.json"
    ran = run("fetch", "-o", str(path), "--endpoint-url", moto_url, "--services", "sqs")
    assert ran.exit_code == 0, ran.stderr
    value = json.loads(path.read_text())
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(value["fetched"]["regions"])
    assert len(value["resources"]["sqs_queues"]) == 2
    assert "fetched sqs eu-west-1: 1 sqs_queues" in ran.stderr


def test_global_services_alone_list_no_regions(seeded_once: S.Seeded, moto_url: str,
                                               tmp_path: Path) -> None:
    """IAM and Organizations are global: `--services iam,organizations` without
    `--regions` reads no Region list (no ec2 DescribeRegions)."""
    path = tmp_path / "global.json"
    ran = run("fetch", "-o", str(path), "--endpoint-url", moto_url,
              "--services", "iam,organizations")
    assert ran.exit_code == 0, ran.stderr
    value = json.loads(path.read_text())
    assert value["fetched"]["regions"] == []
    assert value["resources"] == {} and "organization" in value
    assert ran.stderr.splitlines()[0] == "fetching: 2 tasks"

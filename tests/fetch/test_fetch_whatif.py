"""What-if questions on fetched snapshots, through the CLI, give AWS's decisions.

The management account's and the member account's snapshots are fetched separately (as
one would with two profiles) and merged with `--env A --env B`: the organization in both
is the same, so the member's role is judged under the OU's SCP.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
(explicit deny, SCPs, boundaries), https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html (grant constraints),
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fetch import seed as S
from tests.fetch.helpers import fetch_into, member_env, run

pytestmark = pytest.mark.aws


@pytest.fixture(scope="module")
def snapshots(seeded_once: S.Seeded, moto_url: str, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[S.Seeded, list[str]]:
    folder = tmp_path_factory.mktemp("whatif")
    management, member = folder / "management.json", folder / "member.json"
    fetch_into(management, moto_url)
    _, value = fetch_into(member, moto_url, env=member_env(seeded_once.member_credentials))
    assert value["accounts"][0]["id"] == seeded_once.member_account
    # A member account may not list the tree (AWS: AccessDenied; moto: ParentNotFound):
    # its snapshot has no organization, and says so; the management's supplies it.
    assert "organization" not in value
    assert {w["service"] for w in value["fetched"]["warnings"]} == {"organizations"}
    return seeded_once, ["--env", str(management), "--env", str(member)]


def _ask(env: list[str], question: str) -> dict[str, Any]:
    ran = run("ask", question, *env, "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    return json.loads(ran.stdout)


def test_the_member_accounts_admin_is_stopped_by_the_ous_scp(snapshots) -> None:
    """An SCP Deny on the OU applies to every principal of the member account, admin or
    not (orgs_manage_policies_scps.html)."""
    seeded, env = snapshots
    who = f"{seeded.member_account}:role/workload-admin"
    denied = _ask(env, f"can {who} do s3:DeleteBucket on arn:aws:s3:::member-logs "
                       f"in account {seeded.member_account}")
    assert denied["decision"] == "explicitDeny"
    denying = [(p["role"], p["name"]) for p in denied["explanation"]["policies"]
               if p["denies"]]
    assert denying == [("scp", "protect-buckets")]
    allowed = _ask(env, f"can {who} do s3:PutObject on arn:aws:s3:::member-logs/x "
                        f"in account {seeded.member_account}")
    assert allowed["decision"] == "allowed"


def test_bucket_policy_role_policy_and_boundary_decide_as_seeded(snapshots) -> None:
    """role/app reads its bucket over TLS (bucket policy names it), not without TLS (the
    bucket's Deny), and its boundary leaves DynamoDB out (implicit deny)."""
    _, env = snapshots
    bucket = f"arn:aws:s3:::{S.APP_BUCKET}/report.csv"
    over_tls = _ask(env, f"can role/app do s3:GetObject on {bucket} when "
                         "aws:SecureTransport = true")
    assert over_tls["decision"] == "allowed"
    plain = _ask(env, f"can role/app do s3:GetObject on {bucket} when "
                      "aws:SecureTransport = false")
    assert plain["decision"] == "explicitDeny"
    table = f"arn:aws:dynamodb:us-east-1:{S.MANAGEMENT}:table/orders"
    bounded = _ask(env, f"can role/app do dynamodb:GetItem on {table}")
    assert (bounded["decision"], bounded["explanation"]["decided_by"]) == \
        ("implicitDeny", "permissions-boundary")


def test_the_kms_grant_allows_only_within_its_constraint(snapshots) -> None:
    """The grant to role/deployer carries EncryptionContextSubset stage=build."""
    seeded, env = snapshots
    within = _ask(env, f"can role/deployer do kms:Decrypt on {seeded.key_arn} when "
                       "kms:EncryptionContext:stage = build")
    assert (within["decision"], within["explanation"]["decided_by"]) == ("allowed", "grant")
    outside = _ask(env, f"can role/deployer do kms:Decrypt on {seeded.key_arn} when "
                        "kms:EncryptionContext:stage = prod")
    assert outside["decision"] == "implicitDeny"


def test_who_can_finds_the_public_bucket_and_the_public_layer(snapshots) -> None:
    """The site bucket's policy names `*` and the account's Block Public Access leaves
    policies alone (BlockPublicPolicy and RestrictPublicBuckets off): anonymous callers
    read it. The app bucket's Block Public Access keeps anonymous callers out."""
    _, env = snapshots
    site = run("who-can", "s3:GetObject", f"arn:aws:s3:::{S.SITE_BUCKET}/index.html", *env,
               "--format", "json")
    assert site.exit_code == 0, site.stderr
    assert "anonymous (*)" in [a["display"] for a in json.loads(site.stdout)["allowed"]]
    app = run("who-can", "s3:GetObject", f"arn:aws:s3:::{S.APP_BUCKET}/x", *env,
              "--format", "json")
    allowed = {a["display"] for a in json.loads(app.stdout)["allowed"]}
    assert "anonymous (*)" not in allowed
    assert f"{S.MANAGEMENT}:role/app" in allowed and f"{S.MANAGEMENT}:user/bob" not in allowed
    layer = f"arn:aws:lambda:us-east-1:{S.MANAGEMENT}:layer:{S.LAYER}:2"
    public = run("who-can", "lambda:GetLayerVersion", layer, *env, "--format", "json")
    shared = [a["display"] for a in json.loads(public.stdout)["allowed"]]
    # A layer shared with `*` is shared with every AWS account; Lambda API requests are
    # signed, so never with anonymous callers
    # (https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html,
    # https://docs.aws.amazon.com/lambda/latest/api/welcome.html).
    assert any("any principal of another account" in name for name in shared), shared
    assert "anonymous (*)" not in shared


def test_assume_paths_follow_the_fetched_trust_policies(snapshots) -> None:
    """alice may assume role/deployer (its trust policy names her); bob may not (the
    trust policy names neither him nor his account's root)."""
    _, env = snapshots
    for user, expected in (("alice", [[S.role_arn("deployer")]]), ("bob", [])):
        ran = run("assume-paths", f"user/{user}", *env, "--to", S.role_arn("deployer"),
                  "--format", "json")
        assert ran.exit_code == 0, ran.stderr
        paths = [[hop["role"] for hop in path["hops"]]
                 for path in json.loads(ran.stdout)["paths"]]
        assert paths == expected


def test_lint_env_reads_every_fetched_policy(snapshots) -> None:
    """`lint --env` finds the public bucket policy and the public layer of the snapshot."""
    _, env = snapshots
    ran = run("lint", *env[:2], "--format", "json")
    body = json.loads(ran.stdout)
    assert ran.exit_code == 1  # security warnings fail by default
    public = [f["subject"] for f in body["findings"] if f["code"] == "PUBLIC_ACCESS"]
    assert f"arn:aws:s3:::{S.SITE_BUCKET}" in public
    assert f"arn:aws:lambda:us-east-1:{S.MANAGEMENT}:layer:{S.LAYER}:2" in public
    kinds = set(body["files"][0]["kinds"])
    assert {"scp", "rcp", "kms-key", "s3-bucket", "trust", "boundary"} <= kinds

"""S3 Block Public Access, Object Ownership and bucket ACLs in snapshots, and who-can.

Sources: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
(account and bucket settings combine, the most restrictive applying; RestrictPublicBuckets;
IgnorePublicAcls), https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
(BucketOwnerEnforced disables ACLs), https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
(grantees and permissions).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from snapshot_helpers import EXAMPLE, only_problem

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.who_can import who_can
from policy_engine.snapshot import SnapshotError, load_snapshot, snapshot_schema
from policy_engine.whatif import parse_question

OWNER, OTHER = "111122223333", "444455556666"
OTHER_ID = "1a2b" * 16
PUBLIC_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"]}]}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _snapshot(tmp_path: Path, bucket: dict[str, Any], account: dict[str, Any] | None = None
              ) -> Path:
    value = {"format": "policy-engine-snapshot/1",
             "accounts": [{"id": OWNER, **(account or {})},
                          {"id": OTHER, "canonical_user_id": OTHER_ID}],
             "resources": {"s3_buckets": [{"name": "site", "account": OWNER, **bucket}]}}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(value, indent=2))
    return path


def _ask(path: Path, text: str) -> str:
    resolver = Resolver(load_snapshot([path]))
    return resolver.ask(parse_question(text)).decision.value


def _public_callers(path: Path, action: str, resource: str) -> set[str]:
    grants = who_can(Resolver(load_snapshot([path])), action, resource)
    return {g.caller.display for g in grants}


def test_loaded_settings_are_kept(tmp_path: Path) -> None:
    path = _snapshot(tmp_path, {"public_access_block": {"PublicAccessBlockConfiguration": {
        "RestrictPublicBuckets": True}}, "object_ownership": "ObjectWriter",
        "acl": "public-read"}, {"s3_public_access_block": {"IgnorePublicAcls": True}})
    snapshot = load_snapshot([path])
    bucket = snapshot.resource("arn:aws:s3:::site")
    assert bucket is not None and bucket.s3 is not None
    assert bucket.s3.public_access_block is not None
    assert bucket.s3.public_access_block.restrict_public_buckets
    assert bucket.s3.object_ownership == "ObjectWriter"
    owner = snapshot.account(OWNER)
    assert owner is not None and owner.s3_public_access_block is not None
    assert owner.s3_public_access_block.ignore_public_acls
    assert snapshot.account(OTHER).canonical_user_id == OTHER_ID  # type: ignore[union-attr]


def test_bucket_without_settings_has_none(tmp_path: Path) -> None:
    """Absent means not configured: nothing is compiled, nothing is evaluated."""
    path = _snapshot(tmp_path, {"policy": PUBLIC_POLICY})
    bucket = load_snapshot([path]).resource("arn:aws:s3:::site")
    assert bucket is not None and bucket.s3 is None
    target = Resolver(load_snapshot([path])).target("s3:GetObject", "arn:aws:s3:::site/x")
    assert target.s3 is None
    assert _ask(path, "* s3:GetObject arn:aws:s3:::site/x") == "allowed"


@pytest.mark.parametrize(("bucket", "account", "expect"), [
    ({"policy": PUBLIC_POLICY}, None, "allowed"),
    ({"policy": PUBLIC_POLICY, "public_access_block": {"RestrictPublicBuckets": True}}, None,
     "implicitDeny"),
    ({"policy": PUBLIC_POLICY}, {"s3_public_access_block": {"RestrictPublicBuckets": True}},
     "implicitDeny"),
    ({"acl": "public-read"}, None, "allowed"),
    ({"acl": "public-read", "object_ownership": "BucketOwnerEnforced"}, None, "implicitDeny"),
    ({"acl": "public-read"}, {"s3_public_access_block": {"IgnorePublicAcls": True}},
     "implicitDeny"),
])
def test_anonymous_listing_follows_the_settings(tmp_path: Path, bucket: dict[str, Any],
                                                account: dict[str, Any] | None,
                                                expect: str) -> None:
    path = _snapshot(tmp_path, bucket, account)
    assert _ask(path, "* s3:ListBucket arn:aws:s3:::site") == expect
    listed = "anonymous (*)" in _public_callers(path, "s3:ListBucket", "arn:aws:s3:::site")
    assert listed is (expect == "allowed")


def test_who_can_reports_acl_grants_as_s3_allows_them(tmp_path: Path) -> None:
    acl = {"Owner": {"ID": "cafe" * 16}, "Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/"
                     "AuthenticatedUsers"}, "Permission": "READ"},
        {"Grantee": {"Type": "CanonicalUser", "ID": OTHER_ID}, "Permission": "READ_ACP"}]}
    path = _snapshot(tmp_path, {"acl": acl})
    readers = who_can(Resolver(load_snapshot([path])), "s3:ListBucket", "arn:aws:s3:::site")
    shown = {g.caller.display: g for g in readers}
    # AuthenticatedUsers: any signed caller of any account, never the anonymous one.
    assert "anonymous (*)" not in shown
    assert "any principal of another account" in shown
    assert ("acl", "bucket ACL", "READ to AuthenticatedUsers") in \
        shown["any principal of another account"].granting_statements
    # The grant to the other account's canonical user is READ_ACP only.
    acl_readers = who_can(Resolver(load_snapshot([path])), "s3:GetBucketAcl",
                          "arn:aws:s3:::site")
    assert f"arn:aws:iam::{OTHER}:root" in {g.caller.display for g in acl_readers}


def test_example_org_bucket_with_todays_defaults() -> None:
    """The example's `example-prod-assets`: Block Public Access on, ACLs disabled; its public
    policy reaches only the prod account's own principals."""
    resolver = Resolver(load_snapshot([EXAMPLE / "snapshot.yaml"]))
    grants = who_can(resolver, "s3:GetObject", "arn:aws:s3:::example-prod-assets/logo.png")
    callers = {g.caller.display for g in grants}
    assert "anonymous (*)" not in callers
    assert "any principal of another account" not in callers
    assert callers and all(OWNER in c for c in callers)
    public = who_can(resolver, "s3:GetObject",
                     "arn:aws:s3:::example-public-website/index.html")
    assert "anonymous (*)" in {g.caller.display for g in public}


def test_schema_describes_the_settings() -> None:
    schema = json.dumps(snapshot_schema())
    for key in ("s3_public_access_block", "canonical_user_id", "public_access_block",
                "object_ownership", "BlockPublicAcls", "RestrictPublicBuckets",
                "BucketOwnerEnforced", "FULL_CONTROL", "public-read"):
        assert key in schema, key


@pytest.mark.parametrize(("bucket", "pointer", "words"), [
    ({"public_access_block": {"BlockPublicAcls": "yes"}},
     "/resources/s3_buckets/0/public_access_block/BlockPublicAcls", "`true` or `false`"),
    ({"public_access_block": {"BlockPublicPolicies": True}},
     "/resources/s3_buckets/0/public_access_block/BlockPublicPolicies", "BlockPublicPolicies"),
    ({"object_ownership": "Enforced"}, "/resources/s3_buckets/0/object_ownership",
     "BucketOwnerEnforced"),
    ({"acl": "world-readable"}, "/resources/s3_buckets/0/acl", "public-read"),
])
def test_bad_settings_are_located(tmp_path: Path, bucket: dict[str, Any], pointer: str,
                                  words: str) -> None:
    path = _snapshot(tmp_path, bucket)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert problem.pointer == pointer, problem.one_line()
    assert words in problem.message

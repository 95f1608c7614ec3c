"""Independent review of issue 11: interplay of the new mechanisms with the analyses.

Each test states a decision the cited AWS page fixes and that an analysis path must agree
with `evaluate()` on.
"""

from __future__ import annotations

import json
from pathlib import Path

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.catalog import actions_for_resource
from policy_engine.engine.evaluate import evaluate_verdict
from policy_engine.engine.result import Decision
from policy_engine.snapshot import load_snapshot

OWNER = "111122223333"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _bucket_snapshot(tmp_path: Path, acl: object) -> Path:
    value = {"format": "policy-engine-snapshot/1", "accounts": [{"id": OWNER}],
             "resources": {"s3_buckets": [{"name": "site", "account": OWNER, "acl": acl}]}}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(value))
    return path


def _one_by_one(resolver: Resolver, principal: str, resource: str) -> set[str]:
    caller = resolver.caller(principal)
    allowed = set()
    for action in actions_for_resource(resource, None):
        target = resolver.target(action.full_name, resource, None)
        verdict = evaluate_verdict(resolver.request(caller, action.full_name, target),
                                   resolver.policy_set(caller, target))
        if verdict.decision is Decision.ALLOWED:
            allowed.add(action.full_name)
    return allowed


def test_what_can_lists_what_a_bucket_acl_grants(tmp_path: Path) -> None:
    """A bucket ACL granting FULL_CONTROL to AllUsers on a bucket without ownership controls
    lets anyone list the bucket and read and write its ACL (acl-overview.html, "Mapping of
    ACL permissions and access policy permissions"); what-can must report what `evaluate()`
    allows, action by action: the ACL tells actions of one service apart although no policy
    statement does, so the one-evaluation-per-service shortcut does not hold.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
    """
    acl = {"Owner": {"ID": "a" * 64}, "Grants": [
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "FULL_CONTROL"}]}
    resolver = Resolver(load_snapshot([_bucket_snapshot(tmp_path, acl)]))
    expected = _one_by_one(resolver, "*", "arn:aws:s3:::site")
    assert {"s3:ListBucket", "s3:GetBucketAcl", "s3:PutBucketAcl"} <= expected
    report = what_can(resolver, "*", "arn:aws:s3:::site")
    assert {a.action.full_name for a in report.allowed} == expected


def test_what_can_object_actions_under_a_public_read_write_bucket(tmp_path: Path) -> None:
    """public-read-write: WRITE to AllUsers on the bucket lets anyone create objects
    (s3:PutObject), and nothing else on an object (acl-overview.html, canned ACL)."""
    resolver = Resolver(load_snapshot([_bucket_snapshot(tmp_path, "public-read-write")]))
    resource = "arn:aws:s3:::site/report.csv"
    expected = _one_by_one(resolver, "*", resource)
    assert expected == {"s3:PutObject"}
    report = what_can(resolver, "*", resource)
    assert {a.action.full_name for a in report.allowed} == expected

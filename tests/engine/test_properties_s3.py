"""Block Public Access never adds access (issue 11): turning on any of its settings, at
the account or the bucket level, leaves every allowed request no more allowed than before.

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
(each setting blocks or ignores; none grants). The scenarios are those of
`test_properties.py`, on S3 resources, with Object Ownership, bucket and object ACLs and
ACL-setting request headers drawn beside them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from policy_engine.engine.evaluate import evaluate_decision
from policy_engine.engine.result import Decision
from policy_engine.engine.s3_access import BPA_SETTINGS, compile_s3_access
from policy_engine.model.policy import PolicyDocument
from policy_engine.model.s3_access import S3AccessSettings
from tests.engine.test_properties import A, B, build, describe, scenarios

PAGE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
CANONICAL = {"cafe" * 16: A, "beef" * 16: B}
S3_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetObjectAcl",
              "s3:PutObjectAcl", "s3:PutBucketAcl", "s3:GetBucketAcl")

grantees = st.sampled_from([
    {"Type": "Group", "URI": ALL_USERS}, {"Type": "Group", "URI": AUTHENTICATED},
    {"Type": "CanonicalUser", "ID": "cafe" * 16}, {"Type": "CanonicalUser", "ID": "beef" * 16},
    {"Type": "CanonicalUser", "ID": "0123" * 16},
])
permissions = st.sampled_from(["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"])
acls = st.none() | st.sampled_from(["private", "public-read", "public-read-write",
                                    "authenticated-read", "bucket-owner-full-control",
                                    "log-delivery-write"]) | st.builds(
    lambda grants: {"Owner": {"ID": "cafe" * 16},
                    "Grants": [{"Grantee": g, "Permission": p} for g, p in grants]},
    st.lists(st.tuples(grantees, permissions), max_size=3))
blocks = st.none() | st.fixed_dictionaries({name: st.booleans() for name in BPA_SETTINGS})
ownership = st.sampled_from([None, "BucketOwnerEnforced", "BucketOwnerPreferred",
                             "ObjectWriter"])
acl_headers = st.fixed_dictionaries({}, optional={
    "s3:x-amz-acl": st.sampled_from(["private", "public-read", "authenticated-read",
                                     "bucket-owner-full-control"]),
    "s3:x-amz-grant-read": st.sampled_from([f'uri="{ALL_USERS}"', f'id="{"beef" * 16}"']),
})


@st.composite
def s3_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    scenario = draw(scenarios().filter(lambda s: s["resource"].startswith("arn:aws:s3:::")))
    if draw(st.booleans()):
        scenario = {**scenario, "action": draw(st.sampled_from(S3_ACTIONS))}
    scenario["context"] = {**scenario["context"], **draw(acl_headers)}
    base = {"account_public_access_block": draw(blocks), "public_access_block": draw(blocks),
            "object_ownership": draw(ownership), "bucket_acl": draw(acls),
            "object_acl": draw(acls), "canonical_users": CANONICAL}
    return scenario, base


def _decision(scenario: dict[str, Any], s3: dict[str, Any]) -> Decision:
    request, policies = build(scenario)
    document = scenario["resource_policy"]
    access = compile_s3_access(S3AccessSettings.model_validate(s3),
                               None if document is None else
                               PolicyDocument.model_validate(document))
    return evaluate_decision(request, dataclasses.replace(policies, s3=access))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s3_scenarios(), st.sampled_from(["account_public_access_block", "public_access_block"]),
       st.lists(st.sampled_from(BPA_SETTINGS), min_size=1, unique=True))
def test_turning_on_block_public_access_never_adds_access(
        drawn: tuple[dict[str, Any], dict[str, Any]], level: str, turned_on: list[str]) -> None:
    """access-control-block-public-access.html: every setting only blocks or ignores."""
    scenario, base = drawn
    stricter = dict(base)
    stricter[level] = {**(base[level] or {}), **dict.fromkeys(turned_on, True)}
    before, after = _decision(scenario, base), _decision(scenario, stricter)
    note(describe(scenario))
    note(f"{base} -> {stricter}: {before} -> {after}")
    if after is Decision.ALLOWED:
        assert before is Decision.ALLOWED
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s3_scenarios())
def test_disabling_acls_never_adds_access(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html:
    with BucketOwnerEnforced ACLs no longer affect permissions."""
    scenario, base = drawn
    enforced = {**base, "object_ownership": "BucketOwnerEnforced"}
    if _decision(scenario, enforced) is Decision.ALLOWED:
        assert _decision(scenario, base) is Decision.ALLOWED


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios().filter(lambda s: s["resource"].startswith("arn:aws:s3:::")))
def test_settings_that_configure_nothing_change_no_decision(scenario: dict[str, Any]) -> None:
    """Absent means not configured: an empty `s3` gives every request its old decision."""
    request, policies = build(scenario)
    assert _decision(scenario, {}) is evaluate_decision(request, policies)

"""Snapshots carry a KMS key's grants and VPC endpoints with their policies; the resolver
hands a key's grants and the endpoint named by `aws:SourceVpce` to the engine.

Pages: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html,
https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.analysis.who_can import who_can
from policy_engine.snapshot import load_snapshot, load_snapshot_value, snapshot_schema
from policy_engine.snapshot.messages import SnapshotError
from policy_engine.whatif import parse_question

EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENDPOINT = "vpce-0a1b2c3d4e5f60718"
A, B = "111122223333", "444455556666"

BASE: dict[str, Any] = {
    "format": "policy-engine-snapshot/1",
    "accounts": [{"id": A, "authorization_details": {
        "UserDetailList": [{"UserName": "john", "UserId": "AIDAJOHN0000000000000",
                            "Arn": f"arn:aws:iam::{A}:user/john", "Path": "/",
                            "UserPolicyList": [{"PolicyName": "s3", "PolicyDocument": {
                                "Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Action": "s3:*",
                                     "Resource": "*"}]}}],
                            "GroupList": [], "AttachedManagedPolicies": []}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []}}],
    "resources": {"kms_keys": [{"arn": KEY, "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
         "Action": "kms:*", "Resource": "*"}]},
        "grants": [{"GrantId": "g-1", "Name": "partner-decrypt",
                    "GranteePrincipal": f"arn:aws:iam::{B}:role/partner",
                    "Operations": ["Decrypt"]}]}]},
    "vpc_endpoints": [{"id": ENDPOINT, "account": A, "vpc_id": "vpc-0abc1234",
                       "policy": {"Version": "2012-10-17", "Statement": [
                           {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": "*"}]}}],
}


def _resolver(value: dict[str, Any] | None = None) -> Resolver:
    return Resolver(load_snapshot_value(value or BASE, source="snap.json"))


def _ask(resolver: Resolver, text: str) -> str:
    return resolver.ask(parse_question(text)).decision.value


def test_snapshot_holds_grants_and_endpoints() -> None:
    snapshot = load_snapshot_value(BASE, source="snap.json")
    assert [g.Name for g in snapshot.resource(KEY).grants] == ["partner-decrypt"]
    endpoint = snapshot.vpc_endpoints[ENDPOINT]
    assert endpoint.vpc_id == "vpc-0abc1234" and endpoint.policy is not None


def test_grant_reaches_the_engine_through_the_resolver() -> None:
    """A grantee in another account decrypts with the grant (grants.html); Encrypt is not
    among its operations."""
    resolver = _resolver()
    assert _ask(resolver, f"{B}:role/partner kms:Decrypt {KEY}") == "allowed"
    assert _ask(resolver, f"{B}:role/partner kms:Encrypt {KEY}") == "implicitDeny"


def test_who_can_on_a_key_lists_the_grantee() -> None:
    grants = who_can(_resolver(), "kms:Decrypt", KEY)
    found = {g.caller.request_principal: g.result.verdict.gate.value for g in grants}
    assert found.get(f"arn:aws:sts::{B}:assumed-role/partner/session") == "grant"


def test_what_can_lists_only_the_grants_operations() -> None:
    report = what_can(_resolver(), f"{B}:role/partner", KEY, service="kms")
    assert [a.action.full_name for a in report.allowed] == ["kms:Decrypt"]


def test_endpoint_named_by_source_vpce_limits_the_request() -> None:
    """The endpoint policy allows only s3:GetObject: PutObject through it is refused; the
    same PutObject without the endpoint is allowed (vpc-endpoints-access.html)."""
    resolver = _resolver()
    put = f"user/john s3:PutObject arn:aws:s3:::bucket/x in account {A}"
    assert _ask(resolver, put) == "allowed"
    assert _ask(resolver, f"{put} when aws:SourceVpce = {ENDPOINT}") == "implicitDeny"
    get = f"user/john s3:GetObject arn:aws:s3:::bucket/x in account {A}"
    assert _ask(resolver, f"{get} when aws:SourceVpce = {ENDPOINT}") == "allowed"


def test_endpoint_without_policy_has_full_access_and_unknown_endpoint_is_no_gate() -> None:
    value = copy.deepcopy(BASE)
    del value["vpc_endpoints"][0]["policy"]
    put = f"user/john s3:PutObject arn:aws:s3:::bucket/x in account {A}"
    assert _ask(_resolver(value), f"{put} when aws:SourceVpce = {ENDPOINT}") == "allowed"
    assert _ask(_resolver(), f"{put} when aws:SourceVpce = vpce-99999999") == "allowed"


@pytest.mark.parametrize(("change", "pointer"), [
    (lambda v: v["resources"]["kms_keys"][0]["grants"][0].update(Operations=["Nope"]),
     "/resources/kms_keys/0/grants/0/Operations/0"),
    (lambda v: v["vpc_endpoints"][0].update(id="endpoint-1"), "/vpc_endpoints/0/id"),
    (lambda v: v["vpc_endpoints"][0]["policy"]["Statement"][0].pop("Principal"),
     "/vpc_endpoints/0/policy/Statement/0"),
])
def test_bad_grant_or_endpoint_is_a_located_problem(change: Any, pointer: str) -> None:
    value = copy.deepcopy(BASE)
    change(value)
    with pytest.raises(SnapshotError) as raised:
        load_snapshot_value(value, source="snap.json")
    assert raised.value.problems[0].pointer.startswith(pointer)


def test_schema_documents_grants_and_endpoints() -> None:
    schema = snapshot_schema()
    assert "vpc_endpoints" in schema["properties"]
    assert "grants" in schema["$defs"]["KmsKeyEntry"]["properties"]


def test_example_org_answers() -> None:
    """The example organization's grant and endpoint, as its README documents them."""
    resolver = Resolver(load_snapshot([EXAMPLE]))
    ask = f"role/report-generator kms:Decrypt {KEY} when kms:EncryptionContext:department ="
    assert _ask(resolver, f"{ask} reports") == "allowed"
    assert _ask(resolver, f"{ask} finance") == "implicitDeny"
    grants = who_can(resolver, "kms:Decrypt", KEY)
    assert any(":assumed-role/report-generator/" in g.caller.request_principal
               and "department=reports" in g.result.verdict.reason for g in grants)

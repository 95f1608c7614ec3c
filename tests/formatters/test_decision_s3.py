"""The S3 part of an explanation, as text and as JSON (new keys only).

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
(IgnorePublicAcls makes S3 ignore AllUsers / AuthenticatedUsers grants).
"""

from __future__ import annotations

from collections.abc import Callable

from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.formatters import decision_text

CASE = {"request": {"principal": "*", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::amzn-s3-demo-bucket/a.txt",
                    "resource_account": "111122223333"},
        "s3": {"public_access_block": {"IgnorePublicAcls": True}, "object_acl": "public-read"}}


def test_text_tree_shows_settings_and_ignored_grant(plain: Callable[[object], str]) -> None:
    case = parse_case_value(CASE)
    text = plain(decision_text.render(evaluate(case.request, case.policies)))
    assert "decided by block-public-access" in text
    assert "Block Public Access IgnorePublicAcls" in text
    assert "READ to AllUsers  ignored (IgnorePublicAcls)" in text


def test_json_explanation_gains_an_s3_member_only() -> None:
    case = parse_case_value(CASE)
    body = evaluate(case.request, case.policies).to_dict()
    assert body["decision"] == "implicitDeny"
    s3 = body["explanation"]["s3"]
    assert s3["block_public_access"]["IgnorePublicAcls"] == {"on": True, "set_at": ["bucket"]}
    assert s3["acls_evaluated"] is True
    assert {"acl": "object ACL", "grantee": "AllUsers", "permission": "READ",
            "applies": True, "ignored_by": "IgnorePublicAcls"} in s3["acl_grants"]
    plain_case = parse_case_value({"request": CASE["request"]})
    assert "s3" not in evaluate(plain_case.request, plain_case.policies).to_dict()["explanation"]

"""Check no new access (`diff_policies`) and check access not granted."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_engine.analysis.access_diff import DiffReport, diff_policies
from policy_engine.analysis.access_not_granted import (
    check_access_not_granted,
    forbidden_actions,
)
from policy_engine.errors import PolicyEngineError
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import ParsedPolicy, parse_policy

BUCKET = "arn:aws:s3:::bucket"
ACCOUNT = "111122223333"


def policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> ParsedPolicy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind=kind)


def allow(actions: Any, resources: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deny(actions: Any, resources: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": actions, "Resource": resources, **extra}


def diff(old: ParsedPolicy, new: ParsedPolicy) -> DiffReport:
    return diff_policies(old, new)


def new_actions(report: DiffReport) -> set[str]:
    return {a for found in report.new_access for a in found.actions}


# ------------------------------------------------------------------ the cases


def test_widening_a_resource_is_new_access() -> None:
    report = diff(policy(allow("s3:GetObject", f"{BUCKET}/public/*")),
                  policy(allow("s3:GetObject", f"{BUCKET}/*")))
    assert [(f.actions, f.resources) for f in report.new_access] == [
        (("s3:getobject",), (f"{BUCKET}/*",))]
    assert "only on" in report.new_access[0].reason


def test_adding_an_action_through_a_wildcard_is_new_access() -> None:
    report = diff(policy(allow("s3:GetObject", BUCKET + "/*")),
                  policy(allow("s3:Get*", BUCKET + "/*")))
    assert "s3:getobjecttagging" in new_actions(report)
    assert "s3:getobject" not in new_actions(report)
    assert report.new_access[0].shown_actions[0].startswith("s3:Get* (")


def test_removing_a_condition_is_new_access() -> None:
    condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    report = diff(policy(allow("iam:ListUsers", Condition=condition)),
                  policy(allow("iam:ListUsers")))
    assert new_actions(report) == {"iam:listusers"}
    assert report.new_access[0].reason.startswith("granted under different conditions")


def test_adding_a_principal_is_new_access() -> None:
    kind = PolicyKind.S3_BUCKET
    old = policy(allow("s3:GetObject", BUCKET + "/*",
                       Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}), kind=kind)
    new = policy(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": [
        f"arn:aws:iam::{ACCOUNT}:role/app", "arn:aws:iam::444455556666:root"]}), kind=kind)
    report = diff(old, new)
    assert [f.principal for f in report.new_access] == ["AWS:arn:aws:iam::444455556666:root"]
    assert "other principals" in report.new_access[0].reason


def test_reordering_statements_is_no_new_access() -> None:
    one, two = allow("s3:GetObject", BUCKET + "/*"), allow("sqs:SendMessage", "*")
    assert diff(policy(one, two), policy(two, one)).passed


def test_splitting_a_statement_in_two_is_no_new_access() -> None:
    old = policy(allow(["s3:GetObject", "s3:PutObject"], [BUCKET, BUCKET + "/*"]))
    new = policy(allow("s3:GetObject", [BUCKET, BUCKET + "/*"]),
                 allow("s3:PutObject", BUCKET + "/*"))
    assert diff(old, new).passed


def test_narrowing_a_wildcard_is_no_new_access() -> None:
    old = policy(allow("s3:*", "arn:aws:s3:::bucket*"))
    new = policy(allow("s3:Get*", "arn:aws:s3:::bucket-logs/2026/*"))
    assert diff(old, new).passed


# --------------------------------------------------------------------- more behaviour


def test_a_deny_dropped_from_old_is_new_access() -> None:
    old = policy(allow("s3:*", "*"), deny("s3:DeleteBucket", "*", Sid="NoDelete"))
    new = policy(allow("s3:*", "*"))
    report = diff(old, new)
    assert new_actions(report) == {"s3:deletebucket"}
    assert "NoDelete" in report.new_access[0].reason


def test_a_deny_kept_or_broadened_is_no_new_access() -> None:
    old = policy(allow("s3:*", "*"), deny("s3:DeleteBucket", BUCKET))
    assert diff(old, policy(deny("s3:Delete*", "*"), allow("s3:*", "*"))).passed


def test_a_deny_added_in_new_removes_access() -> None:
    old = policy(allow("s3:GetObject", BUCKET + "/a/*"))
    new = policy(allow(["s3:GetObject", "s3:PutObject"], BUCKET + "/a/*"),
                 deny("s3:PutObject", BUCKET + "/*"))
    assert diff(old, new).passed


def test_not_action_is_the_complement_over_the_catalogue() -> None:
    old = policy(allow("*", "*"))
    assert diff(old, policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})).passed
    report = diff(policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
                  policy(allow("iam:ListUsers")))
    assert new_actions(report) == {"iam:listusers"}


def test_not_resource_is_new_unless_old_grants_everywhere() -> None:
    widened = policy({"Effect": "Allow", "Action": "s3:GetObject",
                      "NotResource": BUCKET + "/secret/*"})
    report = diff(policy(allow("s3:GetObject", BUCKET + "/*")), widened)
    assert report.new_access[0].resources_negated
    assert diff(policy(allow("s3:GetObject", "*")), widened).passed
    narrower = policy({"Effect": "Allow", "Action": "s3:GetObject",
                       "NotResource": BUCKET + "/*"})
    assert diff(widened, narrower).passed  # excludes more: grants less
    assert not diff(narrower, widened).passed


def test_a_resource_outside_old_not_resource_is_covered() -> None:
    old = policy({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET + "/x/*"})
    assert diff(old, policy(allow("s3:GetObject", BUCKET + "/y/*"))).passed
    assert not diff(old, policy(allow("s3:GetObject", BUCKET + "/*"))).passed


def test_the_same_condition_covers_and_a_new_condition_narrows() -> None:
    condition = {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}
    same = {"StringEquals": {"aws:requestedregion": ["us-east-1", "eu-west-1"]}}
    old = policy(allow("ec2:RunInstances", Condition=condition))
    assert diff(old, policy(allow("ec2:RunInstances", Condition=same))).passed
    assert diff(policy(allow("ec2:RunInstances")), old).passed


def test_findings_name_the_statement_and_its_line() -> None:
    text = ('{"Version": "2012-10-17", "Statement": [\n'
            '  {"Sid": "A", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}')
    report = diff(policy(allow("sqs:SendMessage")), parse_policy(text, source="new.json"))
    found = report.new_access[0]
    assert (found.statement_index, found.sid, found.line) == (0, "A", 2)
    assert found.shown_actions[0].startswith("sqs:* (")


def test_trust_policies_compare_principals() -> None:
    kind = PolicyKind.TRUST
    old = policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Principal": {"Service": "lambda.amazonaws.com"}}, kind=kind)
    new = policy({"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}},
                 kind=kind)
    report = diff(old, new)
    assert [f.principal for f in report.new_access] == ["Service:ec2.amazonaws.com"]
    assert diff(new, old).passed


def test_an_account_id_is_its_root() -> None:
    kind = PolicyKind.S3_BUCKET
    old = policy(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ACCOUNT}), kind=kind)
    new = policy(allow("s3:GetObject", BUCKET + "/*",
                       Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), kind=kind)
    assert diff(old, new).passed


# -------------------------------------------------------------- check access not granted


def test_must_not_grant_hits_and_misses() -> None:
    new = policy(allow(["iam:PassRole", "s3:GetObject"], f"{BUCKET}/*", Sid="Mixed"))
    hits = check_access_not_granted(new, forbidden_actions("iam:Pass*"))
    assert [(h.sid, h.actions) for h in hits] == [("Mixed", ("iam:passrole",))]
    assert check_access_not_granted(new, forbidden_actions("s3:PutObject")) == ()
    assert check_access_not_granted(new, forbidden_actions("s3:GetObject"),
                                    "arn:aws:s3:::other/*") == ()
    assert check_access_not_granted(new, forbidden_actions("s3:GetObject"),
                                    f"{BUCKET}/x") != ()


def test_must_not_grant_is_cleared_by_an_unconditional_deny() -> None:
    new = policy(allow("iam:*"), deny("iam:PassRole"))
    assert check_access_not_granted(new, forbidden_actions("iam:PassRole")) == ()


def test_must_not_grant_counts_a_conditional_grant() -> None:
    new = policy(allow("iam:PassRole", Condition={"Bool": {"aws:SecureTransport": "true"}}))
    assert check_access_not_granted(new, forbidden_actions("iam:PassRole"))[0].conditional


@pytest.mark.parametrize(("spec", "hint"), [("iam:PassRol", "iam:PassRole"),
                                            ("s4:GetObject", "no AWS service has the prefix"),
                                            ("s3:Nothing*", "matches no")])
def test_an_unknown_forbidden_action_is_bad_input(spec: str, hint: str) -> None:
    with pytest.raises(PolicyEngineError) as raised:
        forbidden_actions(spec)
    assert hint in raised.value.one_line()


# ---------------------------------------------------------------------------- properties

ACTIONS = ["s3:GetObject", "s3:Get*", "s3:*", "sqs:SendMessage", "iam:PassRole", "*"]
RESOURCES = ["*", BUCKET, BUCKET + "/*", BUCKET + "/a/*", "arn:aws:s3:::b*",
             "arn:aws:sqs:us-east-1:111122223333:q"]
CONDITIONS = [None, {"Bool": {"aws:SecureTransport": "true"}}]


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    element = draw(st.sampled_from(["Action", "NotAction"]))
    body[element] = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2))
    body[draw(st.sampled_from(["Resource", "Resource", "NotResource"]))] = draw(
        st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2))
    condition = draw(st.sampled_from(CONDITIONS))
    if condition:
        body["Condition"] = condition
    return body


documents = st.lists(statements(), min_size=1, max_size=4)
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(documents)
def test_a_policy_grants_nothing_new_over_itself(body: list[dict[str, Any]]) -> None:
    assert diff(policy(*body), policy(*body)).passed


@PROPERTY
@given(documents, st.permutations(range(4)))
def test_order_of_statements_never_matters(body: list[dict[str, Any]], order: list[int]
                                           ) -> None:
    shuffled = [body[i] for i in order if i < len(body)]
    assert diff(policy(*body), policy(*shuffled)).passed


@PROPERTY
@given(documents, statements())
def test_removing_an_allow_grants_nothing_new(body: list[dict[str, Any]],
                                              extra: dict[str, Any]) -> None:
    extra = {**extra, "Effect": "Allow"}
    assert diff(policy(*body, extra), policy(*body)).passed


@PROPERTY
@given(documents, statements())
def test_adding_a_deny_grants_nothing_new(body: list[dict[str, Any]],
                                          extra: dict[str, Any]) -> None:
    extra = {**extra, "Effect": "Deny"}
    assert diff(policy(*body), policy(*body, extra)).passed


# ------------------------------------------------------------------ engine witnesses


def test_a_finding_carries_an_engine_decided_witness() -> None:
    report = diff(policy(allow("s3:GetObject", f"{BUCKET}/public/*")),
                  policy(allow("s3:GetObject", f"{BUCKET}/*")))
    witness = report.new_access[0].witness
    assert witness is not None
    assert (witness.action, witness.resource) == ("s3:GetObject", f"{BUCKET}/diff-witness")
    assert (witness.old_decision, witness.new_decision) == ("implicitDeny", "allowed")


def test_a_dropped_deny_is_proved_by_the_engine() -> None:
    report = diff(policy(allow("s3:*"), deny("s3:DeleteBucket")), policy(allow("s3:*")))
    witness = report.new_access[0].witness
    assert witness is not None and witness.old_decision == "explicitDeny"


def test_resource_policies_carry_no_witness() -> None:
    kind = PolicyKind.S3_BUCKET
    old = policy(allow("s3:GetObject", BUCKET + "/a/*", Principal="*"), kind=kind)
    new = policy(allow("s3:GetObject", BUCKET + "/*", Principal="*"), kind=kind)
    assert [f.witness for f in diff(old, new).new_access] == [None]


def test_must_not_grant_on_a_resource_a_not_resource_excludes() -> None:
    new = policy({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET + "/*"})
    actions = forbidden_actions("s3:GetObject")
    assert check_access_not_granted(new, actions, BUCKET + "/x") == ()
    assert check_access_not_granted(new, actions, "arn:aws:s3:::other/x") != ()

"""One slot vocabulary: labels, report order, applicability; the request's classification."""

from __future__ import annotations

from datetime import UTC, datetime

from policy_engine.engine.compiler import compile_policy_set
from policy_engine.engine.request import make_request
from policy_engine.engine.slots import LAID_OUT, Slot
from policy_engine.model.policy import PolicyDocument

A = "111122223333"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
ALICE = f"arn:aws:iam::{A}:user/alice"
EVERYTHING = PolicyDocument.model_validate(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                             "Resource": "*"}]})


def test_every_laid_out_slot_has_a_distinct_order_and_every_slot_a_distinct_label() -> None:
    assert len({s.order for s in LAID_OUT}) == len(LAID_OUT)
    assert [s.order for s in LAID_OUT] == sorted(s.order for s in LAID_OUT)
    assert len({s.label for s in Slot}) == len(Slot)
    assert {s for s in Slot if s.is_organization_level} == {Slot.SCP, Slot.RCP}


def test_the_layout_places_policies_in_report_order() -> None:
    policies = compile_policy_set(
        identity=[("one", EVERYTHING), ("two", EVERYTHING)],
        permissions_boundary=("boundary", EVERYTHING),
        resource_policy=("bucket", EVERYTHING),
        scps=[[("root", EVERYTHING)], [("ou", EVERYTHING), ("ou2", EVERYTHING)]])
    layout = policies.layout
    assert [(p.slot, p.level, p.policy.name) for p in layout.placements] == [
        (Slot.SCP, 0, "root"), (Slot.SCP, 1, "ou"), (Slot.SCP, 1, "ou2"),
        (Slot.RESOURCE, None, "bucket"), (Slot.IDENTITY, None, "one"),
        (Slot.IDENTITY, None, "two"), (Slot.PERMISSIONS_BOUNDARY, None, "boundary")]
    assert layout.scp_levels == ((0,), (1, 2)) and layout.rcp_levels is None
    assert (layout.resource, layout.identity, layout.boundary, layout.session) == \
        (3, (4, 5), 6, None)


def test_the_request_classifies_its_resource_once() -> None:
    key = make_request(ALICE, "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/1234", now=NOW)
    trust = make_request(ALICE, "sts:AssumeRole", f"arn:aws:iam::{A}:role/app", now=NOW)
    role = make_request(ALICE, "iam:GetRole", f"arn:aws:iam::{A}:role/app", now=NOW)
    bucket = make_request(ALICE, "s3:GetObject", "arn:aws:s3:::bucket/x",
                          resource_account=A, now=NOW)
    anything = make_request(ALICE, "s3:ListAllMyBuckets", "*", now=NOW)
    assert [r.resource_slot for r in (key, trust, role, bucket, anything)] == \
        [Slot.KEY, Slot.TRUST, Slot.RESOURCE, Slot.RESOURCE, Slot.RESOURCE]
    assert bucket.resource_arn is not None and bucket.resource_arn.service == "s3"
    assert bucket.resource_service == "s3"
    assert anything.resource_arn is None and anything.resource_service is None

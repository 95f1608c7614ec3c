"""what-can answers a whole service with one evaluation when no statement tells its actions
apart; the answer must equal evaluating every action one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import is_uniform_for_service, what_can
from policy_engine.catalog import actions_for_resource
from policy_engine.engine.evaluate import evaluate_verdict
from policy_engine.engine.match_action import compile_actions
from policy_engine.examples import examples_path
from policy_engine.snapshot import load_snapshot

ORG = examples_path("org", "snapshot.yaml")
FIXTURE = Path(__file__).parent / "fixtures" / "org.yaml"


@pytest.mark.parametrize(("patterns", "negated", "service", "expected"), [
    (("*",), False, "s3", True),
    (("s3:*",), False, "s3", True),
    (("s3:*",), False, "ec2", False),
    (("S*:*",), False, "sqs", True),
    (("s3:Get*",), False, "s3", None),
    (("s3:Get*",), False, "ec2", False),
    (("iam:*",), True, "iam", False),
    (("iam:*",), True, "s3", True),
    (("iam:Pass*", "s3:*"), True, "s3", False),
    (("a:b:c",), False, "a", False),
    (("s3*",), False, "s3", None),
])
def test_uniform_for_service(patterns: tuple[str, ...], negated: bool, service: str,
                             expected: bool | None) -> None:
    """Actions match case-insensitively with `*`/`?` in the name and service parts
    (reference_policies_elements_action.html); NotAction inverts the listed set
    (reference_policies_elements_notaction.html)."""
    assert compile_actions(patterns, negated=negated).uniform_for_service(service) is expected


@pytest.mark.parametrize(("env", "principal", "resource"), [
    (ORG, "111122223333:role/break-glass", "*"),
    (ORG, "444455556666:user/dev-bob", "*"),
    (ORG, "444455556666:user/dev-bob", "arn:aws:s3:::example-dev-scratch/x"),
    (ORG, "111122223333:role/kms-admin",
     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    (FIXTURE, "user/erin", "*"),
])
def test_service_shortcut_equals_every_action_one_by_one(env: Path, principal: str,
                                                          resource: str) -> None:
    """The decision depends on the action only through Action/NotAction matching (and, for
    KMS, the cross-account operation list), so one evaluation per uniform service is exact.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    if not Path(env).exists():
        pytest.skip("fixture not present")
    resolver = Resolver(load_snapshot([env]))
    report = what_can(resolver, principal, resource)
    caller = resolver.caller(principal)
    slow = []
    for action in actions_for_resource(resource):
        target = resolver.target(action.full_name, resource)
        verdict = evaluate_verdict(resolver.request(caller, action.full_name, target),
                                   resolver.policy_set(caller, target))
        if verdict.decision.value == "allowed":
            slow.append(action.full_name)
    assert [a.action.full_name for a in report.allowed] == slow
    policy_set = resolver.policy_set(caller, resolver.target("s3:GetObject", resource))
    assert not is_uniform_for_service(policy_set, "kms")

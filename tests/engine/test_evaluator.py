"""The evaluator over a policy set owns every memo; the compiled layer stays pure data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.evaluate import Evaluator, evaluate, evaluate_decision, evaluator_for
from policy_engine.engine.request import Request, make_request
from policy_engine.model.policy import PolicyDocument

A = "111122223333"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _document(*statements: dict[str, Any]) -> PolicyDocument:
    return PolicyDocument.model_validate({"Version": "2012-10-17",
                                          "Statement": list(statements)})


def _set() -> PolicySet:
    identity = _document(
        {"Effect": "Allow", "Action": "s3:*",
         "Resource": "arn:aws:s3:::bucket/${aws:username}/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    )
    everything = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    return compile_policy_set(identity=[("home", identity)],
                              scps=[[("FullAWSAccess", everything)]])


def _request(action: str, resource: str) -> Request:
    return make_request(f"arn:aws:iam::{A}:user/alice", action, resource,
                        resource_account=A, now=NOW)


REQUESTS = (("s3:GetObject", "arn:aws:s3:::bucket/alice/a.txt"),
            ("s3:GetObject", "arn:aws:s3:::bucket/bob/a.txt"),
            ("s3:DeleteObject", "arn:aws:s3:::bucket/alice/a.txt"),
            ("ec2:RunInstances", "*"))


def _fields(value: object) -> dict[str, object]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)  # type: ignore[arg-type]
            if f.name != "_evaluator"}


def test_an_evaluator_decides_as_evaluate_does() -> None:
    policies = _set()
    evaluator = Evaluator(_set())
    for action, resource in REQUESTS:
        request = _request(action, resource)
        mine = evaluator.evaluate(request)
        public = evaluate(request, policies)
        assert mine.verdict == public.verdict
        assert mine.to_dict() == public.to_dict()
        assert evaluate_decision(request, policies) is public.decision


def test_evaluating_leaves_the_compiled_layer_unchanged() -> None:
    policies = _set()
    before = {name: repr(value) for name, value in _fields(policies).items()}
    statements = [dataclasses.astuple(s) for p in policies.identity for s in p.statements]
    for _ in range(2):
        for action, resource in REQUESTS:
            evaluate(_request(action, resource), policies).explanation  # noqa: B018
    assert {name: repr(value) for name, value in _fields(policies).items()} == before
    assert [dataclasses.astuple(s) for p in policies.identity for s in p.statements] \
        == statements


def test_a_set_keeps_one_evaluator() -> None:
    policies = _set()
    evaluate(_request(*REQUESTS[0]), policies)
    assert evaluator_for(policies) is evaluator_for(policies)
    assert evaluator_for(policies).policies is policies


def test_a_set_asked_again_and_again_decides_as_a_fresh_set() -> None:
    """Memos start once a plan's key has been met several times: ask one shared set every
    request ten times over, with contexts that change what conditions and variables
    answer, and compare each verdict with that of a set compiled for the request alone."""
    identity = _document(
        {"Effect": "Allow", "Action": "s3:*",
         "Resource": "arn:aws:s3:::bucket/${aws:username}/*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/drop/*"},
        {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:ec2:*:*:instance/*"},
    )
    requests = (*REQUESTS, ("s3:PutObject", "arn:aws:s3:::bucket/drop/x"),
                ("s3:PutObject", "arn:aws:s3:::bucket/keep/x"),
                ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-1"),
                ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{A}:volume/v-1"))
    everything = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})

    def fresh() -> PolicySet:
        return compile_policy_set(identity=[("home", identity)],
                                  scps=[[("FullAWSAccess", everything)]])

    shared = fresh()
    users = ("alice", "bob")
    ips = ("10.1.2.3", "192.0.2.1")
    tls = (True, False)
    asked = 0
    for _ in range(10):
        for user in users:
            for ip in ips:
                for secure in tls:
                    for action, resource in requests:
                        request = make_request(
                            f"arn:aws:iam::{A}:user/{user}", action, resource,
                            resource_account=A, now=NOW,
                            context={"aws:SourceIp": ip, "aws:SecureTransport": secure})
                        assert evaluate(request, shared).verdict == \
                            evaluate(request, fresh()).verdict
                        asked += 1
    assert asked == 640

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

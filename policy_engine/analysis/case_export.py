"""A what-if question over a snapshot, written out as a case file (shared/DESIGN.md, "The
case file"): the request as the resolver builds it and every policy that takes part.

This is how an answer given over an account snapshot becomes something anyone can
recompute with `policy-engine simulate`, with no snapshot at hand: the quiz prints it for
its decision questions over scenario snapshots. `export_case` checks its own work: the
written case is read back and evaluated, and a decision that differs from the resolver's
is an error, never a case that quietly answers otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policy_engine.analysis.resolve import Resolver
from policy_engine.case import Case, parse_case_value
from policy_engine.engine.compiler import CompiledPolicy, PolicySet
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.whatif import Question


class CaseExportError(PolicyEngineError):
    """The question's policies cannot be written as a case that decides the same way."""


@dataclass(frozen=True)
class ExportedCase:
    value: dict[str, Any]  # the case-file value
    case: Case  # ... read back and compiled, as `simulate` would
    result: EvaluationResult  # the resolver's answer, with its trace


def export_case(resolver: Resolver, question: Question, *, source: str = "<expr>"
                ) -> ExportedCase:
    caller = resolver.caller(question.principal)
    target = resolver.target(question.action, question.resource, question.resource_account)
    request = resolver.request(caller, question.action, target, question.context)
    endpoint = resolver.endpoint_policy(request)
    policies = resolver.policy_set(caller, target, endpoint=endpoint)
    result = resolver.ask(question, source=source)
    bucket = resolver.snapshot.resource_for(target.arn) if target.s3 is not None else None
    s3 = resolver.s3_settings(bucket, target.account) if target.s3 is not None else None
    governing = resolver.snapshot.resource_for(target.arn) if target.grants else None
    value: dict[str, Any] = {
        "request": _request(caller.request_principal, question, target.arn, target.account,
                            resolver.context_for(caller, target, question.context)),
        **_policies(policies),
    }
    if s3 is not None:
        value["s3"] = s3.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True,
                                    mode="json")
    if governing is not None and governing.grants:
        value["grants"] = [g.model_dump(exclude_none=True, mode="json")
                           for g in governing.grants]
    case = parse_case_value(value, source=f"{source} (as a case)", now=resolver.now)
    recomputed = evaluate(case.request, case.policies).decision
    if recomputed is not result.decision:
        raise CaseExportError(Problem(
            ProblemCode.CASE_MISMATCH, f"written as a case, `{question.text}` decides "
            f"{recomputed.value}, not {result.decision.value}: the snapshot holds something "
            "a case file cannot state", source=source))
    return ExportedCase(value, case, result)


def _request(principal: str, question: Question, resource: str, account: str | None,
             context: Mapping[str, object]) -> dict[str, Any]:
    request: dict[str, Any] = {"principal": principal, "action": question.action,
                               "resource": resource}
    if account is not None:
        request["resource_account"] = account
    if context:
        request["context"] = {key: _context_value(v) for key, v in context.items()}
    return request


def _context_value(value: object) -> object:
    if isinstance(value, (list, tuple, frozenset, set)):
        return [_context_value(v) for v in value]
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _named(policy: CompiledPolicy) -> dict[str, Any]:
    document = policy.document.model_dump(by_alias=True, exclude_none=True, mode="json")
    return {"name": policy.name, "document": {
        **document, "Statement": [_compact(s) for s in document["Statement"]]}}


_LIST_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource")


def _compact(statement: dict[str, Any]) -> dict[str, Any]:
    """A one-item list as the single value it was most likely written as: the same
    statement, and the form AWS's managed policies take (`"Action": "*"` in
    RCPFullAWSAccess, which is recognised by its exact shape)."""
    return {key: value[0] if key in _LIST_ELEMENTS and isinstance(value, list)
            and len(value) == 1 else value for key, value in statement.items()}


def _levels(levels: tuple[tuple[CompiledPolicy, ...], ...] | None
            ) -> list[list[dict[str, Any]]] | None:
    return None if levels is None else [[_named(p) for p in level] for level in levels]


def _policies(policies: PolicySet) -> dict[str, Any]:
    found: dict[str, Any] = {"identity_policies": [_named(p) for p in policies.identity]}
    optional = {
        "permission_boundary": policies.permissions_boundary,
        "session_policy": policies.session_policy,
        "resource_policy": policies.resource_policy,
        "vpc_endpoint_policy": policies.vpc_endpoint_policy,
    }
    found.update({key: _named(p) for key, p in optional.items() if p is not None})
    for key, levels in (("scps", policies.scps), ("rcps", policies.rcps)):
        if levels is not None:
            found[key] = _levels(levels)
    if policies.management_account is not None:
        found["management_account"] = policies.management_account
    return found

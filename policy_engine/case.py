"""Case files: one self-contained what-if question (shared/DESIGN.md, "The case file").

A case is read in three strict steps: text -> JSON value with locations, value -> CaseFile
(pydantic, unknown keys rejected), policies -> ParsedPolicy by kind -> compiled PolicySet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.request import Request, make_request
from policy_engine.engine.slots import Slot
from policy_engine.errors import CaseError, PolicyEngineError, Problem, join_pointer
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.parse import ParsedPolicy, parse_policy
from policy_engine.source import SourceDocument, load_text

ContextScalar = Annotated[StrictBool | StrictInt | StrictFloat | StrictStr,
                          Field(union_mode="left_to_right")]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseRequest(_Closed):
    principal: StrictStr
    action: StrictStr
    resource: StrictStr
    resource_account: StrictStr | None = None
    context: dict[str, ContextScalar | list[ContextScalar]] = Field(default_factory=dict)


class CaseFile(_Closed):
    """The JSON shape of a case; policies stay raw here and are parsed by kind below."""

    request: CaseRequest
    identity_policies: list[Any] = Field(default_factory=list)
    permission_boundary: Any = None
    session_policy: Any = None
    resource_policy: Any = None
    scps: list[list[Any]] | None = None
    rcps: list[list[Any]] | None = None
    management_account: StrictStr | None = None


@dataclass(frozen=True)
class Case:
    source: str
    request: Request
    policies: PolicySet
    parsed: tuple[ParsedPolicy, ...]


def load_case(path: str | Path, *, now: datetime | None = None) -> Case:
    """Read and compile a case file; every problem is a CaseError naming file and path."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CaseError(Problem("unreadable", f"cannot read the file: {reason}",
                                source=source)) from None
    return parse_case_text(text, source=source, now=now)


def parse_case_text(text: str, *, source: str = "<input>", now: datetime | None = None
                    ) -> Case:
    document = load_text(text, source=source)
    return parse_case_value(document.value, source=source, document=document, now=now)


def parse_case_value(value: object, *, source: str = "<input>",
                     document: SourceDocument | None = None,
                     now: datetime | None = None) -> Case:
    case = _validate_shape(value, source, document)
    parsed: list[ParsedPolicy] = []

    def policy(item: Any, pointer: str, kind: PolicyKind, default_name: str) -> ParsedPolicy:
        name, body, body_pointer = _named(item, pointer, default_name, source, document)
        result = parse_policy(body, kind=kind, source=source, pointer_prefix=body_pointer,
                              locations=document, name=name)
        parsed.append(result)
        return result

    request = request_from_case(case.request, source=source, now=now, document=document)
    _check_callers_policies(case, request, source, document)
    resource_kind = resource_policy_kind(request)
    identity = [policy(p, f"/identity_policies/{i}", PolicyKind.IDENTITY, f"identity-{i}")
                for i, p in enumerate(case.identity_policies)]
    boundary = None if case.permission_boundary is None else policy(
        case.permission_boundary, "/permission_boundary", PolicyKind.BOUNDARY, "boundary")
    session = None if case.session_policy is None else policy(
        case.session_policy, "/session_policy", PolicyKind.SESSION, "session-policy")
    resource = None if case.resource_policy is None else policy(
        case.resource_policy, "/resource_policy", resource_kind, "resource-policy")

    def levels(spec: list[list[Any]] | None, key: str, kind: PolicyKind, label: str
               ) -> list[list[tuple[str, PolicyDocument]]] | None:
        if spec is None:
            return None
        return [[_pair(policy(p, f"/{key}/{n}/{i}", kind, f"{label}-L{n}-{i}"))
                 for i, p in enumerate(level)] for n, level in enumerate(spec)]

    policy_set = compile_policy_set(
        identity=[_pair(p) for p in identity],
        permissions_boundary=None if boundary is None else _pair(boundary),
        session_policy=None if session is None else _pair(session),
        resource_policy=None if resource is None else _pair(resource),
        scps=levels(case.scps, "scps", PolicyKind.SCP, "scp"),
        rcps=levels(case.rcps, "rcps", PolicyKind.RCP, "rcp"),
        management_account=case.management_account,
    )
    return Case(source, request, policy_set, tuple(parsed))


def request_from_case(req: CaseRequest, *, source: str, now: datetime | None = None,
                      document: SourceDocument | None = None) -> Request:
    try:
        return make_request(req.principal, req.action, req.resource,
                            resource_account=req.resource_account, context=req.context,
                            now=now or datetime.now(UTC), source=source)
    except PolicyEngineError as error:
        raise CaseError(_located(error.problems, document)) from None


def _pair(parsed: ParsedPolicy) -> tuple[str, PolicyDocument]:
    return (parsed.name or "policy", parsed.document)


def _named(item: Any, pointer: str, default_name: str, source: str,
           document: SourceDocument | None) -> tuple[str, Any, str]:
    """`{"name": ..., "document": {...}}` or a bare policy document."""
    if isinstance(item, Mapping) and "document" in item and "Statement" not in item:
        extra = sorted(set(item) - {"name", "document"})
        if extra:
            raise CaseError(_located([Problem(
                "unknown-element", f"unknown key `{extra[0]}` (a named policy has `name` and "
                "`document`)", join_pointer(pointer, extra[0]), source=source)], document))
        name = item.get("name", default_name)
        if not isinstance(name, str) or not name:
            raise CaseError(_located([Problem("wrong-type", "a policy name must be a "
                                              "non-empty string", pointer + "/name",
                                              source=source)], document))
        return name, item["document"], pointer + "/document"
    return default_name, item, pointer


def resource_policy_kind(request: Request) -> PolicyKind:
    """The validation kind of the case's resource policy, read off the request's
    classification of its resource."""
    arn = request.resource_arn
    service = arn.service if arn is not None else ""
    resource = arn.resource if arn is not None else ""
    if service == "kms":
        return PolicyKind.KMS_KEY
    if request.resource_slot is Slot.TRUST:
        return PolicyKind.TRUST
    return {
        "s3": PolicyKind.S3_BUCKET, "sqs": PolicyKind.SQS_QUEUE, "sns": PolicyKind.SNS_TOPIC,
        "secretsmanager": PolicyKind.SECRETSMANAGER_SECRET, "ecr": PolicyKind.ECR_REPOSITORY,
        "lambda": PolicyKind.LAMBDA_LAYER if resource.startswith("layer:")
        else PolicyKind.LAMBDA_FUNCTION,
    }.get(service, PolicyKind.RESOURCE)


def _check_callers_policies(case: CaseFile, request: Request, source: str,
                            document: SourceDocument | None) -> None:
    """Policies that cannot belong to this caller are a mistake in the case, not a no-op."""
    caller = request.principal
    problems: list[Problem] = []
    if case.session_policy is not None and not caller.is_session:
        problems.append(Problem("case-mismatch", "a session policy applies only to an "
                                "assumed-role or federated-user session; the principal is a "
                                f"{caller.type.value.lower()}", "/session_policy",
                                source=source))
    if not caller.is_iam_identity and (case.identity_policies or case.permission_boundary):
        problems.append(Problem("case-mismatch", f"a {caller.type.value.lower()} caller has "
                                "no identity-based policies or permissions boundary",
                                "/identity_policies" if case.identity_policies
                                else "/permission_boundary", source=source))
    if problems:
        raise CaseError(_located(problems, document))


def _validate_shape(value: object, source: str, document: SourceDocument | None) -> CaseFile:
    try:
        return CaseFile.model_validate(value)
    except PydanticValidationError as error:
        problems = [_problem_from_pydantic(e, source) for e in error.errors()]
        raise CaseError(_located(problems, document)) from None


def _problem_from_pydantic(error: Mapping[str, Any], source: str) -> Problem:
    location = [part for part in error["loc"] if not _is_union_branch(part)]
    pointer = join_pointer("", *location)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = "request, identity_policies, permission_boundary, session_policy, " \
            "resource_policy, scps, rcps, management_account"
        if len(location) >= 2 and location[0] == "request":
            allowed = "principal, action, resource, resource_account, context"
        return Problem("unknown-element", f"unknown key `{location[-1]}` (expected one of "
                       f"{allowed})", pointer, source=source)
    if kind == "missing":
        return Problem("missing-element", f"`{location[-1]}` is required", pointer,
                       source=source)
    shown = _show(error.get("input"))
    if location and location[0] == "request" and "context" in location:
        return Problem("wrong-type", f"context value {shown} must be a string, number, "
                       "boolean or a list of them", pointer, source=source)
    expected = {"string_type": "a string", "list_type": "a list", "dict_type": "an object",
                "model_type": "an object"}.get(kind, "a different type of value")
    return Problem("wrong-type", f"{shown} should be {expected}", pointer, source=source)


def _is_union_branch(part: object) -> bool:
    return isinstance(part, str) and (part.startswith(("function-", "list[", "dict[")) or
                                      part in {"str", "int", "float", "bool"})


def _show(value: object) -> str:
    import json

    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"


def _located(problems: list[Problem], document: SourceDocument | None) -> list[Problem]:
    if document is None:
        return problems
    located = []
    for problem in problems:
        position = document.locate(problem.pointer)
        if position is not None and problem.line is None:
            problem = Problem(problem.code, problem.message, problem.pointer, position[0],
                              position[1], problem.source)
        located.append(problem)
    return located

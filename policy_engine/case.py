"""Case files: one self-contained what-if question (shared/DESIGN.md, "The case file").

A case is read in three strict steps: text -> JSON value with locations, value -> CaseFile
(pydantic, unknown keys rejected), policies -> ParsedPolicy by kind -> compiled PolicySet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.grants import compile_grant
from policy_engine.engine.request import Request, make_request
from policy_engine.engine.s3_access import compile_s3_access, resource_kind
from policy_engine.engine.slots import Slot
from policy_engine.errors import CaseError, PolicyEngineError, Problem, ProblemCode, join_pointer
from policy_engine.files import FileReadError, read_text_bounded
from policy_engine.model.grants import KmsGrant
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.model.s3_access import S3AccessSettings
from policy_engine.parse import ParsedPolicy, parse_policy
from policy_engine.pydantic_errors import ErrorSite, Worded, clip, problems_from_validation_error
from policy_engine.request_checks import question_problems, resource_warning
from policy_engine.source import SourceDocument, load_text

# A case holds a handful of policies, each at most a few KiB under AWS's quotas.
MAX_CASE_BYTES = 16 * 1024 * 1024

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
    # S3 Block Public Access, Object Ownership and ACLs of the request's bucket.
    s3: S3AccessSettings | None = None
    # KMS grants of the request's key (AWS's ListGrants field names) and the policy of the
    # VPC endpoint the request travels through.
    grants: list[KmsGrant] | None = None
    vpc_endpoint_policy: Any = None


@dataclass(frozen=True)
class Case:
    source: str
    request: Request
    policies: PolicySet
    parsed: tuple[ParsedPolicy, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things worth saying about the question that do not stop it being answered."""
        found = resource_warning(self.request.action, self.request.resource)
        return () if found is None else (found,)


def load_case(path: str | Path, *, now: datetime | None = None) -> Case:
    """Read and compile a case file; every problem is a CaseError naming file and path."""
    source = str(path)
    try:
        text = read_text_bounded(Path(path), max_bytes=MAX_CASE_BYTES, what="case file")
    except FileReadError as error:
        raise CaseError(error.problems) from None
    return parse_case_text(text, source=source, now=now)


def parse_case_text(text: str, *, source: str = "<input>", now: datetime | None = None
                    ) -> Case:
    document = load_text(text, source=source)
    return parse_case_value(document.value, source=source, document=document, now=now)


def parse_case_value(value: object, *, source: str = "<input>",
                     document: SourceDocument | None = None,
                     now: datetime | None = None) -> Case:
    case = case_shape(value, source=source, document=document)
    request = request_from_case(case.request, source=source, now=now, document=document)
    policies = parse_case_policies(case, source=source, document=document)
    return Case(source, request, policies.policy_set_for(request), policies.parsed_for(request))


def parse_case_policies(case: CaseFile, *, source: str = "<input>",
                        document: SourceDocument | None = None) -> CasePolicies:
    """The case's policies parsed and compiled, whatever request they will answer."""
    slots: list[tuple[_Slot, ParsedPolicy | PolicyEngineError]] = []

    def add(slot: _Slot, item: Any, pointer: str, kind: PolicyKind, default_name: str) -> None:
        slots.append((slot, _parse_named(item, pointer, kind, default_name, source, document)))

    for i, item in enumerate(case.identity_policies):
        add(_Slot("identity"), item, f"/identity_policies/{i}", PolicyKind.IDENTITY,
            f"identity-{i}")
    if case.permission_boundary is not None:
        add(_Slot("boundary"), case.permission_boundary, "/permission_boundary",
            PolicyKind.BOUNDARY, "boundary")
    if case.session_policy is not None:
        add(_Slot("session"), case.session_policy, "/session_policy", PolicyKind.SESSION,
            "session-policy")
    for key, kind, label in (("scps", PolicyKind.SCP, "scp"), ("rcps", PolicyKind.RCP, "rcp")):
        for n, level in enumerate(getattr(case, key) or ()):
            for i, item in enumerate(level):
                add(_Slot(key, n), item, f"/{key}/{n}/{i}", kind, f"{label}-L{n}-{i}")
    if case.vpc_endpoint_policy is not None:
        add(_Slot("endpoint"), case.vpc_endpoint_policy, "/vpc_endpoint_policy",
            PolicyKind.VPC_ENDPOINT, "vpc-endpoint-policy")
    return CasePolicies(case, source, document, tuple(slots))


@dataclass(frozen=True, slots=True)
class _Slot:
    group: str  # identity, boundary, session, scps, rcps, endpoint
    level: int = 0


@dataclass
class CasePolicies:
    """A case's policies, parsed once; the request they answer is given per question.

    Two things depend on the request and are applied in `policy_set_for`: which policies
    the caller can have at all, and the kind the resource policy is validated as (an S3
    bucket policy, a key policy...), remembered per kind. The problems are raised in the
    order a case is read: the caller's policies, then each policy in file order.
    """

    case: CaseFile
    source: str
    document: SourceDocument | None
    slots: tuple[tuple[_Slot, ParsedPolicy | PolicyEngineError], ...]
    _resource: dict[PolicyKind, ParsedPolicy | PolicyEngineError] = field(default_factory=dict)
    _compiled: PolicySet | None = None

    def policy_set_for(self, request: Request) -> PolicySet:
        _check_callers_policies(self.case, request, self.source, self.document)
        _check_s3_settings(self.case, request, self.source, self.document)
        resource = self._resource_policy(request)
        for slot, parsed in self.slots:
            if slot.group in ("scps", "rcps") and isinstance(resource, PolicyEngineError):
                raise resource
            if isinstance(parsed, PolicyEngineError):
                raise parsed
        if isinstance(resource, PolicyEngineError):
            raise resource
        if self._compiled is None:
            self._compiled = self._compile(resource)
        return self._compiled

    def parsed_for(self, request: Request) -> tuple[ParsedPolicy, ...]:
        """Every policy of the case, in file order, once `policy_set_for` accepted them."""
        policies = [parsed for _, parsed in self.slots if isinstance(parsed, ParsedPolicy)]
        resource = self._resource_policy(request)
        if isinstance(resource, ParsedPolicy):
            before_orgs = sum(1 for slot, _ in self.slots if slot.group not in ("scps", "rcps"))
            policies.insert(before_orgs, resource)
        return tuple(policies)

    def _resource_policy(self, request: Request) -> ParsedPolicy | PolicyEngineError | None:
        if self.case.resource_policy is None:
            return None
        kind = resource_policy_kind(request)
        found = self._resource.get(kind)
        if found is None:
            found = _parse_named(self.case.resource_policy, "/resource_policy", kind,
                                 "resource-policy", self.source, self.document)
            self._resource[kind] = found
        return found

    def _compile(self, resource: ParsedPolicy | None) -> PolicySet:
        def pairs(group: str) -> list[tuple[str, PolicyDocument]]:
            return [_pair(p) for slot, p in self.slots
                    if slot.group == group and isinstance(p, ParsedPolicy)]

        def levels(group: str, spec: list[list[Any]] | None
                   ) -> list[list[tuple[str, PolicyDocument]]] | None:
            if spec is None:
                return None
            return [[_pair(p) for slot, p in self.slots if slot.group == group
                     and slot.level == n and isinstance(p, ParsedPolicy)]
                    for n in range(len(spec))]

        boundary, session, endpoint = pairs("boundary"), pairs("session"), pairs("endpoint")
        return compile_policy_set(
            identity=pairs("identity"),
            permissions_boundary=boundary[0] if boundary else None,
            session_policy=session[0] if session else None,
            resource_policy=None if resource is None else _pair(resource),
            scps=levels("scps", self.case.scps),
            rcps=levels("rcps", self.case.rcps),
            management_account=self.case.management_account,
            s3=None if self.case.s3 is None else compile_s3_access(
                self.case.s3, None if resource is None else resource.document),
            vpc_endpoint_policy=endpoint[0] if endpoint else None,
            grants=[compile_grant(grant) for grant in self.case.grants or ()],
        )


def _parse_named(item: Any, pointer: str, kind: PolicyKind, default_name: str, source: str,
                 document: SourceDocument | None) -> ParsedPolicy | PolicyEngineError:
    try:
        name, body, body_pointer = _named(item, pointer, default_name, source, document)
        return parse_policy(body, kind=kind, source=source, pointer_prefix=body_pointer,
                            locations=document, name=name)
    except PolicyEngineError as error:
        return error


def request_from_case(req: CaseRequest, *, source: str, now: datetime | None = None,
                      document: SourceDocument | None = None) -> Request:
    try:
        request = make_request(req.principal, req.action, req.resource,
                               resource_account=req.resource_account, context=req.context,
                               now=now or datetime.now(UTC), source=source)
    except PolicyEngineError as error:
        raise CaseError(_located(error.problems, document)) from None
    problems = question_problems(req.action, req.context, source=source)
    if problems:
        raise CaseError(_located(problems, document))
    return request


def _pair(parsed: ParsedPolicy) -> tuple[str, PolicyDocument]:
    return (parsed.name or "policy", parsed.document)


def _named(item: Any, pointer: str, default_name: str, source: str,
           document: SourceDocument | None) -> tuple[str, Any, str]:
    """`{"name": ..., "document": {...}}` or a bare policy document."""
    if isinstance(item, Mapping) and "document" in item and "Statement" not in item:
        extra = sorted(set(item) - {"name", "document"})
        if extra:
            raise CaseError(_located([Problem(
                ProblemCode.UNKNOWN_ELEMENT,
                f"unknown key `{extra[0]}` (a named policy has `name` and `document`)",
                join_pointer(pointer, extra[0]), source=source)], document))
        name = item.get("name", default_name)
        if not isinstance(name, str) or not name:
            raise CaseError(_located([Problem(ProblemCode.WRONG_TYPE, "a policy name must be a "
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
        problems.append(Problem(ProblemCode.CASE_MISMATCH, "a session policy applies only to an "
                                "assumed-role or federated-user session; the principal is "
                                f"{caller.type.with_article}", "/session_policy",
                                source=source))
    if not caller.is_iam_identity and (case.identity_policies or case.permission_boundary):
        problems.append(Problem(ProblemCode.CASE_MISMATCH,
                                f"{caller.type.with_article} has no identity-based "
                                "policies or permissions boundary",
                                "/identity_policies" if case.identity_policies
                                else "/permission_boundary", source=source))
    if case.grants and request.resource_slot is not Slot.KEY:
        problems.append(Problem(ProblemCode.CASE_MISMATCH, "KMS grants belong to a KMS key; "
                                f"the request's resource `{request.resource}` is not one",
                                "/grants", source=source))
    if problems:
        raise CaseError(_located(problems, document))


def _check_s3_settings(case: CaseFile, request: Request, source: str,
                       document: SourceDocument | None) -> None:
    """S3 settings belong to a bucket: the request must be on an S3 bucket or object."""
    if case.s3 is not None and resource_kind(request) is None:
        raise CaseError(_located([Problem(
            ProblemCode.CASE_MISMATCH, "`s3` settings (Block Public Access, Object "
            "Ownership, ACLs) apply only to a request on an S3 bucket or object "
            f"(`arn:aws:s3:::BUCKET[/KEY]`); the resource is `{request.resource}`",
            "/s3", source=source)], document))


def case_shape(value: object, *, source: str = "<input>",
               document: SourceDocument | None = None) -> CaseFile:
    """The case's JSON shape checked (unknown keys, types); its policies are still raw."""
    try:
        return CaseFile.model_validate(value)
    except PydanticValidationError as error:
        problems = problems_from_validation_error(error, value, CaseFile, source=source,
                                                  wording=_case_wording,
                                                  pattern_words=_CASE_PATTERNS)
        raise CaseError(_located(problems, document)) from None


_CASE_PATTERNS = {r"^\d{12}$": "account id (12 digits, written as text)"}


def _case_wording(site: ErrorSite, raw: Any) -> Worded | None:
    # A context value may be any JSON scalar or a list of them: say so once, not per type.
    if site.loc[:2] == ("request", "context") and len(site.loc) > 2 and \
            site.kind not in ("missing", "extra_forbidden"):
        return Worded(ProblemCode.WRONG_TYPE, f"context value {_show(site.value)} must be a "
                      "string, number, boolean or a list of them", site.pointer)
    return None


def _show(value: object) -> str:
    return f"`{clip(value, 60)}`"


def _located(problems: list[Problem], document: SourceDocument | None) -> list[Problem]:
    if document is None:
        return problems
    return [document.place(problem) for problem in problems]

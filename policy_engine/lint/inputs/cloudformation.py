"""A CloudFormation template (JSON, or YAML with the short-form intrinsic tags) -> the
policy documents of its IAM and resource-policy resources, each placed in the file.

Which documents, by resource type (property names from the CloudFormation template
reference, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/,
`aws-resource-<service>-<type>.html`):

- `AWS::IAM::Role`: `AssumeRolePolicyDocument` (trust), `Policies[].PolicyDocument`
  (inline-role); `ManagedPolicyArns` is noted (those policies are not in the template);
- `AWS::IAM::User` / `AWS::IAM::Group`: `Policies[].PolicyDocument` (inline-user/-group);
- `AWS::IAM::ManagedPolicy`: `PolicyDocument` (identity);
- `AWS::IAM::Policy` (an inline policy of the `Users`, `Groups`, `Roles` it names) and
  `AWS::IAM::RolePolicy` / `UserPolicy` / `GroupPolicy`: `PolicyDocument`, as the inline
  kind of its principals (the smallest quota when it names several kinds; identity when it
  names none);
- `AWS::S3::BucketPolicy`, `AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`,
  `AWS::SNS::TopicInlinePolicy`, `AWS::EC2::VPCEndpoint`: `PolicyDocument`;
  `AWS::KMS::Key`: `KeyPolicy`; `AWS::SecretsManager::ResourcePolicy`: `ResourcePolicy`;
  `AWS::ECR::Repository`: `RepositoryPolicyText`; `AWS::Organizations::Policy`: `Content`
  as an SCP or RCP by its `Type` (other policy types are not IAM policy language);
- `AWS::Lambda::Permission`: the statement Lambda adds to the function's policy (Principal,
  Action, the function as Resource, and `SourceArn`, `SourceAccount`, `PrincipalOrgID`,
  `FunctionUrlAuthType`, `EventSourceToken` as its conditions), each element located at
  the property it comes from.

Other resource types are skipped. Intrinsic functions are replaced as
`policy_engine.lint.inputs.intrinsics` documents. `--kind` does not apply: each
document's kind follows from its resource type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from policy_engine.errors import Problem, ProblemCode, join_pointer
from policy_engine.lint.document import LintDocument, LintInput
from policy_engine.lint.inputs.intrinsics import ABSENT, Resolver, Template, is_intrinsic
from policy_engine.lint.inputs.lambda_permission import Part, permission_policy
from policy_engine.lint.inputs.located import LineStarts, Locations, policy_from_string
from policy_engine.lint.inputs.policy_file import LintInputError
from policy_engine.model.kinds import PolicyKind
from policy_engine.source import (
    LocalTag,
    SourceDocument,
    guess_format,
    load_json_text,
    load_yaml_text,
)

# A template may be up to 1 MB (uploaded through S3); generous room for formatting.
MAX_TEMPLATE_CHARS: Final = 16 * 1024 * 1024
NO_POLICIES: Final = "no policy documents found in this CloudFormation template"


def _get_att_form(content: Any) -> Any:
    """`!GetAtt Resource.Attribute` is the long form's `[Resource, Attribute]`."""
    if isinstance(content, str) and "." in content:
        return content.split(".", 1)
    return content


# The short forms and their long forms (template reference, intrinsic function pages).
SHORT_TAGS: Final = {
    "!Ref": LocalTag("Ref"),
    "!Condition": LocalTag("Condition"),
    "!GetAtt": LocalTag("Fn::GetAtt", _get_att_form),
    **{f"!{name}": LocalTag(f"Fn::{name}") for name in (
        "Sub", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64",
        "Cidr", "GetAZs", "Equals", "And", "Or", "Not", "Transform", "Length",
        "ToJsonString")},
}

_RESOURCES_KEY: Final = re.compile(r"""(?m)^\s*["']?Resources["']?\s*:""")


def sniff(text: str, path: Path) -> bool:
    """A template: a format version, or a `Resources` section typed `AWS::...`."""
    if "AWSTemplateFormatVersion" in text:
        return True
    return "AWS::" in text and _RESOURCES_KEY.search(text) is not None


@dataclass(frozen=True, slots=True)
class _Policy:
    """One policy found in a resource, before its intrinsic functions are resolved."""

    pointer: str
    raw: Any
    kind: PolicyKind
    subject: str


@dataclass
class _Reading:
    source: str
    text: str
    origin: SourceDocument
    template: Template
    lines: LineStarts | None
    documents: list[LintDocument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read(text: str, path: Path, kind: PolicyKind | None) -> LintInput:
    source = str(path)
    text = text.removeprefix("\ufeff")
    origin = _load(text, source)
    value = origin.value
    resources = value.get("Resources") if isinstance(value, dict) else None
    if not isinstance(resources, dict):
        raise LintInputError(Problem(
            ProblemCode.WRONG_TYPE, "this CloudFormation template has no `Resources` "
            "mapping", source=source, line=1, column=1))
    json_text = origin.format == "json"
    reading = _Reading(source, text, origin, Template.of(value),
                       LineStarts(text) if json_text else None)
    if kind is not None:
        reading.notes.append(f"--kind {kind.value} does not apply to a template: each "
                             "policy's kind follows from its resource type")
    for logical_id, resource in resources.items():
        for found in _policies(reading, str(logical_id), resource):
            _add(reading, found, resource.get("Type"))
    if not reading.documents:
        raise LintInputError(Problem(ProblemCode.WRONG_TYPE, NO_POLICIES, source=source,
                                     line=1, column=1))
    return LintInput(source, tuple(reading.documents), text, "cloudformation",
                     tuple(reading.notes))


def _load(text: str, source: str) -> SourceDocument:
    if not text.strip():
        raise LintInputError(Problem(ProblemCode.INVALID_JSON, "the template is empty",
                                     source=source, line=1, column=1))
    if guess_format(text, source) == "yaml":
        return load_yaml_text(text, source=source, max_chars=MAX_TEMPLATE_CHARS,
                              tags=SHORT_TAGS)
    return load_json_text(text, source=source, max_chars=MAX_TEMPLATE_CHARS)


# -- which policies a resource holds

_SINGLE: Final = {
    "AWS::IAM::ManagedPolicy": ("PolicyDocument", PolicyKind.IDENTITY, "managed policy"),
    "AWS::IAM::RolePolicy": ("PolicyDocument", PolicyKind.INLINE_ROLE, "inline policy"),
    "AWS::IAM::UserPolicy": ("PolicyDocument", PolicyKind.INLINE_USER, "inline policy"),
    "AWS::IAM::GroupPolicy": ("PolicyDocument", PolicyKind.INLINE_GROUP, "inline policy"),
    "AWS::S3::BucketPolicy": ("PolicyDocument", PolicyKind.S3_BUCKET, "bucket policy"),
    "AWS::KMS::Key": ("KeyPolicy", PolicyKind.KMS_KEY, "key policy"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", PolicyKind.SQS_QUEUE, "queue policy"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", PolicyKind.SNS_TOPIC, "topic policy"),
    "AWS::SNS::TopicInlinePolicy": ("PolicyDocument", PolicyKind.SNS_TOPIC, "topic policy"),
    "AWS::SecretsManager::ResourcePolicy": (
        "ResourcePolicy", PolicyKind.SECRETSMANAGER_SECRET, "resource policy"),
    "AWS::ECR::Repository": ("RepositoryPolicyText", PolicyKind.ECR_REPOSITORY,
                             "repository policy"),
    "AWS::EC2::VPCEndpoint": ("PolicyDocument", PolicyKind.VPC_ENDPOINT, "endpoint policy"),
}
_INLINE_LISTS: Final = {
    "AWS::IAM::Role": PolicyKind.INLINE_ROLE,
    "AWS::IAM::User": PolicyKind.INLINE_USER,
    "AWS::IAM::Group": PolicyKind.INLINE_GROUP,
}
# `AWS::IAM::Policy` targets, smallest inline quota first (IAM quotas page: user 2,048,
# group 5,120, role 10,240 characters).
_POLICY_TARGETS: Final = (("Users", PolicyKind.INLINE_USER), ("Groups", PolicyKind.INLINE_GROUP),
                          ("Roles", PolicyKind.INLINE_ROLE))
_ORGANIZATION_TYPES: Final = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP,
                              "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


def _policies(reading: _Reading, logical_id: str, resource: Any) -> Iterator[_Policy]:
    if not isinstance(resource, dict):
        return
    resource_type = resource.get("Type")
    properties = resource.get("Properties")
    if not isinstance(resource_type, str) or not isinstance(properties, dict):
        return
    at = join_pointer("/Resources", logical_id, "Properties")
    short = resource_type.rsplit("::", 1)[-1]
    if resource_type in _SINGLE:
        key, kind, what = _SINGLE[resource_type]
        if key in properties:
            yield _Policy(join_pointer(at, key), properties[key], kind,
                          f"{short} {logical_id} ({what})")
        elif resource_type == "AWS::KMS::Key":
            reading.notes.append(f"Key {logical_id} has no KeyPolicy: AWS gives it the "
                                 "default key policy (the account may use the key)")
        return
    if resource_type in _INLINE_LISTS:
        if resource_type == "AWS::IAM::Role" and "AssumeRolePolicyDocument" in properties:
            yield _Policy(join_pointer(at, "AssumeRolePolicyDocument"),
                          properties["AssumeRolePolicyDocument"], PolicyKind.TRUST,
                          f"{short} {logical_id} (trust policy)")
        yield from _inline(properties, at, _INLINE_LISTS[resource_type], short, logical_id)
        _note_managed(reading, properties, short, logical_id)
    elif resource_type == "AWS::IAM::Policy" and "PolicyDocument" in properties:
        kind = next((kind for key, kind in _POLICY_TARGETS if properties.get(key)),
                    PolicyKind.IDENTITY)
        yield _Policy(join_pointer(at, "PolicyDocument"), properties["PolicyDocument"], kind,
                      f"{short} {logical_id} (inline policy)")
    elif resource_type == "AWS::Organizations::Policy" and "Content" in properties:
        yield from _organization(reading, properties, at, logical_id)
    elif resource_type == "AWS::Lambda::Permission":
        _lambda_permission(reading, properties, at, logical_id)


def _inline(properties: dict[str, Any], at: str, kind: PolicyKind, short: str,
            logical_id: str) -> Iterator[_Policy]:
    policies = properties.get("Policies")
    if not isinstance(policies, list):
        return
    for index, entry in enumerate(policies):
        if isinstance(entry, dict) and "PolicyDocument" in entry:
            name = entry.get("PolicyName")
            label = f" {name}" if isinstance(name, str) else f" {index}"
            yield _Policy(join_pointer(at, "Policies", index, "PolicyDocument"),
                          entry["PolicyDocument"], kind,
                          f"{short} {logical_id} (inline policy{label})")


def _note_managed(reading: _Reading, properties: dict[str, Any], short: str,
                  logical_id: str) -> None:
    arns = properties.get("ManagedPolicyArns")
    if isinstance(arns, list) and arns:
        shown = ", ".join(arn if isinstance(arn, str) else "(an intrinsic function)"
                          for arn in arns)
        reading.notes.append(f"{short} {logical_id} attaches managed policies by ARN "
                             f"({shown}); they are not in this template")


def _organization(reading: _Reading, properties: dict[str, Any], at: str, logical_id: str
                  ) -> Iterator[_Policy]:
    resolver = Resolver(reading.template, reading.origin, at)
    policy_type = resolver.evaluate(properties.get("Type")).value
    kind = _ORGANIZATION_TYPES.get(policy_type) if isinstance(policy_type, str) else None
    if kind is None:
        reading.notes.append(f"Policy {logical_id} is a {policy_type} organization policy, "
                             "not IAM policy language: not linted")
        return
    yield _Policy(join_pointer(at, "Content"), properties["Content"], kind,
                  f"Policy {logical_id} ({kind.value.upper()})")


# -- one policy: intrinsic functions resolved, located, a LintDocument

def _add(reading: _Reading, found: _Policy, resource_type: Any) -> None:
    resolver = Resolver(reading.template, reading.origin, found.pointer)
    value = resolver.resolve(found.raw)
    locations = resolver.locations
    if value is ABSENT:
        reading.notes.append(f"{found.subject} is AWS::NoValue: nothing to lint")
        return
    if isinstance(value, str):  # a policy written as JSON text
        written = isinstance(found.raw, str)
        value, locations = policy_from_string(
            value, source=reading.source, what=f"{found.subject} at {found.pointer}",
            text=reading.text if written else None,
            lines=reading.lines if written else None, origin=reading.origin,
            pointer=found.pointer)
    _document(reading, found, value, locations, resolver.placeholders,
              f"from its resource type {resource_type}")


def _document(reading: _Reading, found: _Policy, value: Any, locations: Locations,
              placeholders: set[str], reason: str) -> None:
    if placeholders:
        count = len(placeholders)
        reading.notes.append(
            f"{found.subject}: {count} value{'s' if count > 1 else ''} unknown before "
            f"deployment (intrinsic functions, or missing) "
            f"{'are placeholders' if count > 1 else 'is a placeholder'}; findings on "
            f"{'them' if count > 1 else 'it'} are not reported")
    reading.documents.append(LintDocument(
        source=reading.source, value=value, kind=found.kind,
        origin=locations.document(value), pointer=found.pointer, subject=found.subject,
        kind_reason=reason, name=found.subject, text=reading.text,
        placeholders=frozenset(placeholders)))


# -- AWS::Lambda::Permission -> the function policy statement Lambda adds

_PERMISSION_PROPERTIES: Final = {
    "principal": "Principal", "action": "Action", "function": "FunctionName",
    "source_arn": "SourceArn", "source_account": "SourceAccount",
    "principal_org_id": "PrincipalOrgID", "function_url_auth_type": "FunctionUrlAuthType",
    "event_source_token": "EventSourceToken",
}


def _lambda_permission(reading: _Reading, properties: dict[str, Any], at: str,
                       logical_id: str) -> None:
    pointer = at.rsplit("/", 1)[0]  # the resource: the statement is made of its properties
    resolver = Resolver(reading.template, reading.origin, pointer)
    origin = reading.origin
    parts: dict[str, Part] = {}
    for name, key in _PERMISSION_PROPERTIES.items():
        if key not in properties:
            continue
        given = properties[key]
        evaluated = resolver.evaluate(given)
        known = evaluated.faithful and isinstance(evaluated.value, str | int)
        property_at = join_pointer(at, key)
        parts[name] = Part(str(evaluated.value) if known else None,
                           origin.locate(property_at), origin.key_locations.get(property_at),
                           _hint(given, key))
    built = permission_policy(pointer, origin.locate(pointer), parts)
    found = _Policy(pointer, built.policy, PolicyKind.LAMBDA_FUNCTION,
                    f"Permission {logical_id} (Lambda function policy statement)")
    _document(reading, found, built.policy, built.locations, built.placeholders,
              "from its resource type AWS::Lambda::Permission (the statement it adds)")


def _hint(value: Any, key: str) -> str:
    """A name for a stand-in: the parameter or resource an intrinsic function names."""
    if is_intrinsic(value):
        ((_, argument),) = value.items()
        if isinstance(argument, str):
            return argument.split(".", 1)[0]
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            return argument[0]
    return key

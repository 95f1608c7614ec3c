"""A Terraform plan in JSON (`terraform show -json PLANFILE`) -> the policy documents of
its IAM and resource-policy resources, each placed in the plan file.

The resources are those of `planned_values.root_module` and of its `child_modules`,
recursively (`values` holds each resource's planned attributes; the JSON output format is
https://developer.hashicorp.com/terraform/internals/json-format). The output of
`terraform show -json` on a state (`values` instead of `planned_values`) is read the same
way. `aws_iam_policy_document` data sources are read from `prior_state` (and from the
planned values, where Terraform may also place them); a document identical to one a
resource carries is linted once, with the resource.

Policies are JSON strings inside the JSON file. Each finding's `pointer` is the string's
pointer followed by the pointer inside the embedded document
(`/planned_values/root_module/resources/0/values/policy/Statement/0/Action`), and its line
and column are those of the element inside the string as written in the file (the
string's escapes are mapped character by character; Terraform writes the plan on one line,
so the column is what places it).

A value "known after apply" is absent from `values` (`resource_changes[].change.
after_unknown` marks it): such a policy is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from policy_engine.errors import Problem, ProblemCode, join_pointer
from policy_engine.lint.document import LintDocument, LintInput
from policy_engine.lint.inputs.lambda_permission import Part, function_arn, permission_policy
from policy_engine.lint.inputs.located import LineStarts, Locations, compact, policy_from_string
from policy_engine.lint.inputs.policy_file import LintInputError
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import guess_kind
from policy_engine.source import SourceDocument, load_json_text

MAX_PLAN_CHARS: Final = 64 * 1024 * 1024

# Resource type -> (attribute holding a policy as JSON text, kind, what it is). Attribute
# names from the AWS provider's documentation (registry.terraform.io/providers/hashicorp/aws).
POLICY_ATTRIBUTES: Final[dict[str, tuple[tuple[str, PolicyKind, str], ...]]] = {
    "aws_iam_policy": (("policy", PolicyKind.IDENTITY, "managed policy"),),
    "aws_iam_role": (("assume_role_policy", PolicyKind.TRUST, "trust policy"),),
    "aws_iam_role_policy": (("policy", PolicyKind.INLINE_ROLE, "inline policy"),),
    "aws_iam_user_policy": (("policy", PolicyKind.INLINE_USER, "inline policy"),),
    "aws_iam_group_policy": (("policy", PolicyKind.INLINE_GROUP, "inline policy"),),
    "aws_s3_bucket_policy": (("policy", PolicyKind.S3_BUCKET, "bucket policy"),),
    "aws_s3_bucket": (("policy", PolicyKind.S3_BUCKET, "bucket policy"),),
    "aws_kms_key": (("policy", PolicyKind.KMS_KEY, "key policy"),),
    "aws_sqs_queue_policy": (("policy", PolicyKind.SQS_QUEUE, "queue policy"),),
    "aws_sqs_queue": (("policy", PolicyKind.SQS_QUEUE, "queue policy"),),
    "aws_sns_topic_policy": (("policy", PolicyKind.SNS_TOPIC, "topic policy"),),
    "aws_sns_topic": (("policy", PolicyKind.SNS_TOPIC, "topic policy"),),
    "aws_secretsmanager_secret_policy": (
        ("policy", PolicyKind.SECRETSMANAGER_SECRET, "resource policy"),),
    "aws_secretsmanager_secret": (
        ("policy", PolicyKind.SECRETSMANAGER_SECRET, "resource policy"),),
    "aws_ecr_repository_policy": (("policy", PolicyKind.ECR_REPOSITORY,
                                   "repository policy"),),
    "aws_vpc_endpoint": (("policy", PolicyKind.VPC_ENDPOINT, "endpoint policy"),),
    "aws_vpc_endpoint_policy": (("policy", PolicyKind.VPC_ENDPOINT, "endpoint policy"),),
}
_ORGANIZATION_TYPES: Final = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP,
                              "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}
_PERMISSION_ATTRIBUTES: Final = {
    "principal": "principal", "action": "action", "function": "function_name",
    "source_arn": "source_arn", "source_account": "source_account",
    "principal_org_id": "principal_org_id", "function_url_auth_type":
    "function_url_auth_type", "event_source_token": "event_source_token",
}


def sniff(text: str, path: Path) -> bool:
    head = text[:4096]
    return '"terraform_version"' in head or '"planned_values"' in head or \
        ('"format_version"' in head and '"root_module"' in text)


@dataclass
class _Reading:
    source: str
    text: str
    origin: SourceDocument
    lines: LineStarts
    unknown: dict[str, Any]  # resource address -> after_unknown
    documents: list[LintDocument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # the policies linted, as compact JSON


def read(text: str, path: Path, kind: PolicyKind | None) -> LintInput:
    source = str(path)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LintInputError(Problem(ProblemCode.INVALID_JSON, "the plan is empty",
                                     source=source, line=1, column=1))
    origin = load_json_text(text, source=source, max_chars=MAX_PLAN_CHARS)
    plan = origin.value
    section = _values_section(plan)
    if section is None:
        raise LintInputError(Problem(
            ProblemCode.WRONG_TYPE, "this Terraform JSON has no `planned_values`: give the "
            "output of `terraform show -json PLANFILE`", source=source, line=1, column=1))
    reading = _Reading(source, text, origin, LineStarts(text), _after_unknown(plan))
    if kind is not None:
        reading.notes.append(f"--kind {kind.value} does not apply to a plan: each "
                             "policy's kind follows from its resource type")
    module_at = join_pointer("", section, "root_module")
    resources = list(_resources(plan[section].get("root_module"), module_at))
    for resource, at in resources:
        if resource.get("mode", "managed") == "managed":
            _resource(reading, resource, at)
    prior = plan.get("prior_state")
    prior_values = prior.get("values") if isinstance(prior, dict) else None
    data_sources = [*resources]
    if isinstance(prior_values, dict):
        data_sources += _resources(prior_values.get("root_module"),
                                   "/prior_state/values/root_module")
    for resource, at in data_sources:
        if resource.get("mode") == "data" and resource.get("type") == "aws_iam_policy_document":
            _policy_document(reading, resource, at)
    if not reading.documents:
        reading.notes.append("no IAM or resource policy in this plan")
    return LintInput(source, tuple(reading.documents), text, "terraform", tuple(reading.notes))


def _values_section(plan: Any) -> str | None:
    if not isinstance(plan, dict):
        return None
    for section in ("planned_values", "values"):
        found = plan.get(section)
        if isinstance(found, dict) and isinstance(found.get("root_module", {}), dict):
            return section
    return None


def _after_unknown(plan: dict[str, Any]) -> dict[str, Any]:
    changes = plan.get("resource_changes")
    found: dict[str, Any] = {}
    for change in changes if isinstance(changes, list) else ():
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            found[str(change.get("address"))] = change["change"].get("after_unknown") or {}
    return found


def _resources(module: Any, at: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every resource of a module and of its child modules, with its pointer."""
    stack = [(module, at)]
    while stack:
        current, pointer = stack.pop()
        if not isinstance(current, dict):
            continue
        for index, resource in enumerate(current.get("resources") or ()):
            if isinstance(resource, dict) and isinstance(resource.get("values"), dict):
                yield resource, join_pointer(pointer, "resources", index)
        children = current.get("child_modules") or ()
        for index in reversed(range(len(children))):
            stack.append((children[index], join_pointer(pointer, "child_modules", index)))


def _resource(reading: _Reading, resource: dict[str, Any], at: str) -> None:
    resource_type = str(resource.get("type"))
    address = str(resource.get("address") or f"{resource_type}.{resource.get('name')}")
    values = resource["values"]
    values_at = join_pointer(at, "values")
    unknown = reading.unknown.get(address, {})
    for attribute, kind, what in POLICY_ATTRIBUTES.get(resource_type, ()):
        _attribute(reading, values, values_at, attribute, kind, f"{address} ({what})",
                   unknown, resource_type)
    if resource_type == "aws_iam_role":
        _inline_policies(reading, values, values_at, address, unknown)
    elif resource_type == "aws_organizations_policy":
        kind = _ORGANIZATION_TYPES.get(str(values.get("type", "SERVICE_CONTROL_POLICY")))
        if kind is None:
            reading.notes.append(f"{address} is a {values.get('type')} organization policy, "
                                 "not IAM policy language: not linted")
        else:
            _attribute(reading, values, values_at, "content", kind,
                       f"{address} ({kind.value.upper()})", unknown, resource_type)
    elif resource_type == "aws_lambda_permission":
        _lambda_permission(reading, values, values_at, address, unknown)


def _attribute(reading: _Reading, values: dict[str, Any], values_at: str, attribute: str,
               kind: PolicyKind, subject: str, unknown: Any, resource_type: str) -> None:
    raw = values.get(attribute)
    if not isinstance(raw, str) or not raw.strip():
        if isinstance(unknown, dict) and unknown.get(attribute) is True:
            reading.notes.append(f"{subject}: `{attribute}` is known only after apply; "
                                 "not linted")
        return
    _add(reading, raw, join_pointer(values_at, attribute), kind, subject,
         f"from its resource type {resource_type}")


def _inline_policies(reading: _Reading, values: dict[str, Any], values_at: str, address: str,
                     unknown: Any) -> None:
    blocks = values.get("inline_policy")
    if not isinstance(blocks, list):
        return
    unknown_blocks = unknown.get("inline_policy") if isinstance(unknown, dict) else None
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        name = block.get("name") or index
        block_unknown = unknown_blocks[index] if isinstance(unknown_blocks, list) and \
            index < len(unknown_blocks) else {}
        _attribute(reading, block, join_pointer(values_at, "inline_policy", index), "policy",
                   PolicyKind.INLINE_ROLE, f"{address} (inline policy {name})", block_unknown,
                   "aws_iam_role")


def _add(reading: _Reading, raw: str, pointer: str, kind: PolicyKind, subject: str,
         reason: str) -> None:
    value, locations = policy_from_string(raw, source=reading.source, what=subject,
                                          text=reading.text, lines=reading.lines,
                                          origin=reading.origin, pointer=pointer)
    reading.seen.add(compact(value))
    _document(reading, value, locations, pointer, kind, subject, reason, set())


def _document(reading: _Reading, value: Any, locations: Locations, pointer: str,
              kind: PolicyKind, subject: str, reason: str, placeholders: set[str]) -> None:
    reading.documents.append(LintDocument(
        source=reading.source, value=value, kind=kind, origin=locations.document(value),
        pointer=pointer, subject=subject, kind_reason=reason, name=subject,
        text=reading.text, placeholders=frozenset(placeholders)))


def _policy_document(reading: _Reading, resource: dict[str, Any], at: str) -> None:
    raw = resource["values"].get("json")
    address = str(resource.get("address") or f"data.aws_iam_policy_document."
                  f"{resource.get('name')}")
    if not isinstance(raw, str) or not raw.strip():
        return
    pointer = join_pointer(at, "values", "json")
    value, locations = policy_from_string(raw, source=reading.source, what=address,
                                          text=reading.text, lines=reading.lines,
                                          origin=reading.origin, pointer=pointer)
    key = compact(value)
    if key in reading.seen:
        return  # linted already with the resource that carries it
    reading.seen.add(key)
    kind, why = guess_kind(reading.source, value)
    _document(reading, value, locations, pointer, kind, f"{address} (policy document)",
              f"guessed, {why}", set())


def _lambda_permission(reading: _Reading, values: dict[str, Any], values_at: str,
                       address: str, unknown: Any) -> None:
    origin = reading.origin
    parts: dict[str, Part] = {}
    for name, attribute in _PERMISSION_ATTRIBUTES.items():
        given = values.get(attribute)
        is_unknown = isinstance(unknown, dict) and unknown.get(attribute) is True
        if given in (None, "") and not is_unknown and name not in ("principal", "action",
                                                                   "function"):
            continue
        at = join_pointer(values_at, attribute)
        where = origin.locate(at) or origin.locate(values_at)
        text = str(given) if isinstance(given, str | int) and given != "" else None
        if name == "function" and text is not None:
            qualifier = values.get("qualifier")
            text = function_arn(text, qualifier if isinstance(qualifier, str) else None)
        parts[name] = Part(text, where, origin.key_locations.get(at), attribute)
    built = permission_policy(values_at, origin.locate(values_at), parts)
    subject = f"{address} (Lambda function policy statement)"
    if built.placeholders:
        reading.notes.append(f"{subject}: {len(built.placeholders)} value(s) known only "
                             "after apply stand in as placeholders; findings on them are "
                             "not reported")
    _document(reading, built.policy, built.locations, values_at, PolicyKind.LAMBDA_FUNCTION,
              subject, "from its resource type (aws_lambda_permission)", built.placeholders)

"""CloudFormation intrinsic functions inside a policy -> plain values the linter can check.

A template's policy may hold `Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`, `Fn::If`... whose
values exist only when the stack is deployed. Each is replaced by a stand-in that keeps the
policy valid and evaluable:

- pseudo parameters: `AWS::AccountId` -> `123456789012`, `AWS::Region` -> `us-east-1`,
  `AWS::Partition` -> `aws`, `AWS::URLSuffix` -> `amazonaws.com`, `AWS::StackName` ->
  `example-stack`; `AWS::NoValue` removes the element (as CloudFormation does);
- a parameter: its literal `Default` (SSM parameter types excepted: their default is a
  parameter name, not the value);
- a resource of a known type (`RESOURCE_SHAPES`): what `Ref` or `Fn::GetAtt` returns for
  that type, built from its literal name property (`BucketName`, `RoleName`...) or its
  logical id in lower case: `!GetAtt AppRole.Arn` -> `arn:aws:iam::123456789012:role/approle`,
  `!Ref Bucket` -> the bucket name, `!Ref Topic` -> the topic ARN;
- inside `Fn::Sub`, a variable of unknown value that sits in an ARN's partition, Region,
  account or resource field gets a value of that field's shape (`us-east-1`,
  `123456789012`, the variable's name in lower case);
- `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap` (on literal keys) and `Fn::GetAZs`
  are evaluated; `Fn::If` takes its first branch that is not `AWS::NoValue` (the other
  branch is not linted).

Anything else (`Fn::ImportValue`, `Fn::Transform`, a parameter without a default used as a
whole value, an attribute of an unknown resource type) is *opaque*: it gets a
wildcard-free stand-in shaped for where it sits (an account ARN in `Principal.AWS`, a
service name in `Principal.Service`, an ARN in `Resource`) and its pointer is recorded in
`placeholders`, so the linter drops every finding at or under it: a stand-in never causes
an error or a security finding. Stand-ins are distinct per name, so two different
references never look like the same value (no false "shadowed statement").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from policy_engine.errors import join_pointer
from policy_engine.lint.inputs.located import Locations
from policy_engine.source import SourceDocument

ACCOUNT: Final = "123456789012"
REGION: Final = "us-east-1"
PSEUDO: Final[Mapping[str, str]] = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "example-stack",
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/example-stack/"
                    "00000000-0000-0000-0000-000000000000",
}
NO_VALUE: Final = "AWS::NoValue"


class _Absent:
    """The value of `Ref: AWS::NoValue`: the element is left out."""


ABSENT: Final = _Absent()


class Shape(NamedTuple):
    """What `Ref` and `Fn::GetAtt` return for one resource type (`{name}`, `{account}`,
    `{region}` are filled in)."""

    name_property: str | None
    ref: str
    attributes: Mapping[str, str]


def _arn_shape(name_property: str | None, ref: str, arn: str, **more: str) -> Shape:
    return Shape(name_property, ref, {"Arn": arn, **more})


_QUEUE_URL: Final = "https://sqs.{region}.amazonaws.com/{account}/{name}"
# Return values as the CloudFormation template reference documents them per type.
RESOURCE_SHAPES: Final[Mapping[str, Shape]] = {
    "AWS::S3::Bucket": _arn_shape("BucketName", "{name}", "arn:aws:s3:::{name}",
                                  DomainName="{name}.s3.amazonaws.com"),
    "AWS::IAM::Role": _arn_shape("RoleName", "{name}", "arn:aws:iam::{account}:role/{name}"),
    "AWS::IAM::User": _arn_shape("UserName", "{name}", "arn:aws:iam::{account}:user/{name}"),
    "AWS::IAM::Group": _arn_shape("GroupName", "{name}",
                                  "arn:aws:iam::{account}:group/{name}"),
    "AWS::IAM::InstanceProfile": _arn_shape(
        "InstanceProfileName", "{name}", "arn:aws:iam::{account}:instance-profile/{name}"),
    "AWS::IAM::ManagedPolicy": Shape("ManagedPolicyName",
                                     "arn:aws:iam::{account}:policy/{name}",
                                     {"PolicyArn": "arn:aws:iam::{account}:policy/{name}"}),
    "AWS::SNS::Topic": Shape("TopicName", "arn:aws:sns:{region}:{account}:{name}", {
        "TopicArn": "arn:aws:sns:{region}:{account}:{name}", "TopicName": "{name}"}),
    "AWS::SQS::Queue": _arn_shape("QueueName", _QUEUE_URL,
                                  "arn:aws:sqs:{region}:{account}:{name}",
                                  QueueName="{name}", QueueUrl=_QUEUE_URL),
    "AWS::KMS::Key": _arn_shape(None, "{name}", "arn:aws:kms:{region}:{account}:key/{name}",
                                KeyId="{name}"),
    "AWS::KMS::Alias": Shape("AliasName", "{name}", {}),
    "AWS::Lambda::Function": _arn_shape(
        "FunctionName", "{name}", "arn:aws:lambda:{region}:{account}:function:{name}"),
    "AWS::Serverless::Function": _arn_shape(
        "FunctionName", "{name}", "arn:aws:lambda:{region}:{account}:function:{name}"),
    "AWS::DynamoDB::Table": _arn_shape(
        "TableName", "{name}", "arn:aws:dynamodb:{region}:{account}:table/{name}",
        StreamArn="arn:aws:dynamodb:{region}:{account}:table/{name}/stream/"
                  "2024-01-01T00:00:00.000"),
    "AWS::Kinesis::Stream": _arn_shape(
        "Name", "{name}", "arn:aws:kinesis:{region}:{account}:stream/{name}"),
    "AWS::Logs::LogGroup": _arn_shape(
        "LogGroupName", "{name}", "arn:aws:logs:{region}:{account}:log-group:{name}:*"),
    "AWS::SecretsManager::Secret": Shape(
        "Name", "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
        {"Id": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf"}),
    "AWS::ECR::Repository": _arn_shape(
        "RepositoryName", "{name}", "arn:aws:ecr:{region}:{account}:repository/{name}"),
    "AWS::StepFunctions::StateMachine": _arn_shape(
        "StateMachineName", "arn:aws:states:{region}:{account}:stateMachine:{name}",
        "arn:aws:states:{region}:{account}:stateMachine:{name}", Name="{name}"),
    "AWS::Events::EventBus": _arn_shape(
        "Name", "{name}", "arn:aws:events:{region}:{account}:event-bus/{name}"),
    "AWS::Events::Rule": _arn_shape(
        "Name", "{name}", "arn:aws:events:{region}:{account}:rule/{name}"),
    "AWS::CodeBuild::Project": _arn_shape(
        "Name", "{name}", "arn:aws:codebuild:{region}:{account}:project/{name}"),
    "AWS::ECS::Cluster": _arn_shape(
        "ClusterName", "{name}", "arn:aws:ecs:{region}:{account}:cluster/{name}"),
    "AWS::SSM::Parameter": Shape("Name", "{name}", {}),
}

# Where in a policy a value sits, for the shape of an opaque stand-in.
_PRINCIPAL_TYPES: Final = {"AWS", "Service", "Federated", "CanonicalUser"}


def _slug(name: str) -> str:
    """A wildcard-free, lower-case name from an identifier (`BucketName` -> `bucketname`)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return cleaned[:48] or "placeholder"


def _role(relative: str) -> tuple[str, str | None]:
    """What the element at `relative` (a pointer inside the policy) is: its role, and for
    a principal its type."""
    tokens = relative.split("/")
    for index, token in enumerate(tokens):
        if token in ("Principal", "NotPrincipal"):
            kind = tokens[index + 1] if index + 1 < len(tokens) else None
            return "principal", kind if kind in _PRINCIPAL_TYPES else None
        if token in ("Resource", "NotResource"):
            return "resource", None
        if token in ("Action", "NotAction"):
            return "action", None
        if token == "Sid":
            return "sid", None
        if token == "Condition":
            return "condition", None
    return "other", None


def opaque_value(relative: str, hint: str) -> Any:
    """A valid, wildcard-free stand-in for an unknown value at `relative`."""
    name = _slug(hint)
    role, principal = _role(relative)
    if role == "principal":
        return {
            "Service": f"{name}.amazonaws.com",
            "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{name}.example.com",
            "CanonicalUser": "0" * 64,
        }.get(principal or "AWS", f"arn:aws:iam::{ACCOUNT}:role/{name}")
    if role == "resource":
        return f"arn:aws:s3:::{name}"
    if role == "action":
        return "placeholder:Placeholder"
    if role == "sid":
        return re.sub(r"[^A-Za-z0-9]", "", hint) or "Placeholder"
    return name


@dataclass
class Template:
    """The parts of a template that intrinsic functions refer to."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Any) -> Template:
        def section(key: str) -> Mapping[str, Any]:
            found = value.get(key) if isinstance(value, dict) else None
            return found if isinstance(found, dict) else {}

        return cls(section("Parameters"), section("Resources"), section("Mappings"))

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        found = resource.get("Type") if isinstance(resource, dict) else None
        return found if isinstance(found, str) else None


class Evaluated(NamedTuple):
    value: Any
    faithful: bool


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or key.startswith("Fn::")


_SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH: Final = 32


class Resolver:
    """Resolves the intrinsic functions of one policy, gathering its locations under the
    pointers of the resolved value and the pointers of its opaque stand-ins."""

    def __init__(self, template: Template, origin: SourceDocument, base: str) -> None:
        self.template = template
        self.origin = origin
        self.base = base  # the policy's pointer in the file
        self.locations = Locations()
        self.placeholders: set[str] = set()
        self._depth = 0

    # -- the policy's tree, keeping locations

    def resolve(self, value: Any) -> Any:
        """The policy with every intrinsic function replaced (ABSENT if it is NoValue)."""
        return self._tree(value, self.base, self.base)

    def _tree(self, value: Any, old: str, new: str) -> Any:
        resolved: Any = value
        if is_intrinsic(value):
            resolved = self._intrinsic_tree(value, old, new)
        elif isinstance(value, dict):
            resolved = {}
            for key, item in value.items():
                found = self._tree(item, join_pointer(old, key), join_pointer(new, key))
                if found is not ABSENT:
                    resolved[key] = found
        elif isinstance(value, list):
            resolved = []
            for index, item in enumerate(value):
                found = self._tree(item, join_pointer(old, index),
                                   join_pointer(new, len(resolved)))
                if found is not ABSENT:
                    resolved.append(found)
        if resolved is not ABSENT:  # located once kept: a left-out element frees its pointer
            self.locations.point(new, self.origin.locate(old),
                                 key=self.origin.key_locations.get(old))
        return resolved

    def _intrinsic_tree(self, value: dict[str, Any], old: str, new: str) -> Any:
        ((name, argument),) = value.items()
        inner = join_pointer(old, name)
        if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            index = 2 if _is_no_value(argument[1]) else 1
            chosen = self._tree(argument[index], join_pointer(inner, index), new)
            where = self.origin.locate(old)
            if chosen is not ABSENT and where is not None:
                self.locations.locations[new] = where  # at the `Fn::If`, not its branch
            return chosen
        if name == "Ref" and argument == NO_VALUE:
            return ABSENT
        evaluated = self.evaluate(value, hint_pointer=new)
        if not evaluated.faithful:
            self.placeholders.add(new)
            return opaque_value(new[len(self.base):], _hint(value))
        return evaluated.value

    # -- values, without locations

    def evaluate(self, value: Any, *, hint_pointer: str = "") -> Evaluated:
        """The value of an expression, and whether it is faithful (not a stand-in)."""
        if not is_intrinsic(value):
            if isinstance(value, list):
                parts = [self.evaluate(item) for item in value]
                return Evaluated([part.value for part in parts if part.value is not ABSENT],
                                 all(part.faithful for part in parts))
            if isinstance(value, dict):
                parts_of = {key: self.evaluate(item) for key, item in value.items()}
                return Evaluated({key: part.value for key, part in parts_of.items()
                                  if part.value is not ABSENT},
                                 all(part.faithful for part in parts_of.values()))
            return Evaluated(value, True)
        if self._depth > _MAX_DEPTH:
            return Evaluated(None, False)
        self._depth += 1
        try:
            ((name, argument),) = value.items()
            return self._function(name, argument)
        finally:
            self._depth -= 1

    def _function(self, name: str, argument: Any) -> Evaluated:
        if name == "Ref":
            return self._ref(argument)
        if name == "Fn::GetAtt":
            return self._get_att(argument)
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::Join":
            return self._join(argument)
        if name == "Fn::Select":
            return self._select(argument)
        if name == "Fn::Split":
            return self._split(argument)
        if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            return self.evaluate(argument[2] if _is_no_value(argument[1]) else argument[1])
        if name == "Fn::FindInMap":
            return self._find_in_map(argument)
        if name == "Fn::GetAZs":
            return Evaluated([f"{REGION}{zone}" for zone in "abc"], True)
        # Fn::ImportValue, Fn::Base64, Fn::Cidr, Fn::Transform, conditions, extensions.
        return Evaluated(None, False)

    def _ref(self, argument: Any) -> Evaluated:
        if not isinstance(argument, str):
            return Evaluated(None, False)
        if argument == NO_VALUE:
            return Evaluated(ABSENT, True)
        if argument in PSEUDO:
            return Evaluated(PSEUDO[argument], True)
        if argument in self.template.parameters:
            return self._parameter(argument)
        shape = self._shape(argument)
        if shape is None:
            return Evaluated(None, False)
        return self._fill(shape.ref, argument)

    def _parameter(self, name: str) -> Evaluated:
        definition = self.template.parameters.get(name)
        if not isinstance(definition, dict):
            return Evaluated(None, False)
        kind = str(definition.get("Type", "String"))
        default = definition.get("Default")
        if kind.startswith("AWS::SSM::Parameter") or not isinstance(default, str | int | float):
            return Evaluated(None, False)
        if "CommaDelimitedList" in kind or kind.startswith("List<"):
            return Evaluated([part.strip() for part in str(default).split(",")], True)
        return Evaluated(str(default), True)

    def _shape(self, logical_id: str) -> Shape | None:
        resource_type = self.template.resource_type(logical_id)
        return RESOURCE_SHAPES.get(resource_type) if resource_type else None

    def _name_of(self, logical_id: str, shape: Shape) -> str:
        resource = self.template.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if shape.name_property and isinstance(properties, dict):
            given = properties.get(shape.name_property)
            if given is not None:
                evaluated = self.evaluate(given)
                if evaluated.faithful and isinstance(evaluated.value, str) and evaluated.value:
                    return evaluated.value
        return _slug(logical_id)

    def _fill(self, pattern: str, logical_id: str) -> Evaluated:
        shape = self._shape(logical_id)
        name = self._name_of(logical_id, shape) if shape else _slug(logical_id)
        return Evaluated(pattern.format(name=name, account=ACCOUNT, region=REGION), True)

    def _get_att(self, argument: Any) -> Evaluated:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2:
            return Evaluated(None, False)
        logical_id, attribute = argument[0], self.evaluate(argument[1]).value
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Evaluated(None, False)
        shape = self._shape(logical_id)
        pattern = shape.attributes.get(attribute) if shape else None
        if pattern is None:
            return Evaluated(None, False)
        return self._fill(pattern, logical_id)

    def _sub(self, argument: Any) -> Evaluated:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            argument, variables = argument[0], argument[1]
        if not isinstance(argument, str):
            return Evaluated(None, False)
        faithful = True
        out: list[str] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(argument):
            out.append(argument[position:match.start()])
            position = match.end()
            expression = match.group(1)
            if expression.startswith("!"):  # `${!Literal}` is written as `${Literal}`
                out.append("${" + expression[1:] + "}")
                continue
            value = self._sub_variable(expression.strip(), variables,
                                       "".join(out))
            faithful = faithful and value.faithful
            out.append(str(value.value))
        out.append(argument[position:])
        return Evaluated("".join(out), faithful)

    def _sub_variable(self, name: str, variables: Mapping[str, Any], before: str
                      ) -> Evaluated:
        if name in variables:
            found = self.evaluate(variables[name])
        elif "." in name and name.split(".", 1)[0] not in self.template.parameters:
            found = self._get_att(name.split(".", 1))
        else:
            found = self._ref(name)
        if found.faithful and isinstance(found.value, str | int | float):
            return Evaluated(found.value, True)
        return _field_stand_in(name, before)

    def _join(self, argument: Any) -> Evaluated:
        if not isinstance(argument, list) or len(argument) != 2:
            return Evaluated(None, False)
        delimiter = self.evaluate(argument[0])
        parts = self.evaluate(argument[1])
        if not isinstance(parts.value, list) or not isinstance(delimiter.value, str):
            return Evaluated(None, False)
        return Evaluated(delimiter.value.join(str(part) for part in parts.value),
                         delimiter.faithful and parts.faithful)

    def _select(self, argument: Any) -> Evaluated:
        if not isinstance(argument, list) or len(argument) != 2:
            return Evaluated(None, False)
        index, items = self.evaluate(argument[0]), self.evaluate(argument[1])
        try:
            position = int(index.value)
        except (TypeError, ValueError):
            return Evaluated(None, False)
        if not isinstance(items.value, list) or not 0 <= position < len(items.value):
            return Evaluated(None, False)
        return Evaluated(items.value[position], index.faithful and items.faithful)

    def _split(self, argument: Any) -> Evaluated:
        if not isinstance(argument, list) or len(argument) != 2:
            return Evaluated(None, False)
        delimiter, text = self.evaluate(argument[0]), self.evaluate(argument[1])
        if not isinstance(delimiter.value, str) or not delimiter.value or \
                not isinstance(text.value, str):
            return Evaluated(None, False)
        return Evaluated(text.value.split(delimiter.value), delimiter.faithful and text.faithful)

    def _find_in_map(self, argument: Any) -> Evaluated:
        if not isinstance(argument, list) or len(argument) < 3:
            return Evaluated(None, False)
        keys = [self.evaluate(part) for part in argument[:3]]
        found: Any = self.template.mappings
        for key in keys:
            if not key.faithful or not isinstance(found, dict) or str(key.value) not in found:
                return Evaluated(None, False)
            found = found[str(key.value)]
        return self.evaluate(found)


def _is_no_value(value: Any) -> bool:
    return isinstance(value, dict) and value == {"Ref": NO_VALUE}


def _hint(value: Any) -> str:
    """A name for an opaque stand-in: the logical id or parameter it refers to."""
    if not isinstance(value, dict) or len(value) != 1:
        return "placeholder"
    ((name, argument),) = value.items()
    if name == "Fn::Sub":
        template = argument[0] if isinstance(argument, list) and argument else argument
        names = [found for found in _SUB_VARIABLE.findall(str(template))
                 if not found.startswith(("AWS::", "!"))]
        return names[0].split(".", 1)[0] if names else "sub"
    if isinstance(argument, str):
        return argument.split(".", 1)[0] if name == "Fn::GetAtt" else argument
    if isinstance(argument, list) and argument and isinstance(argument[0], str):
        return argument[0]
    if isinstance(argument, dict):
        return _hint(argument)
    return name.removeprefix("Fn::")


def _field_stand_in(name: str, before: str) -> Evaluated:
    """A value for `${name}` shaped for the ARN field it sits in (when it sits in one)."""
    if not before.startswith("arn:"):
        return Evaluated(_slug(name), False)
    field_index = before.count(":")
    if field_index == 1:
        return Evaluated("aws", True)
    if field_index == 3:
        return Evaluated(REGION, True)
    if field_index == 4:
        # Another account, most likely: shaped, but findings on it would be guesses.
        return Evaluated(ACCOUNT, False)
    if field_index >= 5:
        return Evaluated(_slug(name), True)
    return Evaluated(_slug(name), False)  # the service field: unknowable


"""A Lambda permission (CloudFormation `AWS::Lambda::Permission`, Terraform
`aws_lambda_permission`) -> the statement Lambda adds to the function's resource policy.

Lambda's AddPermission turns its parameters into one Allow statement: the principal (an
AWS service such as `s3.amazonaws.com`, an account, a user or role ARN, or `*`), the
action, the function (with its qualifier) as Resource, and conditions for `SourceArn`
(ArnLike aws:SourceArn), `SourceAccount` (StringEquals aws:SourceAccount),
`PrincipalOrgID` (StringEquals aws:PrincipalOrgID), `FunctionUrlAuthType` (StringEquals
lambda:FunctionUrlAuthType) and `EventSourceToken` (StringEquals lambda:EventSourceToken)
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
Each element is located at the parameter it comes from; a parameter whose value is
unknown gets a stand-in recorded as a placeholder (no finding is reported on it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from policy_engine.errors import join_pointer
from policy_engine.lint.inputs.intrinsics import ACCOUNT, REGION, opaque_value
from policy_engine.lint.inputs.located import Locations
from policy_engine.source import Location


class Part(NamedTuple):
    """One parameter: its value (None when unknown), where it is, a name for a stand-in."""

    value: str | None
    where: Location | None
    key_where: Location | None = None
    hint: str = "placeholder"


# (parameter, condition operator, condition key)
CONDITIONS: Final = (
    ("source_arn", "ArnLike", "aws:SourceArn"),
    ("source_account", "StringEquals", "aws:SourceAccount"),
    ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
    ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
)
_ACCOUNT_ID: Final = re.compile(r"\d{12}")
_PARTIAL_ARN: Final = re.compile(r"\d{12}:function:.+")


@dataclass
class Permission:
    """The function policy a permission amounts to, its locations and placeholders."""

    policy: dict[str, Any]
    locations: Locations
    placeholders: set[str] = field(default_factory=set)


def permission_policy(pointer: str, where: Location | None, parts: dict[str, Part]
                      ) -> Permission:
    """`parts` by parameter: principal, action, function (with any qualifier) and the
    condition parameters of `CONDITIONS` that are given."""
    located = Locations()
    placeholders: set[str] = set()
    statement_at = join_pointer(pointer, "Statement", 0)
    for at in (pointer, join_pointer(pointer, "Statement"), statement_at):
        located.point(at, where)

    def value_at(name: str, target: str) -> str:
        part = parts.get(name) or Part(None, where)
        located.point(target, part.where or where, key=part.key_where)
        if part.value is None:
            placeholders.add(target)
            return str(opaque_value(target[len(pointer):], part.hint))
        return part.value

    principal_at = join_pointer(statement_at, "Principal")
    principal_part = parts.get("principal")
    principal_type = _principal_type(principal_part.value if principal_part else None)
    statement: dict[str, Any] = {"Effect": "Allow"}
    if principal_type == "*":
        statement["Principal"] = value_at("principal", principal_at)
    else:
        located.point(principal_at, principal_part.where if principal_part else where)
        statement["Principal"] = {
            principal_type: value_at("principal", join_pointer(principal_at, principal_type))}
    statement["Action"] = value_at("action", join_pointer(statement_at, "Action"))
    resource_at = join_pointer(statement_at, "Resource")
    function = value_at("function", resource_at)
    statement["Resource"] = function if resource_at in placeholders else function_arn(function)
    condition_at = join_pointer(statement_at, "Condition")
    conditions: dict[str, dict[str, str]] = {}
    for name, operator, key in CONDITIONS:
        if name not in parts:
            continue
        target = join_pointer(condition_at, operator, key)
        conditions.setdefault(operator, {})[key] = value_at(name, target)
        for at in (condition_at, join_pointer(condition_at, operator)):
            located.point(at, parts[name].where or where)
    if conditions:
        statement["Condition"] = conditions
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    return Permission(policy, located, placeholders)


def _principal_type(principal: str | None) -> str:
    if principal == "*":
        return "*"
    if principal is None or principal.startswith("arn:") or _ACCOUNT_ID.fullmatch(principal):
        return "AWS"
    return "Service"


def function_arn(function: str, qualifier: str | None = None) -> str:
    """A function given as a name, a partial ARN (`ACCOUNT:function:NAME`) or an ARN."""
    if function.startswith("arn:"):
        arn = function
    elif _PARTIAL_ARN.fullmatch(function):
        arn = f"arn:aws:lambda:{REGION}:{function}"
    else:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
    if qualifier and arn.count(":") == 6:
        arn += f":{qualifier}"
    return arn

"""`aws iam get-account-authorization-details` output, exactly as the AWS CLI writes it.

Sources (IAM API reference): GetAccountAuthorizationDetails, UserDetail, GroupDetail,
RoleDetail, ManagedPolicyDetail, PolicyVersion, PolicyDetail, AttachedPolicy,
AttachedPermissionsBoundary, InstanceProfile, Role, RoleLastUsed, Tag —
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
and the `API_<Type>.html` page of each type.

These models are the external form of one account's IAM data. Unknown members are ignored
(`extra="ignore"`) so output from newer CLI versions still loads, but a member of the wrong
type is an error naming its path. Policy documents are kept as raw JSON objects here and
validated later, per use, by `policy_engine.parse.parse_policy`, so their errors carry the
pointer of the bad element. The raw Query API returns each document as URL-encoded JSON
text (RFC 3986); the CLI and SDKs decode it. Both forms are accepted and normalised here,
once, into a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import unquote

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

__all__ = [
    "AUTHORIZATION_DETAILS_KEYS",
    "AttachedPermissionsBoundary",
    "AttachedPolicy",
    "AuthorizationDetails",
    "GroupDetail",
    "InlinePolicy",
    "InstanceProfile",
    "InstanceProfileRole",
    "ManagedPolicyDetail",
    "PolicyVersion",
    "RoleDetail",
    "RoleLastUsed",
    "Tag",
    "UserDetail",
    "decode_policy_document",
]

# The top-level members that identify a file as this command's output.
AUTHORIZATION_DETAILS_KEYS: Final = frozenset(
    {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
)


def decode_policy_document(value: Any) -> Any:
    """A JSON object as is; JSON text, URL-encoded (the raw API) or not, decoded into one."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text.startswith(("{", "[")):
        text = unquote(text).strip()
    try:
        decoded = json.loads(text)
    except ValueError:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(f"the policy document `{shown}` is text that is neither a JSON "
                         "object nor URL-encoded JSON") from None
    if not isinstance(decoded, dict):
        raise ValueError("the policy document text does not hold a JSON object")
    return decoded


RawPolicyDocument = Annotated[
    dict[str, Any],
    BeforeValidator(decode_policy_document),
    WithJsonSchema({
        "description": "an IAM policy document: a JSON object (AWS CLI output) or "
                       "URL-encoded JSON text (raw IAM API output)",
        "anyOf": [{"type": "object"}, {"type": "string"}],
    }),
]


class _AwsShape(BaseModel):
    """AWS spellings as aliases, snake_case attributes; newer members are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Tag(_AwsShape):
    key: str = Field(alias="Key")
    value: str = Field("", alias="Value")


class InlinePolicy(_AwsShape):
    """`PolicyDetail`: an inline policy embedded in a user, group or role."""

    policy_name: str = Field(alias="PolicyName")
    policy_document: RawPolicyDocument = Field(alias="PolicyDocument")


class AttachedPolicy(_AwsShape):
    policy_name: str | None = Field(None, alias="PolicyName")
    policy_arn: str = Field(alias="PolicyArn")


class AttachedPermissionsBoundary(_AwsShape):
    # The only documented value is `PermissionsBoundaryPolicy`; kept as text for newer ones.
    permissions_boundary_type: str = Field("PermissionsBoundaryPolicy",
                                           alias="PermissionsBoundaryType")
    permissions_boundary_arn: str = Field(alias="PermissionsBoundaryArn")


class RoleLastUsed(_AwsShape):
    last_used_date: datetime | None = Field(None, alias="LastUsedDate")
    region: str | None = Field(None, alias="Region")


# Members that several shapes have, each spelled once. (Shared members cannot all move into
# base classes: a base's fields come first, and the JSON Schema keeps the API's member order.)
IamPath = Annotated[str, Field(alias="Path")]
Arn = Annotated[str, Field(alias="Arn")]
CreateDate = Annotated[datetime | None, Field(alias="CreateDate")]
TagList = Annotated[tuple[Tag, ...], Field(alias="Tags")]
AttachedPolicies = Annotated[tuple[AttachedPolicy, ...], Field(alias="AttachedManagedPolicies")]
Boundary = Annotated[AttachedPermissionsBoundary | None, Field(alias="PermissionsBoundary")]
InlinePolicies = tuple[InlinePolicy, ...]


class _RoleFields(_AwsShape):
    """The members of a role summary (`Role`), which RoleDetail starts with, in the API's order."""

    path: IamPath = "/"
    role_name: str = Field(alias="RoleName")
    role_id: str | None = Field(None, alias="RoleId")
    arn: Arn
    create_date: CreateDate = None
    assume_role_policy_document: RawPolicyDocument | None = Field(
        None, alias="AssumeRolePolicyDocument")


class InstanceProfileRole(_RoleFields):
    """`Role` inside an `InstanceProfile`: a summary; the full role is in RoleDetailList."""


class InstanceProfile(_AwsShape):
    path: IamPath = "/"
    instance_profile_name: str = Field(alias="InstanceProfileName")
    instance_profile_id: str | None = Field(None, alias="InstanceProfileId")
    arn: Arn
    create_date: CreateDate = None
    roles: tuple[InstanceProfileRole, ...] = Field((), alias="Roles")
    tags: TagList = ()


class UserDetail(_AwsShape):
    path: IamPath = "/"
    user_name: str = Field(alias="UserName")
    user_id: str | None = Field(None, alias="UserId")
    arn: Arn
    create_date: CreateDate = None
    user_policy_list: InlinePolicies = Field((), alias="UserPolicyList")
    group_list: tuple[str, ...] = Field((), alias="GroupList")
    attached_managed_policies: AttachedPolicies = ()
    permissions_boundary: Boundary = None
    tags: TagList = ()


class GroupDetail(_AwsShape):
    path: IamPath = "/"
    group_name: str = Field(alias="GroupName")
    group_id: str | None = Field(None, alias="GroupId")
    arn: Arn
    create_date: CreateDate = None
    group_policy_list: InlinePolicies = Field((), alias="GroupPolicyList")
    attached_managed_policies: AttachedPolicies = ()


class RoleDetail(_RoleFields):
    instance_profile_list: tuple[InstanceProfile, ...] = Field((), alias="InstanceProfileList")
    role_policy_list: InlinePolicies = Field((), alias="RolePolicyList")
    attached_managed_policies: AttachedPolicies = ()
    permissions_boundary: Boundary = None
    tags: TagList = ()
    role_last_used: RoleLastUsed | None = Field(None, alias="RoleLastUsed")


class PolicyVersion(_AwsShape):
    # `Document` is absent only in ListPolicyVersions output; this command always sends it.
    document: RawPolicyDocument | None = Field(None, alias="Document")
    version_id: str = Field(alias="VersionId")
    is_default_version: bool = Field(False, alias="IsDefaultVersion")
    create_date: CreateDate = None


class ManagedPolicyDetail(_AwsShape):
    policy_name: str = Field(alias="PolicyName")
    policy_id: str | None = Field(None, alias="PolicyId")
    arn: Arn
    path: IamPath = "/"
    default_version_id: str | None = Field(None, alias="DefaultVersionId")
    attachment_count: int | None = Field(None, alias="AttachmentCount")
    permissions_boundary_usage_count: int | None = Field(
        None, alias="PermissionsBoundaryUsageCount")
    is_attachable: bool = Field(True, alias="IsAttachable")
    description: str | None = Field(None, alias="Description")
    create_date: CreateDate = None
    update_date: datetime | None = Field(None, alias="UpdateDate")
    policy_version_list: tuple[PolicyVersion, ...] = Field((), alias="PolicyVersionList")


class AuthorizationDetails(_AwsShape):
    """One account's output of `aws iam get-account-authorization-details`.

    With `--filter`, some lists are absent; absent lists are empty here, and what the
    loader cannot find (an attached managed policy, a group) is reported, never guessed.
    """

    user_detail_list: tuple[UserDetail, ...] = Field((), alias="UserDetailList")
    group_detail_list: tuple[GroupDetail, ...] = Field((), alias="GroupDetailList")
    role_detail_list: tuple[RoleDetail, ...] = Field((), alias="RoleDetailList")
    policies: tuple[ManagedPolicyDetail, ...] = Field((), alias="Policies")
    is_truncated: bool = Field(False, alias="IsTruncated")
    marker: str | None = Field(None, alias="Marker")

    def arns(self) -> Iterator[str]:
        """The ARNs of the users, groups, roles and managed policies, in that order."""
        yield from (user.arn for user in self.user_detail_list)
        yield from (group.arn for group in self.group_detail_list)
        yield from (role.arn for role in self.role_detail_list)
        yield from (policy.arn for policy in self.policies)

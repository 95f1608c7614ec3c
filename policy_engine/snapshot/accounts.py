"""One account's merged parts -> `Account`: its users, groups, roles and managed policies.

The entities come from the account's `aws iam get-account-authorization-details` output;
each ARN is checked against the account it is given for, and each inline and trust policy
is validated under its kind.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from policy_engine.arn import arn_account, split_arn
from policy_engine.model.kinds import PolicyKind
from policy_engine.snapshot.authorization_details import (
    GroupDetail,
    InlinePolicy,
    RoleDetail,
    UserDetail,
)
from policy_engine.snapshot.documents import PolicyDocuments
from policy_engine.snapshot.managed import build_managed_policy
from policy_engine.snapshot.merge import AccountParts, AuthzPart
from policy_engine.snapshot.model import (
    Account,
    AttachedPolicyRef,
    Group,
    InstanceProfile,
    ManagedPolicy,
    Role,
    SnapshotPolicy,
    User,
)
from policy_engine.snapshot.read import Input

__all__ = ["build_account"]

_Built = TypeVar("_Built", User, Group, Role, ManagedPolicy)


def build_account(parts: AccountParts, boundary_arns: Set[str], docs: PolicyDocuments
                  ) -> Account:
    """The account; its problems are logged into `docs.log`."""
    providers = _identity_providers(parts, docs)
    entities = _Entities(parts.id, docs)
    if parts.authz is not None and _same_account(parts.authz, parts.id, docs):
        entities.read(parts.authz, boundary_arns)
    return Account(
        id=parts.id, name=parts.name, users=MappingProxyType(entities.users),
        groups=MappingProxyType(entities.groups), roles=MappingProxyType(entities.roles),
        managed_policies=MappingProxyType(entities.managed),
        identity_providers=providers,
        has_authorization_details=parts.authz is not None, origin=parts.origin,
        s3_public_access_block=parts.s3_public_access_block,
        canonical_user_id=parts.canonical_user_id,
    )


def _identity_providers(parts: AccountParts, docs: PolicyDocuments) -> tuple[str, ...]:
    providers: dict[str, None] = {}
    for arn, item, pointer in parts.providers:
        if arn_account(arn) != parts.id:
            docs.log.problems.append(item.problem(
                "wrong-account", f"`{arn}` belongs to account `{arn_account(arn)}`, not "
                f"to `{parts.id}`", pointer))
        providers.setdefault(arn, None)
    return tuple(providers)


def _same_account(part: AuthzPart, account: str, docs: PolicyDocuments) -> bool:
    """One error when a whole output describes another account (per entity otherwise)."""
    owners = {owner for arn in part.details.arns()
              if (owner := arn_account(arn)) not in (None, "aws")}
    if len(owners) == 1 and account not in owners:
        docs.log.problems.append(part.input.problem(
            "wrong-account", f"these authorization details describe account "
            f"`{owners.pop()}`, but are given for account `{account}`", part.prefix))
        return False
    return True


@dataclass(slots=True)
class _Entities:
    """The entities of one account's authorization details, by name (policies by ARN)."""

    account: str
    docs: PolicyDocuments
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    managed: dict[str, ManagedPolicy] = field(default_factory=dict)

    def read(self, part: AuthzPart, boundary_arns: Set[str]) -> None:
        details, item, prefix = part.details, part.input, part.prefix
        if details.is_truncated:
            self.docs.log.warnings.append(item.problem(
                "truncated", "the output is truncated (`IsTruncated` is true): the "
                "principals and policies after `Marker` are missing; run the command "
                "without --max-items so the CLI fetches every page", prefix + "/IsTruncated"))
        for index, policy in enumerate(details.policies):
            pointer = f"{prefix}/Policies/{index}"
            built = build_managed_policy(policy, self.account, item, pointer, boundary_arns,
                                         self.docs)
            if built is not None:
                self._unique(self.managed, built.arn, built, item, pointer + "/Arn",
                             "managed policy")
        for index, group in enumerate(details.group_detail_list):
            pointer = f"{prefix}/GroupDetailList/{index}"
            self._unique(self.groups, group.group_name, self._group(group, item, pointer),
                         item, pointer + "/GroupName", "group")
        for index, user in enumerate(details.user_detail_list):
            pointer = f"{prefix}/UserDetailList/{index}"
            self._unique(self.users, user.user_name, self._user(user, item, pointer), item,
                         pointer + "/UserName", "user")
        for index, role in enumerate(details.role_detail_list):
            pointer = f"{prefix}/RoleDetailList/{index}"
            self._unique(self.roles, role.role_name, self._role(role, item, pointer), item,
                         pointer + "/RoleName", "role")

    def _unique(self, table: dict[str, _Built], key: str, value: _Built, item: Input,
                pointer: str, what: str) -> None:
        """Add `value` unless its name (or ARN) is taken: then report the duplicate."""
        if key in table:
            self.docs.log.problems.append(item.problem(
                "duplicate-entity", f"{what} `{key}` appears twice in this account's "
                f"authorization details (first at {table[key].origin.pointer})", pointer))
        else:
            table[key] = value

    # -- one entity each

    def _user(self, user: UserDetail, item: Input, pointer: str) -> User:
        self._check_arn(user.arn, "user", item, pointer + "/Arn")
        return User(
            account=self.account, name=user.user_name, arn=user.arn, user_id=user.user_id,
            path=user.path,
            inline_policies=self._inline(user.user_policy_list, PolicyKind.INLINE_USER, item,
                                         pointer + "/UserPolicyList"),
            attached_policies=_attached(user, item, pointer),
            group_names=user.group_list,
            permissions_boundary=_boundary(user, item, pointer),
            tags=MappingProxyType({tag.key: tag.value for tag in user.tags}),
            create_date=user.create_date, origin=item.origin(pointer),
        )

    def _group(self, group: GroupDetail, item: Input, pointer: str) -> Group:
        self._check_arn(group.arn, "group", item, pointer + "/Arn")
        return Group(
            account=self.account, name=group.group_name, arn=group.arn,
            group_id=group.group_id, path=group.path,
            inline_policies=self._inline(group.group_policy_list, PolicyKind.INLINE_GROUP,
                                         item, pointer + "/GroupPolicyList"),
            attached_policies=_attached(group, item, pointer),
            create_date=group.create_date, origin=item.origin(pointer),
        )

    def _role(self, role: RoleDetail, item: Input, pointer: str) -> Role:
        self._check_arn(role.arn, "role", item, pointer + "/Arn")
        trust = None
        if role.assume_role_policy_document is not None:
            trust = self.docs.parse(role.assume_role_policy_document, PolicyKind.TRUST,
                                    f"{role.role_name} trust policy", item,
                                    pointer + "/AssumeRolePolicyDocument")
        return Role(
            account=self.account, name=role.role_name, arn=role.arn, role_id=role.role_id,
            path=role.path, trust_policy=trust,
            inline_policies=self._inline(role.role_policy_list, PolicyKind.INLINE_ROLE, item,
                                         pointer + "/RolePolicyList"),
            attached_policies=_attached(role, item, pointer),
            permissions_boundary=_boundary(role, item, pointer),
            tags=MappingProxyType({tag.key: tag.value for tag in role.tags}),
            instance_profiles=_instance_profiles(role), last_used=role.role_last_used,
            create_date=role.create_date, origin=item.origin(pointer),
        )

    def _check_arn(self, arn: str, resource_type: str, item: Input, pointer: str) -> None:
        parts = split_arn(arn)
        if parts is None or parts.service != "iam" or \
                not parts.resource.startswith(resource_type + "/"):
            self.docs.log.problems.append(item.problem(
                "invalid-arn", f"`{arn}` is not an IAM {resource_type} ARN (expected "
                f"`arn:aws:iam::{self.account}:{resource_type}/NAME`)", pointer))
        elif parts.account != self.account:
            self.docs.log.problems.append(item.problem(
                "wrong-account", f"`{arn}` belongs to account `{parts.account}`, but these "
                f"authorization details are for account `{self.account}`", pointer))

    def _inline(self, policies: tuple[InlinePolicy, ...], kind: PolicyKind, item: Input,
                pointer: str) -> tuple[SnapshotPolicy, ...]:
        parsed = (self.docs.parse(p.policy_document, kind, p.policy_name, item,
                                  f"{pointer}/{index}/PolicyDocument")
                  for index, p in enumerate(policies))
        return tuple(p for p in parsed if p is not None)


def _attached(entity: UserDetail | GroupDetail | RoleDetail, item: Input, pointer: str
              ) -> tuple[AttachedPolicyRef, ...]:
    return tuple(
        AttachedPolicyRef(a.policy_arn, a.policy_name,
                          item.origin(f"{pointer}/AttachedManagedPolicies/{index}"))
        for index, a in enumerate(entity.attached_managed_policies))


def _boundary(entity: UserDetail | RoleDetail, item: Input, pointer: str
              ) -> AttachedPolicyRef | None:
    boundary = entity.permissions_boundary
    if boundary is None:
        return None
    return AttachedPolicyRef(boundary.permissions_boundary_arn, None,
                             item.origin(pointer + "/PermissionsBoundary"))


def _instance_profiles(role: RoleDetail) -> tuple[InstanceProfile, ...]:
    return tuple(
        InstanceProfile(name=p.instance_profile_name, arn=p.arn,
                        instance_profile_id=p.instance_profile_id, path=p.path,
                        role_names=tuple(r.role_name for r in p.roles))
        for p in role.instance_profile_list)

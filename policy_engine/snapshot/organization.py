"""The organization of a snapshot file -> `Organization`: its SCPs, RCPs and tree.

Attachments are explicit, and checked the way AWS enforces them: while a policy type is
enabled every root, OU and account keeps at least one policy of that type attached, and
no target holds more than the quota allows.

Sources: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
orgs_manage_policies_rcps.html, orgs_reference_limits.html.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from policy_engine.errors import escape_pointer_token
from policy_engine.model.kinds import DEFAULT_QUOTAS, PolicyKind
from policy_engine.parse import parse_policy
from policy_engine.pydantic_errors import words as word_list
from policy_engine.snapshot.documents import PolicyDocuments
from policy_engine.snapshot.merge import OrgPart
from policy_engine.snapshot.model import (
    BUILT_IN,
    Account,
    Organization,
    OrgLevel,
    OrgNodeType,
    OrgPolicy,
    SnapshotPolicy,
)
from policy_engine.snapshot.read import Input
from policy_engine.snapshot.snapshot_file import (
    OrganizationalUnitNode,
    OrganizationEntry,
    OrgPolicyType,
    RootNode,
)

__all__ = ["FULL_AWS_ACCESS_ID", "RCP_FULL_AWS_ACCESS_ID", "build_organization"]

FULL_AWS_ACCESS_ID: Final = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ID: Final = "p-RCPFullAWSAccess"
# The AWS managed organization policies, as AWS publishes them (orgs_manage_policies_scps
# and orgs_manage_policies_rcps pages); known without being listed in a snapshot.
_BUILT_IN_ORG_POLICIES: Final = MappingProxyType({
    FULL_AWS_ACCESS_ID: ("FullAWSAccess", OrgPolicyType.SCP, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }),
    RCP_FULL_AWS_ACCESS_ID: ("RCPFullAWSAccess", OrgPolicyType.RCP, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }),
})


def build_organization(part: OrgPart, accounts: Mapping[str, Account], docs: PolicyDocuments
                       ) -> Organization:
    """The organization; its problems and warnings are logged into `docs.log`."""
    entry, item, prefix = part.entry, part.input, part.pointer
    enabled = frozenset(entry.policy_types)
    tree = _Tree(docs, item, entry, enabled, _defined_policies(part, docs), accounts)
    root = tree.level(entry.root.id, OrgNodeType.ROOT, "Root", entry.root.policies,
                      prefix + "/root")
    tree.walk(entry.root, prefix + "/root", (root,))
    if entry.management_account not in tree.paths:
        docs.log.warnings.append(item.problem(
            "management-account-not-placed", f"the management account "
            f"`{entry.management_account}` is not placed in the organization tree; "
            "aws:PrincipalOrgPaths is unknown for it", prefix + "/management_account"))
    return Organization(
        id=entry.id, management_account=entry.management_account, root_id=entry.root.id,
        policy_types=enabled, policies=MappingProxyType(tree.policies),
        paths=MappingProxyType(tree.paths),
        organizational_units=MappingProxyType(tree.units), origin=item.origin(prefix),
    )


def _defined_policies(part: OrgPart, docs: PolicyDocuments) -> dict[str, OrgPolicy]:
    """The valid policies of `organization.policies`, by id."""
    policies: dict[str, OrgPolicy] = {}
    for policy_id, policy in part.entry.policies.items():
        at = f"{part.pointer}/policies/{escape_pointer_token(policy_id)}"
        kind = _policy_kind(policy.type)
        parsed = docs.parse(policy.document, kind, policy.name, part.input, at + "/document")
        if parsed is not None:
            policies[policy_id] = OrgPolicy(policy_id, policy.name, policy.type, parsed,
                                            policy.description,
                                            policy_id in _BUILT_IN_ORG_POLICIES)
    return policies


def _policy_kind(policy_type: OrgPolicyType) -> PolicyKind:
    return PolicyKind.SCP if policy_type is OrgPolicyType.SCP else PolicyKind.RCP


class _Tree:
    """Walks the organization tree: one `OrgLevel` per node, paths per account."""

    def __init__(self, docs: PolicyDocuments, item: Input, entry: OrganizationEntry,
                 enabled: frozenset[OrgPolicyType], policies: dict[str, OrgPolicy],
                 accounts: Mapping[str, Account]) -> None:
        self.docs = docs
        self.item = item
        self.entry = entry
        self.enabled = enabled
        self.policies = policies
        self.accounts = accounts
        self.paths: dict[str, tuple[OrgLevel, ...]] = {}
        self.units: dict[str, OrgLevel] = {}
        self._placed: dict[str, str] = {}

    def problem(self, code: str, message: str, pointer: str) -> None:
        self.docs.log.problems.append(self.item.problem(code, message, pointer))

    def walk(self, node: RootNode | OrganizationalUnitNode, pointer: str,
             path: tuple[OrgLevel, ...]) -> None:
        for index, account in enumerate(node.accounts):
            at = f"{pointer}/accounts/{index}"
            if account.id in self._placed:
                self.problem("duplicate-account", f"account `{account.id}` is placed twice in "
                             f"the organization (first at {self._placed[account.id]}); an "
                             "account has one parent", at + "/id")
                continue
            self._placed[account.id] = at
            known = self.accounts.get(account.id)
            level = self.level(account.id, OrgNodeType.ACCOUNT, known.name if known else None,
                               account.policies, at)
            self.paths[account.id] = (*path, level)
        for index, unit in enumerate(node.organizational_units):
            at = f"{pointer}/organizational_units/{index}"
            if unit.id in self.units:
                self.problem("duplicate-unit", f"organizational unit `{unit.id}` appears twice "
                             f"(first at {self.units[unit.id].origin.pointer})", at + "/id")
                continue
            level = self.level(unit.id, OrgNodeType.ORGANIZATIONAL_UNIT, unit.name,
                               unit.policies, at)
            self.units[unit.id] = level
            self.walk(unit, at, (*path, level))

    def level(self, node_id: str, node_type: OrgNodeType, name: str | None,
              policy_ids: tuple[str, ...], pointer: str) -> OrgLevel:
        """The node with the policies attached to it, checked against AWS's rules."""
        attached: dict[OrgPolicyType, list[OrgPolicy]] = {t: [] for t in OrgPolicyType}
        unresolved = False
        seen: set[str] = set()
        for index, policy_id in enumerate(policy_ids):
            at = f"{pointer}/policies/{index}"
            if policy_id in seen:
                self.problem("duplicate-attachment", f"`{policy_id}` is attached twice here", at)
                continue
            seen.add(policy_id)
            policy = self._attachable(policy_id, at)
            if policy is None:
                unresolved = True
                continue
            attached[policy.type].append(policy)
        self._check_counts(node_id, node_type, attached, unresolved, pointer)
        return OrgLevel(node_id, node_type, name, tuple(attached[OrgPolicyType.SCP]),
                        tuple(attached[OrgPolicyType.RCP]), self.item.origin(pointer))

    def _attachable(self, policy_id: str, at: str) -> OrgPolicy | None:
        """The policy an attachment names, or None (reported) if it cannot be attached."""
        if policy_id in self.entry.policies and policy_id not in self.policies:
            return None  # defined, but its document is invalid (reported already)
        policy = self._policy(policy_id)
        if policy is None:
            known = sorted({*self.entry.policies, *_BUILT_IN_ORG_POLICIES})
            close = difflib.get_close_matches(policy_id, known, n=1)
            self.problem("unknown-policy", f"`{policy_id}` is not a policy of this "
                         "organization (`organization.policies` defines "
                         f"{word_list(sorted(self.entry.policies)) or 'none'})"
                         + (f"; did you mean `{close[0]}`?" if close else ""), at)
            return None
        if policy.type not in self.enabled:
            self.problem("policy-type-disabled", f"`{policy_id}` is an {policy.type.value}, "
                         f"but {policy.type.value}s are not enabled: add "
                         f"`{policy.type.value}` to `organization.policy_types`", at)
            return None
        return policy

    def _check_counts(self, node_id: str, node_type: OrgNodeType,
                      attached: Mapping[OrgPolicyType, list[OrgPolicy]], unresolved: bool,
                      pointer: str) -> None:
        """At least one policy of each enabled type (unless one failed), at most the quota."""
        what = {OrgNodeType.ROOT: "the root", OrgNodeType.ORGANIZATIONAL_UNIT:
                f"organizational unit `{node_id}`", OrgNodeType.ACCOUNT:
                f"account `{node_id}`"}[node_type]
        quotas = DEFAULT_QUOTAS
        for kind, default_id, limit in (
                (OrgPolicyType.SCP, FULL_AWS_ACCESS_ID, quotas.scps_per_target),
                (OrgPolicyType.RCP, RCP_FULL_AWS_ACCESS_ID, quotas.rcps_per_target)):
            count = len(attached[kind])
            if kind in self.enabled and count == 0 and not unresolved:
                self.problem("no-policy-attached", f"no {kind.value} is attached to {what}; "
                             f"while {kind.value}s are enabled AWS keeps at least one attached "
                             f"to every root, OU and account: attach `{default_id}` (the "
                             f"default) or remove `{kind.value}` from "
                             "`organization.policy_types`", pointer + "/policies")
            if count > limit:
                self.problem("too-many-policies", f"{count} {kind.value}s are attached to "
                             f"{what}; AWS allows at most {limit} per target",
                             pointer + "/policies")

    def _policy(self, policy_id: str) -> OrgPolicy | None:
        """A defined policy, or a built-in one (validated on its first attachment)."""
        found = self.policies.get(policy_id)
        if found is not None:
            return found
        built_in = _BUILT_IN_ORG_POLICIES.get(policy_id)
        if built_in is None:
            return None
        name, policy_type, document = built_in
        kind = _policy_kind(policy_type)
        parsed = parse_policy(document, kind=kind, source=BUILT_IN.source, name=name)
        policy = OrgPolicy(policy_id, name, policy_type,
                           SnapshotPolicy(name, kind, parsed.document, BUILT_IN),
                           "AWS managed", aws_managed=True)
        self.policies[policy_id] = policy
        return policy

"""Organizations: the tree (root, OUs, accounts) with the SCPs and RCPs attached to each.

Only the management account or a delegated administrator may list the tree; any other
caller gets AccessDenied, which is recorded and leaves the organization out. A caller
outside any organization gets AWSOrganizationsNotInUseException: no organization, no
warning. Policy types come from the root's `PolicyTypes` with status ENABLED; policies
are read for enabled types only, as AWS attaches and applies only those.

Sources: https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html,
API_ListRoots.html (Root.PolicyTypes), API_ListOrganizationalUnitsForParent.html,
API_ListAccountsForParent.html, API_ListPolicies.html, API_DescribePolicy.html,
API_ListPoliciesForTarget.html; https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
and orgs_manage_policies_rcps.html.
"""

from __future__ import annotations

from typing import Any, Final

from policy_engine.fetch.found import Found, json_document
from policy_engine.fetch.reader import Reader

__all__ = ["fetch_organization"]

# The API's policy type names -> the snapshot's.
POLICY_TYPES: Final = {"SERVICE_CONTROL_POLICY": "SCP", "RESOURCE_CONTROL_POLICY": "RCP"}


def fetch_organization(reader: Reader) -> Found:
    found = Found()
    described = reader.call("describe_organization",
                            absent=("AWSOrganizationsNotInUseException",))
    roots = reader.pages("list_roots", "Roots") if described else None
    if not described or not roots:
        return found
    organization, root = described["Organization"], roots[0]
    enabled = [api for api in POLICY_TYPES
               if any(t.get("Type") == api and t.get("Status") == "ENABLED"
                      for t in root.get("PolicyTypes", []))]
    policies = _policies(reader, enabled)
    tree = _Tree(reader, enabled, found.account_names)
    root_node = {"id": root["Id"], **tree.children(root["Id"])}
    if not tree.complete:
        return found  # a partial tree would misplace accounts; the warning says why
    root_node["policies"] = tree.attached(root["Id"])
    found.organization = {
        "id": organization["Id"],
        "management_account": organization["MasterAccountId"],
        "policy_types": [POLICY_TYPES[api] for api in enabled],
        "root": _drop_empty(root_node),
        "policies": policies,
    }
    return found


def _policies(reader: Reader, enabled: list[str]) -> dict[str, dict[str, Any]]:
    """Every policy of each enabled type, by id, with its document."""
    found: dict[str, dict[str, Any]] = {}
    for api in enabled:
        for summary in reader.pages("list_policies", "Policies", Filter=api) or []:
            described = reader.call("describe_policy", resource=summary["Id"],
                                    PolicyId=summary["Id"])
            document = json_document((described or {}).get("Policy", {}).get("Content"))
            if document is None:
                continue
            entry: dict[str, Any] = {"name": summary["Name"], "type": POLICY_TYPES[api],
                                     "document": document}
            if summary.get("Description"):
                entry["description"] = summary["Description"]
            found[summary["Id"]] = entry
    return dict(sorted(found.items()))


class _Tree:
    """Walks the tree from the root; `complete` turns false when a listing failed."""

    def __init__(self, reader: Reader, enabled: list[str], names: dict[str, str]) -> None:
        self.reader = reader
        self.enabled = enabled
        self.names = names
        self.complete = True

    def attached(self, target: str) -> list[str]:
        ids: list[str] = []
        for api in self.enabled:
            listed = self.reader.pages("list_policies_for_target", "Policies",
                                       resource=target, TargetId=target, Filter=api)
            if listed is None:
                self.complete = False
            ids.extend(sorted(p["Id"] for p in listed or []))
        return ids

    def children(self, parent: str) -> dict[str, Any]:
        accounts = self.reader.pages("list_accounts_for_parent", "Accounts",
                                     resource=parent, ParentId=parent)
        units = self.reader.pages("list_organizational_units_for_parent",
                                  "OrganizationalUnits", resource=parent, ParentId=parent)
        if accounts is None or units is None:
            self.complete = False
            return {}
        for account in accounts:
            if account.get("Name"):
                self.names[account["Id"]] = account["Name"]
        return {
            "accounts": [_drop_empty({"id": a["Id"], "policies": self.attached(a["Id"])})
                         for a in sorted(accounts, key=lambda a: a["Id"])],
            "organizational_units": [
                _drop_empty({"id": u["Id"], "name": u["Name"], **self.children(u["Id"]),
                             "policies": self.attached(u["Id"])})
                for u in sorted(units, key=lambda u: u["Id"])],
        }


def _drop_empty(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if value != []}

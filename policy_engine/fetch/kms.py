"""KMS: every key of a Region with its key policy, aliases, tags and grants.

The key policy is read by its one name, `default`. Aliases under `alias/aws/` name AWS
managed keys; the snapshot keeps customer alias names only (AWS reserves that prefix),
so those are left out while the AWS managed keys themselves, and their key policies,
are kept. Grants are kept with the members a snapshot's grant takes.

Sources: https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html,
API_GetKeyPolicy.html (PolicyName `default`), API_ListAliases.html,
API_ListResourceTags.html, API_ListGrants.html and API_GrantListEntry.html;
https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html (alias/aws/).
"""

from __future__ import annotations

from typing import Any

from policy_engine.fetch.found import Found, json_document, plain, tag_map
from policy_engine.fetch.reader import Reader
from policy_engine.model.grants import KmsGrant

__all__ = ["fetch_kms", "grant_entry"]

_GRANT_MEMBERS = frozenset(KmsGrant.model_fields)


def grant_entry(listed: dict[str, Any]) -> dict[str, Any]:
    """A ListGrants entry with the members a snapshot grant has (dates as text)."""
    return {key: plain(value) for key, value in listed.items()
            if key in _GRANT_MEMBERS and value not in (None, {})}


def fetch_kms(reader: Reader) -> Found:
    found = Found()
    keys = reader.pages("list_keys", "Keys") or []
    aliases: dict[str, list[str]] = {}
    for alias in reader.pages("list_aliases", "Aliases") or []:
        name, target = alias.get("AliasName", ""), alias.get("TargetKeyId")
        if target and not name.startswith("alias/aws/"):
            aliases.setdefault(target, []).append(name)
    entries = []
    for key in sorted(keys, key=lambda k: k["KeyArn"]):
        key_id, arn = key["KeyId"], key["KeyArn"]
        policy = reader.call("get_key_policy", resource=arn, KeyId=key_id,
                             PolicyName="default")
        document = json_document((policy or {}).get("Policy"))
        if document is None:
            continue  # every key has a policy; without it the key cannot be judged
        entry: dict[str, Any] = {"arn": arn, "policy": document}
        if aliases.get(key_id):
            entry["aliases"] = sorted(aliases[key_id])
        tags = tag_map(reader.pages("list_resource_tags", "Tags", resource=arn, KeyId=key_id),
                       "TagKey", "TagValue")
        if tags:
            entry["tags"] = tags
        grants = reader.pages("list_grants", "Grants", resource=arn, KeyId=key_id) or []
        if grants:
            entry["grants"] = [grant_entry(g) for g in grants]
        entries.append(entry)
    found.extend("kms_keys", entries)
    return found

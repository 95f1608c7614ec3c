"""Secrets Manager: every secret's resource policy and tags — never its value.

ListSecrets carries the tags; GetResourcePolicy answers without `ResourcePolicy` when
none is attached. GetSecretValue is refused by the read-only guard.

Sources: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html,
API_GetResourcePolicy.html; https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html.
"""

from __future__ import annotations

from typing import Any

from policy_engine.fetch.found import Found, json_document, tag_map
from policy_engine.fetch.reader import Reader

__all__ = ["fetch_secrets"]


def fetch_secrets(reader: Reader) -> Found:
    found = Found()
    entries = []
    for secret in sorted(reader.pages("list_secrets", "SecretList") or [],
                         key=lambda s: s["ARN"]):
        arn = secret["ARN"]
        entry: dict[str, Any] = {"arn": arn}
        policy = reader.call("get_resource_policy", resource=arn, SecretId=arn)
        document = json_document((policy or {}).get("ResourcePolicy"))
        if document is not None:
            entry["policy"] = document
        tags = tag_map(secret.get("Tags"))
        if tags:
            entry["tags"] = tags
        entries.append(entry)
    found.extend("secretsmanager_secrets", entries)
    return found

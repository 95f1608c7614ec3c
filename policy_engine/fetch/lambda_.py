"""Lambda: functions with their resource-based policies and tags, and every layer
version with its layer version policy.

GetPolicy and GetLayerVersionPolicy answer ResourceNotFoundException when no policy is
set. The function's code and the layer's content are never read (GetFunction and
GetLayerVersion return presigned URLs; the read-only guard refuses them).

Sources: https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html,
API_GetPolicy.html, API_ListTags.html, API_ListLayers.html, API_ListLayerVersions.html,
API_GetLayerVersionPolicy.html; https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html.
"""

from __future__ import annotations

from typing import Any

from policy_engine.fetch.found import Found, json_document
from policy_engine.fetch.reader import Reader

__all__ = ["fetch_lambda"]

_NO_POLICY = ("ResourceNotFoundException",)


def fetch_lambda(reader: Reader) -> Found:
    found = Found()
    found.extend("lambda_functions", _functions(reader))
    found.extend("lambda_layer_versions", _layer_versions(reader))
    return found


def _functions(reader: Reader) -> list[dict[str, Any]]:
    entries = []
    functions = reader.pages("list_functions", "Functions") or []
    for arn in sorted(function["FunctionArn"] for function in functions):
        entry: dict[str, Any] = {"arn": arn}
        policy = reader.call("get_policy", absent=_NO_POLICY, resource=arn, FunctionName=arn)
        if json_document((policy or {}).get("Policy")) is not None:
            entry["policy"] = json_document(policy["Policy"])  # type: ignore[index]
        tags = (reader.call("list_tags", resource=arn, Resource=arn) or {}).get("Tags")
        if tags:
            entry["tags"] = dict(tags)
        entries.append(entry)
    return entries


def _layer_versions(reader: Reader) -> list[dict[str, Any]]:
    entries = []
    for layer in sorted(reader.pages("list_layers", "Layers") or [],
                        key=lambda layer: layer["LayerName"]):
        name = layer["LayerName"]
        versions = reader.pages("list_layer_versions", "LayerVersions", resource=name,
                                LayerName=name) or []
        for version in sorted(versions, key=lambda v: v["Version"]):
            entry: dict[str, Any] = {"arn": version["LayerVersionArn"]}
            policy = reader.call("get_layer_version_policy", absent=_NO_POLICY,
                                 resource=version["LayerVersionArn"], LayerName=name,
                                 VersionNumber=version["Version"])
            document = json_document((policy or {}).get("Policy"))
            if document is not None:
                entry["policy"] = document
            entries.append(entry)
    return entries

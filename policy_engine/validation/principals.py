"""Rules about `Principal` and `NotPrincipal` values, one checker per principal type.

Shapes from the Principal element page: `*` as text, or a block of `AWS` (account ids,
IAM/STS ARNs, unique ids), `Service`, `Federated` and, in S3 bucket policies only,
`CanonicalUser`. RCPs must use `"Principal": "*"` (RCP syntax page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from policy_engine.arn import PARTITIONS, is_account_id, is_service_principal
from policy_engine.errors import join_pointer
from policy_engine.model.kinds import (
    CANONICAL_USER,
    PRINCIPAL_KEYS,
    PRINCIPAL_RESOURCE_TYPES,
    PROVIDER_ARN,
    PROVIDER_HOST,
    UNIQUE_ID,
    KindRules,
    Quotas,
)
from policy_engine.validation.view import Finding, StatementView, as_strings, items
from policy_engine.validation.wording import a, clip


def principal_values(statement: StatementView, rules: KindRules,
                     quotas: Quotas) -> Iterator[Finding]:
    """The value of `Principal`, then of `NotPrincipal`."""
    for element in ("Principal", "NotPrincipal"):
        yield from _principal(statement.body.get(element), statement.at(element), rules)


def _principal(value: Any, pointer: str, rules: KindRules) -> Iterator[Finding]:
    if isinstance(value, str):
        if value != "*":
            yield Finding("invalid-principal", f"`{clip(value)}`: a principal given as text "
                          "must be `*`; name others in a block such as `{\"AWS\": \"…\"}`",
                          pointer)
        return
    if not isinstance(value, dict):
        return  # absent, or a type the model reports
    if rules.principal_star_only:
        yield Finding("kind-restriction", f"{a(rules.title)} must use `\"Principal\": \"*\"`",
                      pointer)
        return
    for key in PRINCIPAL_KEYS:
        if key not in value:
            continue
        if key == "CanonicalUser" and not rules.canonical_user:
            yield Finding("invalid-principal", "`CanonicalUser` principals exist only in S3 "
                          f"bucket policies, not in {a(rules.title)}", join_pointer(pointer, key))
            continue
        if as_strings(value[key]) is None:
            continue
        for item_pointer, text in items(value[key], join_pointer(pointer, key)):
            message = _PRINCIPAL_CHECKS[key](text)
            if message:
                yield Finding("invalid-principal", message, item_pointer)


_UNIQUE_ID = re.compile(UNIQUE_ID)
_HOSTNAME = re.compile(PROVIDER_HOST)
_CANONICAL_USER = re.compile(CANONICAL_USER)
_PROVIDER_ARN = re.compile(PROVIDER_ARN)
_IAM_PRINCIPAL_ARN = re.compile(r"arn:([a-z-]+):(iam|sts)::(\d{12}|cloudfront):(.+)")


def _aws_principal_problem(text: str) -> str | None:
    if text == "*" or is_account_id(text) or _UNIQUE_ID.fullmatch(text):
        return None
    if "*" in text or "?" in text:
        return (f"`{clip(text)}`: principals cannot use partial wildcards; use `*` alone, or "
                "`*` with a condition on `aws:PrincipalArn`")
    match = _IAM_PRINCIPAL_ARN.fullmatch(text)
    if not match or match.group(1) not in PARTITIONS:
        return (f"`{clip(text)}` is not an AWS principal: use an account id, an IAM or STS "
                "ARN such as `arn:aws:iam::123456789012:role/name`, or `*`")
    service, resource = match.group(2), match.group(4)
    kind = resource.split("/", 1)[0]
    if kind not in PRINCIPAL_RESOURCE_TYPES[service]:
        what = "user groups are never principals" if kind == "group" else (
            f"`{kind}` is not a principal type")
        return (f"`{clip(text)}`: {what}; name an account (`:root`), a user, a role, an "
                "assumed-role session or a federated user")
    return None


def _service_principal_problem(text: str) -> str | None:
    if text == "*":
        return "`\"Service\": \"*\"` is not allowed; name the service, e.g. `lambda.amazonaws.com`"
    if is_service_principal(text):
        return None
    return f"`{clip(text)}` is not a service principal (expected e.g. `lambda.amazonaws.com`)"


def _federated_principal_problem(text: str) -> str | None:
    if text == "*" or "*" in text:
        return f"`{clip(text)}`: federated principals cannot use wildcards"
    if _PROVIDER_ARN.fullmatch(text) or _HOSTNAME.fullmatch(text):
        return None
    return (f"`{clip(text)}` is not an identity provider: use an `oidc-provider`/`saml-provider` "
            "ARN or a provider such as `accounts.google.com`")


def _canonical_user_problem(text: str) -> str | None:
    if _CANONICAL_USER.fullmatch(text):
        return None
    return f"`{clip(text)}` is not a canonical user id (64 hexadecimal characters)"


_PRINCIPAL_CHECKS: Mapping[str, Callable[[str], str | None]] = {
    "AWS": _aws_principal_problem,
    "Service": _service_principal_problem,
    "Federated": _federated_principal_problem,
    "CanonicalUser": _canonical_user_problem,
}

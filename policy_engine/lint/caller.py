"""Who a resource-policy statement lets in: everyone, named accounts, and the conditions
that restrict the caller. One definition, shared by the resource-policy and trust rules.

A condition restricts the caller when it must hold for the statement to apply (not
negated, not `...IfExists`, not `ForAllValues:`) and names fixed values of a key that
identifies the caller's account, organization, network or source resource. The base is
S3's own list (`engine.s3_public.PINNING_KEYS`, the keys S3 accepts as making a bucket
policy non-public); the linter adds the keys AWS documents for the same purpose on other
resource policies (global condition keys page; KMS `kms:CallerAccount`):
`aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceOrgID`, `aws:PrincipalOrgPaths`,
`aws:SourceOrgPaths` and `kms:CallerAccount`. An ARN value pins the caller when its
account field is a fixed account id (`arn:aws:iam::111122223333:role/*`); an
organization path pins it when its organization id is fixed (`o-abc123/*`).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policy_engine.arn import is_account_id, split_arn
from policy_engine.engine.s3_public import PINNING_KEYS, is_fixed, limits_to
from policy_engine.lint.rule import StatementInView
from policy_engine.model.operators import (
    OperatorError,
    OperatorFamily,
    SetQualifier,
    parse_operator,
)
from policy_engine.model.policy import PrincipalMap, Statement
from policy_engine.validation.view import items

RESTRICTING_KEYS: Final = PINNING_KEYS | frozenset({
    "aws:principalaccount", "aws:principalarn", "aws:sourceorgid", "aws:principalorgpaths",
    "aws:sourceorgpaths", "kms:calleraccount",
})
_ARN_KEYS: Final = frozenset({"aws:principalarn", "aws:sourcearn"})
_ORG_PATH_KEYS: Final = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
# Keys present only for a signed request by an AWS principal (an anonymous caller has no
# ARN, account or organization; `aws:PrincipalType` and `aws:userid` do exist for it).
AUTHENTICATED_KEYS: Final = frozenset({
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid",
    "aws:principalorgpaths", "kms:calleraccount",
})
_NEGATED_MATCHING: Final = frozenset({"stringnotequals", "stringnotequalsignorecase",
                                      "stringnotlike", "arnnotequals", "arnnotlike"})


def value_pins(key: str, value: object) -> bool:
    """Whether one condition value names a fixed caller (see the module page)."""
    if is_fixed(value):
        return True
    if not isinstance(value, str) or "${" in value:
        return False
    if key in _ARN_KEYS:
        arn = split_arn(value)
        return arn is not None and is_account_id(arn.account)
    if key in _ORG_PATH_KEYS:
        organization = value.split("/", 1)[0]
        return organization.startswith("o-") and is_fixed(organization)
    return False


def restricts(operator: str, key: str, values: tuple[object, ...],
              keys: frozenset[str] = RESTRICTING_KEYS) -> bool:
    """Whether one condition restricts the caller to fixed values of one of `keys`."""
    return limits_to(operator, key, values, keys=keys, fixed=value_pins)


def restricting_conditions(statement: Statement,
                           keys: frozenset[str] = RESTRICTING_KEYS) -> list[str]:
    """The keys (as written) of the statement's conditions that restrict the caller."""
    return [key for operator, block in (statement.condition or {}).items()
            for key, values in block.items() if restricts(operator, key, values, keys)]


def requires_authenticated_caller(statement: Statement) -> bool:
    """Whether a condition can hold only for a signed request of some AWS principal: a
    positive operator on one of `AUTHENTICATED_KEYS` that must hold (a missing key makes
    it false), or `Null` false on one."""
    for operator, block in (statement.condition or {}).items():
        try:
            parsed = parse_operator(operator)
        except OperatorError:
            continue
        for key, values in block.items():
            if key.lower() not in AUTHENTICATED_KEYS or not values:
                continue
            if parsed.spec.family is OperatorFamily.NULL:
                if all(str(v).lower() == "false" for v in values):
                    return True
            elif (not parsed.spec.negated and not parsed.if_exists
                  and parsed.set_qualifier is not SetQualifier.FOR_ALL_VALUES):
                return True
    return False


def grants_to_everyone(statement: Statement) -> bool:
    """An Allow whose Principal is `*` or lists `{"AWS": "*"}` (NotPrincipal with Allow
    never grants)."""
    principal = statement.principal
    if not statement.is_allow or principal is None:
        return False
    return principal == "*" or (isinstance(principal, PrincipalMap) and principal.is_everyone)


def everyone_pointer(entry: StatementInView) -> str:
    """The pointer of the `*` in the statement's Principal."""
    body = entry.view.body.get("Principal")
    if isinstance(body, dict):
        for pointer, text in items(body.get("AWS"), entry.at("Principal", "AWS")):
            if text == "*":
                return pointer
    return entry.at("Principal")


def aws_principals(entry: StatementInView) -> Iterator[tuple[str, str]]:
    """(pointer, text) of each `AWS` principal of the statement."""
    body = entry.view.body.get("Principal")
    if body == "*":
        yield entry.at("Principal"), "*"
    elif isinstance(body, dict):
        yield from items(body.get("AWS"), entry.at("Principal", "AWS"))


def federated_principals(entry: StatementInView) -> Iterator[tuple[str, str]]:
    body = entry.view.body.get("Principal")
    if isinstance(body, dict):
        yield from items(body.get("Federated"), entry.at("Principal", "Federated"))


def principal_account(text: str) -> str | None:
    """The account an `AWS` principal names (account id, root, user, role or session
    ARN); None for `*`, unique ids and anything else."""
    if is_account_id(text):
        return text
    arn = split_arn(text)
    if arn is not None and arn.service in ("iam", "sts") and is_account_id(arn.account):
        return arn.account
    return None


def subject_account(subject: str | None) -> str | None:
    """The account of the resource that carries the policy, when its ARN is known."""
    if not subject:
        return None
    arn = split_arn(subject)
    return arn.account if arn is not None and is_account_id(arn.account) else None


def denies_unless_restricted(statement: Statement) -> bool:
    """A Deny to everyone whose only condition is one negated restriction with fixed
    values (`StringNotEquals aws:PrincipalOrgID o-…`): every caller outside the named
    ones is refused, whatever the Allow statements say."""
    principal = statement.principal
    if statement.is_allow or not (principal == "*" or (
            isinstance(principal, PrincipalMap) and principal.is_everyone)):
        return False
    pairs = [(operator, key, values) for operator, block in (statement.condition or {}).items()
             for key, values in block.items()]
    if len(pairs) != 1:
        return False
    operator, key, values = pairs[0]
    qualifier, _, name = operator.lower().rpartition(":")
    base = name.removesuffix("ifexists")
    if qualifier or not values:
        return False
    key = key.lower()
    if key == "aws:sourceip":
        return base == "notipaddress" and restricts("IpAddress", key, values)
    return (base in _NEGATED_MATCHING and key in RESTRICTING_KEYS
            and all(value_pins(key, v) for v in values))

"""Hypothesis strategies: valid policy documents per kind, and policy-shaped junk.

Valid documents follow the rules in `policy_engine.model.kinds` (and stay far below every
size quota); the junk strategies mix real element names with arbitrary JSON values so
that the validator's deeper paths are reached.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from policy_engine.model.kinds import (
    DEFAULT_QUOTAS,
    DOCUMENT_ELEMENTS,
    PRINCIPAL_KEYS,
    STATEMENT_ELEMENTS,
    Counted,
    PolicyKind,
    Presence,
    SidRule,
    rules_for,
)

ACCOUNT = "123456789012"
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                min_size=1, max_size=8)
services = st.sampled_from(["s3", "ec2", "iam", "sqs", "sns", "kms", "lambda", "sts",
                            "secretsmanager", "ecr", "execute-api"])


@st.composite
def actions(draw: st.DrawFn, bare_star: bool = True) -> str:
    if bare_star and draw(st.booleans()) and draw(st.booleans()):
        return "*"
    name = draw(st.sampled_from(["*", "Get*", "List*", "PutObject", "Describe?nstances"]) | words)
    return f"{draw(services)}:{name}"


@st.composite
def resources(draw: st.DrawFn, variables: bool) -> str:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return "*"
    if choice == 1:
        return f"arn:aws:s3:::{draw(words).lower()}/*"
    if choice == 2:
        return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{draw(words)}"
    if choice == 3 and variables:
        return "arn:aws:s3:::bucket/${aws:username}/*"
    return f"arn:aws-cn:iam::{ACCOUNT}:user/{draw(words)}"


aws_principals = st.sampled_from([
    "*", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:role/path/app", f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1",
    "AROAEXAMPLEID12345678",
])
service_principals = st.sampled_from(["lambda.amazonaws.com", "s3.amazonaws.com",
                                      "logs.us-east-1.amazonaws.com"])
federated_principals = st.sampled_from([
    "accounts.google.com", f"arn:aws:iam::{ACCOUNT}:saml-provider/corp",
    f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
])
canonical_users = st.just("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be")


def one_or_many(values: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[Any]:
    return values | st.lists(values, min_size=1, max_size=max_size)


@st.composite
def principals(draw: st.DrawFn, kind: PolicyKind) -> Any:
    rules = rules_for(kind)
    if rules.principal_star_only or draw(st.integers(0, 5)) == 0:
        return "*"
    block: dict[str, Any] = {}
    options = [("AWS", aws_principals), ("Service", service_principals),
               ("Federated", federated_principals)]
    if rules.canonical_user:
        options.append(("CanonicalUser", canonical_users))
    for key, values in draw(st.lists(st.sampled_from(options), min_size=1, max_size=2,
                                     unique_by=lambda o: o[0])):
        block[key] = draw(one_or_many(values, 2))
    return block


CONDITIONS: dict[str, tuple[str, st.SearchStrategy[Any]]] = {
    "StringEquals": ("aws:PrincipalTag/team", one_or_many(words)),
    "ForAnyValue:StringLike": ("aws:TagKeys", one_or_many(st.just("env*"))),
    "StringNotEqualsIfExists": ("aws:RequestedRegion", st.just("us-east-1")),
    "NumericLessThan": ("s3:max-keys", st.integers(0, 1000) | st.just("10")),
    "DateGreaterThan": ("aws:CurrentTime", st.just("2020-01-01T00:00:00Z")),
    "Bool": ("aws:SecureTransport", st.booleans() | st.just("false")),
    "IpAddress": ("aws:SourceIp", one_or_many(st.just("203.0.113.0/24"))),
    "ArnLike": ("aws:SourceArn", st.just("arn:aws:s3:::bucket-*")),
    "Null": ("aws:TokenIssueTime", st.just("true")),
    "BinaryEquals": ("aws:SomeBinary", st.just("QmluYXJ5VmFsdWU=")),
}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(sorted(CONDITIONS)), min_size=1, max_size=2,
                           unique=True))
    return {op: {CONDITIONS[op][0]: draw(CONDITIONS[op][1])} for op in chosen}


def _limit(kind: PolicyKind, counted: Counted, default: int) -> int:
    found = [r.limit(DEFAULT_QUOTAS) for r in rules_for(kind).counts if r.counted is counted]
    return min([default, *found])


@st.composite
def statements(draw: st.DrawFn, kind: PolicyKind, variables: bool, sid: str | None) -> dict:
    rules = rules_for(kind)
    effect = draw(st.sampled_from(sorted(rules.effects)))
    body: dict[str, Any] = {}
    if sid is not None:
        body["Sid"] = sid
    body["Effect"] = effect
    if rules.principal is Presence.REQUIRED:
        body["Principal"] = draw(principals(kind))
    action_key = "Action" if not rules.not_action or draw(st.integers(0, 3)) else "NotAction"
    body[action_key] = draw(one_or_many(actions(rules.bare_star_action),
                                        _limit(kind, Counted.ACTIONS, 3)))
    if rules.resource is not Presence.FORBIDDEN and (
            rules.resource is Presence.REQUIRED or draw(st.booleans())):
        key = "Resource" if draw(st.integers(0, 3)) else "NotResource"
        item = resources(variables)
        body[key] = draw(one_or_many(item, _limit(kind, Counted.RESOURCES, 3)))
    if draw(st.booleans()):
        body["Condition"] = draw(conditions())
    return body


@st.composite
def valid_documents(draw: st.DrawFn, kind: PolicyKind) -> dict[str, Any]:
    rules = rules_for(kind)
    document: dict[str, Any] = {}
    version = draw(st.sampled_from(["2012-10-17", "2008-10-17", None]))
    if rules.version is Presence.REQUIRED:
        version = "2012-10-17"
    if version is not None:
        document["Version"] = version
    if rules.policy_id is not Presence.FORBIDDEN and draw(st.booleans()):
        document["Id"] = draw(words)
    count = draw(st.integers(1, 3))
    sid_words = words if rules.sid is SidRule.ALPHANUMERIC else st.sampled_from(
        ["Allow read", "Key admins", "x-1"]) | words
    sids = draw(st.lists(sid_words, min_size=count, max_size=count, unique=True))
    items = [draw(statements(kind, version == "2012-10-17",
                             sid if draw(st.booleans()) else None)) for sid in sids]
    document["Statement"] = items[0] if count == 1 and draw(st.booleans()) else items
    order = draw(st.permutations(list(document)))
    return {key: document[key] for key in order}


@st.composite
def kinds_and_documents(draw: st.DrawFn) -> tuple[PolicyKind, dict[str, Any]]:
    kind = draw(st.sampled_from(list(PolicyKind)))
    return kind, draw(valid_documents(kind))


# ------------------------------------------------------------------------------- junk

json_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _shaped(keys: tuple[str, ...], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=6), values, max_size=6)


operator_names = st.sampled_from(["StringEquals", "ForAllValues:StringLike", "NumericLessThan",
                                  "NullIfExists", "Bool", "IpAddress", "Foo", "DateEquals"])
condition_blocks = st.dictionaries(
    operator_names | st.text(max_size=6),
    st.dictionaries(st.sampled_from(["aws:SourceIp", "x", "aws:TagKeys"]) | st.text(max_size=6),
                    json_values, max_size=3) | json_values,
    max_size=3,
)
statement_values = (json_values | st.sampled_from(["*", "Allow", "Deny", "s3:GetObject",
                                                   "arn:aws:s3:::b/*", "${aws:username}"])
                    | _shaped(PRINCIPAL_KEYS, one_or_many(aws_principals | json_scalars))
                    | condition_blocks)
policy_shaped = _shaped(
    DOCUMENT_ELEMENTS,
    json_values | st.sampled_from(["2012-10-17", "2008-10-17"])
    | one_or_many(_shaped(STATEMENT_ELEMENTS, statement_values), 3),
)


# -------------------------------------------------------------------- near-valid documents

INTERESTING = st.sampled_from([
    "*", "", " ", "Allow", "Deny", "allow", "s3:GetObject", "s3:", ":x", "s3*:Get",
    "arn:aws:s3:::b", "arn:aws:s3*:::b", "arn:aws:s3", "arn:aws:s3:*", "arn:aws",
    "arn:aws:iam::123456789012:group/g",
    "arn:aws:iam::123456789012:user/*", "123456789012", "12345", "lambda.amazonaws.com",
    "${aws:username}", "${aws:username", "arn:aws:s3:::b/${aws:username}",
    "arn:aws:${aws:x}:::b", "2012-10-17", "2008-10-17", "10.0.0.0/33", "::1/128", "abc", "1e3",
    "true", "TRUE", "2020-13-45", "x€", "a\u0000b", "Sid 1", "StringEquals", "ForAnyValue:Null",
    "NumericEqualsIfExists", "aws:SourceIp", "bad key",
]) | st.integers(-5, 5) | st.booleans() | st.none() | st.just([]) | st.just({}) | st.just(["*"])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


def _delete(value: Any, path: tuple[Any, ...]) -> Any:
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != head}
        return [v for i, v in enumerate(value) if i != head]
    if isinstance(value, dict):
        return {k: (_delete(v, rest) if k == head else v) for k, v in value.items()}
    return [(_delete(v, rest) if i == head else v) for i, v in enumerate(value)]


@st.composite
def near_valid_documents(draw: st.DrawFn) -> tuple[PolicyKind, Any]:
    """A valid document of some kind with one to three random edits."""
    kind, document = draw(kinds_and_documents())
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        action = draw(st.integers(0, 3))
        if action == 0 and path:
            document = _delete(document, path)
        elif action == 1:
            target = _get(document, path)
            if isinstance(target, dict):
                key = draw(st.sampled_from([*STATEMENT_ELEMENTS, *DOCUMENT_ELEMENTS,
                                            *PRINCIPAL_KEYS, "Foo"]) | INTERESTING.filter(
                                                lambda v: isinstance(v, str)))
                document = _replace(document, path, {**target, key: draw(INTERESTING)})
            else:
                document = _replace(document, path, draw(INTERESTING))
        else:
            document = _replace(document, path, draw(INTERESTING))
    return kind, document


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value

"""Parse tree of `grammar.lark` -> `Question`, `Assertion` and their parts.

The grammar decides the shape; this module checks what a grammar cannot say well (a
12-digit account, an ARN the engine accepts, no wildcard in an action, no condition key
given twice) and types the values. A check that fails raises `InvalidInput` with the
line and column of the offending token; the parser turns it into a `WhatIfSyntaxError`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from policy_engine.arn import arn_account, arn_segments, is_account_id, parse_arn, split_arn
from policy_engine.engine.request import PrincipalType, parse_principal
from policy_engine.errors import ArnError
from policy_engine.whatif.model import (
    EXPECTATION_ALIASES,
    EXPECTATIONS,
    Assertion,
    ContextValue,
    PrincipalRef,
    Question,
    Scalar,
)

# Unquoted values that are typed; everything else (and anything quoted) is a string. A
# number with a leading zero stays a string: `012345678901` is an account id, not 12345678901.
INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")
_BOOLEANS = {"true": True, "false": False}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}

# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (names, paths)
# https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (session names)
_IAM_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
_PATH_SEGMENT = re.compile(r"[\x21-\x2e\x30-\x7e]+")
_SESSION_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{2,64}")
_CONTEXT_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*:\S.*", re.DOTALL)


class InvalidInput(Exception):
    """A well-formed item that says something impossible, at `line`:`column`."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class _Located:
    """A value and where it was written (for checks made after the rule that read it)."""

    value: Any
    line: int
    column: int


def _fail(message: str, where: Token | Meta | _Located) -> InvalidInput:
    return InvalidInput(message, where.line, where.column)  # type: ignore[arg-type]


def unquote(token: Token) -> str:
    """The text of a `"..."` token, escapes (`\\"`, `\\\\`, `\\n`, `\\r`, `\\t`) applied."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1]
            if escaped not in _ESCAPES:
                raise InvalidInput(
                    f"unknown escape `\\{escaped}` in a quoted string (the escapes are "
                    '`\\"`, `\\\\`, `\\n`, `\\r` and `\\t`)',
                    token.line, token.column + 1 + index)  # type: ignore[operator]
            out.append(_ESCAPES[escaped])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _scalar(token: Token) -> Scalar:
    if token.type == "STRING":
        return unquote(token)
    text = str(token)
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return text


def _account(text: str, where: Token) -> str:
    if not is_account_id(text):
        raise _fail(f"`{text}` is not an account id (12 digits expected)", where)
    return text


def _principal_ref(token: Token) -> PrincipalRef:
    text = str(token)
    match token.type:
        case "ANONYMOUS":
            return PrincipalRef(text, None, "anonymous")
        case "SERVICE_PRINCIPAL":
            return PrincipalRef(text, None, "service")
        case "ROOT_REF":
            account = text.rpartition(":")[0]
            return PrincipalRef(text, _account(account, token) if account else None, "root")
        case "IAM_REF":
            return _iam_ref(text, token)
    return _arn_ref(text, token)


def _iam_ref(text: str, token: Token) -> PrincipalRef:
    account: str | None = None
    rest = text
    if text[0].isdigit():
        prefix, _, rest = text.partition(":")
        account = _account(prefix, token)
    kind, _, tail = rest.partition("/")
    *segments, name = tail.split("/")
    if not _IAM_NAME.fullmatch(name):
        raise _fail(f"`{text}` does not end in a valid {kind} name (1 to 64 letters, digits "
                    "and `+=,.@_-`)", token)
    if any(not _PATH_SEGMENT.fullmatch(segment) for segment in segments):
        raise _fail(f"`{text}` has an empty or invalid path segment", token)
    path = "/" + "".join(segment + "/" for segment in segments) if segments else None
    return PrincipalRef(text, account, kind, name=name, path=path)  # type: ignore[arg-type]


def _arn_ref(text: str, token: Token) -> PrincipalRef:
    try:
        caller = parse_principal(text)
    except ArnError as error:
        raise _fail(error.problems[0].message, token) from None
    name, path, session = caller.name, None, caller.session_name
    if caller.type in {PrincipalType.USER, PrincipalType.ROLE_SESSION} and session is None:
        segments = arn_segments(text)[5].split("/")[1:-1]
        path = "/" + "".join(segment + "/" for segment in segments) if segments else None
    if caller.type is PrincipalType.FEDERATED_USER:
        session = None
    return PrincipalRef(text, caller.account, "arn", name=name, path=path,
                        session_name=session)


def _is_role(ref: PrincipalRef) -> bool:
    if ref.kind == "role":
        return True
    arn = split_arn(ref.text) if ref.kind == "arn" else None
    return arn is not None and arn.service == "iam" and arn.resource.startswith("role/")


def resource_problem(text: str) -> str | None:
    """Why `text` cannot be the resource of a question (a message), or None when it can.

    The command-line arguments that take a resource check it with this too, so a bad one
    gets the same message everywhere.
    """
    if text == "*":
        return None
    if "${" in text:
        return f"`{text}` contains a policy variable; a question names one concrete resource"
    try:
        parse_arn(text)
    except ArnError as error:
        return error.problems[0].message + " (expected a resource ARN or `*`)"
    return None


def _resource(text: str, where: Token) -> str:
    problem = resource_problem(text)
    if problem is not None:
        raise _fail(problem, where)
    return text


def _expectation(token: Token) -> str:
    word = str(token)
    normal = EXPECTATION_ALIASES.get(word)
    if normal is not None:
        return normal
    choices = list(EXPECTATION_ALIASES)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6) or [
        c for c in choices if c.lower() == word.lower()]
    hint = f" (did you mean `{EXPECTATION_ALIASES[close[0]]}`?)" if close else ""
    raise _fail(f"unknown expectation `{word}`: expected {', '.join(EXPECTATIONS[:-1])} or "
                f"{EXPECTATIONS[-1]}{hint}", token)


class WhatIfTransformer(Transformer[Token, Any]):
    """Builds typed items; `text` is the parsed source, for each item's `text`."""

    def __init__(self, text: str) -> None:
        super().__init__(visit_tokens=False)
        self._text = text

    def _slice(self, meta: Meta) -> str:
        return self._text[meta.start_pos:meta.end_pos]

    # -------------------------------------------------------------- items

    def script(self, items: list[Question | Assertion | None]) -> tuple[Any, ...]:
        return tuple(item for item in items if item is not None)

    @v_args(meta=True)
    def assertion(self, meta: Meta, children: list[Any]) -> Assertion:
        word, question = children
        return Assertion(_expectation(word), question, meta.line, meta.column,
                         self._slice(meta))

    @v_args(meta=True)
    def long_question(self, meta: Meta, children: list[Any]) -> Question:
        return self._question(meta, children)

    @v_args(meta=True)
    def short_question(self, meta: Meta, children: list[Any]) -> Question:
        return self._question(meta, children)

    def _question(self, meta: Meta, children: list[Any]) -> Question:
        principal, action, resource, *tail = children
        account: _Located | None = None
        context: dict[str, ContextValue] = {}
        for part in tail:
            if isinstance(part, _Located):
                account = part
            else:
                context = part
        if account is not None:
            in_arn = arn_account(resource) or ""
            if is_account_id(in_arn) and in_arn != account.value:
                raise _fail(f"`in account {account.value}` contradicts the account "
                            f"`{in_arn}` in the resource ARN", account)
        return Question(principal, action, resource,
                        account.value if account else None, context,
                        meta.line, meta.column, self._slice(meta))

    # -------------------------------------------------------------- parts

    def principal(self, children: list[Any]) -> PrincipalRef:
        token, *session = children
        ref = _principal_ref(token)
        if not session:
            return ref
        name: _Located = session[0]
        if not _is_role(ref):
            raise _fail(f"`as session` follows a role; `{ref.text}` is not a role", name)
        return PrincipalRef(ref.text, ref.account, ref.kind, ref.name, ref.path, name.value)

    @v_args(meta=True)
    def session(self, meta: Meta, children: list[Token]) -> _Located:
        (token,) = children
        if not _SESSION_NAME.fullmatch(token):
            raise _fail(f"`{token}` is not a valid session name (2 to 64 letters, digits "
                        "and `+=,.@_-`)", token)
        return _Located(str(token), meta.line, meta.column)

    def action(self, children: list[Token]) -> str:
        (token,) = children
        if "*" in token or "?" in token:
            raise _fail(f"wildcards are not allowed in a question's action: `{token}` stands "
                        "for many actions; ask about one, like `s3:GetObject`", token)
        return str(token)

    def resource(self, children: list[Token]) -> str:
        (token,) = children
        text = unquote(token) if token.type == "STRING" else str(token)
        return _resource(text, token)

    @v_args(meta=True)
    def account(self, meta: Meta, children: list[Token]) -> _Located:
        (token,) = children
        return _Located(_account(str(token), token), meta.line, meta.column)

    def when(self, conditions: list[tuple[_Located, ContextValue]]) -> dict[str, ContextValue]:
        context: dict[str, ContextValue] = {}
        seen: set[str] = set()
        for key, value in conditions:
            folded = key.value.lower()
            if folded in seen:
                raise _fail(f"condition key `{key.value}` is given twice (keys are "
                            "case-insensitive); give one list `[a, b]` for several values",
                            key)
            seen.add(folded)
            context[key.value] = value
        return context

    def condition(self, children: list[Any]) -> tuple[_Located, ContextValue]:
        key, value = children
        return key, value

    def key(self, children: list[Token]) -> _Located:
        (token,) = children
        text = unquote(token) if token.type == "STRING" else str(token)
        if not _CONTEXT_KEY.fullmatch(text):
            raise _fail(f"`{text}` is not a condition key (expected service:name, like "
                        "`aws:SourceIp`)", token)
        return _Located(text, token.line, token.column)  # type: ignore[arg-type]

    def scalar(self, children: list[Token]) -> Scalar:
        (token,) = children
        return _scalar(token)

    def list(self, children: list[Scalar | None]) -> tuple[Scalar, ...]:
        return tuple(value for value in children if value is not None)

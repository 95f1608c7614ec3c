"""What-if text -> `Script` / `Question`, and back.

The grammar (`grammar.lark`, beside this module) is compiled once per process, LALR with
the contextual lexer, positions propagated, and nothing written to disk. Every failure is
a `WhatIfSyntaxError` with the line, the column, a message that says in words what was
expected, and `caret_text`: the offending line with a caret under the column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.whatif.model import Assertion, PrincipalRef, Question, Scalar, Script
from policy_engine.whatif.transformer import (
    DECIMAL,
    INTEGER,
    InvalidInput,
    WhatIfTransformer,
)

Form = Literal["long", "short"]


class WhatIfSyntaxError(PolicyEngineError):
    """A what-if expression or assertion file that cannot be read.

    Carries one `Problem` (code `syntax-error`, with line and column) and `caret_text`:
    the offending line and a caret under the column, ready to print under `one_line()`.
    """

    def __init__(self, problem: Problem, caret_text: str) -> None:
        super().__init__(problem, source=problem.source)
        self.caret_text = caret_text

    @property
    def problem(self) -> Problem:
        return self.problems[0]

    @property
    def line(self) -> int:
        return self.problem.line or 1

    @property
    def column(self) -> int:
        return self.problem.column or 1

    def pretty(self) -> str:
        """`source:line:column: message`, the line, and the caret."""
        return f"{self.one_line()}\n{self.caret_text}"


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark.open_from_package(
        "policy_engine.whatif", "grammar.lark", parser="lalr", lexer="contextual",
        propagate_positions=True, start="script", maybe_placeholders=True,
    )


# ------------------------------------------------------------------------------ parsing


def parse_script(text: str, *, source: str = "<script>") -> Script:
    """Every question and assertion in `text`, one per line (`\\` at a line's end continues it;
    `#` starts a comment; blank lines are skipped)."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, source) from None
    return Script(_transform(tree, text, source), source)


def parse_question(text: str, *, source: str = "<expr>") -> Question:
    """Exactly one question (comments and blank lines around it are fine)."""
    items = parse_script(text, source=source).items
    if not items:
        raise _error("expected a question (`can PRINCIPAL do ACTION on RESOURCE`), found "
                     "nothing", text, source, 1, 1)
    first = items[0]
    if isinstance(first, Assertion):
        raise _error("expected a question, found an assertion: `expect` belongs in "
                     "assertion files; give the question alone", text, source,
                     first.line, first.column)
    if len(items) > 1:
        extra = items[1]
        raise _error("expected one question, found a second one; ask one question at a time",
                     text, source, extra.line, extra.column)
    return first


def _transform(tree: Tree[Token], text: str, source: str) -> tuple[Question | Assertion, ...]:
    try:
        return WhatIfTransformer(text).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidInput):
            invalid = error.orig_exc
            raise _error(invalid.message, text, source, invalid.line, invalid.column) from None
        raise


# ------------------------------------------------------------------------------ errors

_PRINCIPALS = frozenset({"ANONYMOUS", "ROOT_REF", "IAM_REF", "PRINCIPAL_ARN",
                         "SERVICE_PRINCIPAL"})
_END = frozenset({"_NL", "$END"})
# What each terminal is called in a message, in the order a question is written. A group
# absorbs the terminals it already describes (a resource may be a quoted string, ...).
_WORDS: tuple[tuple[frozenset[str], str, frozenset[str]], ...] = (
    (frozenset({"_CAN"}), "`can`", frozenset()),
    (frozenset({"_EXPECT"}), "`expect`", frozenset()),
    (_PRINCIPALS, "a principal (like `user/NAME`, `role/NAME`, `ACCOUNT:role/NAME`, an ARN, "
                  "a service principal, `root` or `*`)", frozenset()),
    (frozenset({"EXPECTATION"}), "an expected decision (allowed, denied, explicitDeny or "
                                 "implicitDeny)", frozenset()),
    (frozenset({"COLON"}), "`:`", frozenset()),
    (frozenset({"_AS"}), "`as session NAME`", frozenset()),
    (frozenset({"_SESSION"}), "`session`", frozenset()),
    (frozenset({"SESSION_NAME"}), "a session name", frozenset()),
    (frozenset({"_DO"}), "`do`", frozenset()),
    (frozenset({"ACTION"}), "an action (like `s3:GetObject`)", frozenset()),
    (frozenset({"_ON"}), "`on`", frozenset()),
    (frozenset({"RESOURCE"}), "a resource (an ARN or `*`)", frozenset({"STRING"})),
    (frozenset({"_IN"}), "`in account ACCOUNT`", frozenset()),
    (frozenset({"_ACCOUNT"}), "`account`", frozenset()),
    (frozenset({"ACCOUNT_ID"}), "a 12-digit account id", frozenset()),
    (frozenset({"_WHEN"}), "`when`", frozenset()),
    (frozenset({"CONTEXT_KEY"}), "a condition key (like `aws:SourceIp`)",
     frozenset({"STRING"})),
    (frozenset({"EQUAL"}), "`=`", frozenset()),
    (frozenset({"BARE_VALUE"}), "a value (a word, a number, a quoted string or a `[list]`)",
     frozenset({"STRING", "LSQB"})),
    (frozenset({"_AND"}), "`and`", frozenset()),
    (frozenset({"COMMA"}), "`,`", frozenset()),
    (frozenset({"RSQB"}), "`]`", frozenset()),
    (frozenset({"STRING"}), "a quoted string", frozenset()),
    (frozenset({"LSQB"}), "`[`", frozenset()),
    (_END, "the end of the line", frozenset()),
)


def describe_expected(names: Iterable[str]) -> str:
    """`{'_DO', '_AS'}` -> "`as session NAME` or `do`", in the order items are written."""
    left = set(names) - {"WS", "COMMENT", "LINE_CONTINUATION"}
    phrases: list[str] = []
    for members, phrase, absorbs in _WORDS:
        if left & members:
            phrases.append(phrase)
            left -= members | absorbs
    phrases.extend(f"`{name}`" for name in sorted(left))
    if len(phrases) <= 1:
        return "".join(phrases) or "nothing more"
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _syntax_error(error: UnexpectedInput, text: str, source: str) -> WhatIfSyntaxError:
    expected = _expected(error)
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        if text[position] == '"' and "STRING" in expected:
            return _error('unterminated string: the closing `"` is missing before the end of '
                          "the line", text, source, error.line, error.column)
        message = f"expected {describe_expected(expected)}, found `{_word_at(text, position)}`"
        if text[position] == "\\":
            message += "; a `\\` outside quotes continues a line and must end it"
        return _error(message, text, source, error.line, error.column)
    assert isinstance(error, UnexpectedToken)
    token = error.token
    if token.type in _END:
        line, column = _after_last_token(error, text)
        return _error(f"expected {describe_expected(expected)}, found the end of the line",
                      text, source, line, column)
    position = token.start_pos or 0
    return _error(f"expected {describe_expected(expected)}, found `{_word_at(text, position)}`",
                  text, source, token.line or 1, token.column or 1)


def _expected(error: UnexpectedInput) -> set[str]:
    """The terminals the parser can take at the error, simulated from its state.

    The sets lark reports are those of an LALR state, whose lookaheads are merged across
    contexts (after a principal, `do` belongs to the long form only); `accepts()` tries
    each one, so the message names only what would really be read.
    """
    parser = getattr(error, "interactive_parser", None)
    if parser is not None:
        accepted = set(parser.accepts())
        if accepted:
            return accepted
    if isinstance(error, UnexpectedCharacters):
        return set(error.allowed or ())
    return set(getattr(error, "expected", ()) or ())


def _after_last_token(error: UnexpectedToken, text: str) -> tuple[int, int]:
    """Where a missing word should have been: just after the last thing read."""
    stack = error.interactive_parser.parser_state.value_stack if error.interactive_parser \
        else []
    for value in reversed(stack):
        end = value.end_pos if isinstance(value, Token) else getattr(value.meta, "end_pos", None)
        if end is not None:
            return _line_column(text, end)
    return _line_column(text, error.token.start_pos or 0)


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _word_at(text: str, position: int) -> str:
    match = re.compile(r"\S+").match(text, position)
    word = match.group() if match else text[position:position + 1]
    return word if len(word) <= 40 else word[:39] + "…"


def caret_text(text: str, line: int, column: int) -> str:
    """The line `line` of `text` and, under it, a caret at `column` (tabs kept aligned)."""
    lines = text.split("\n")
    shown = lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""
    pad = "".join("\t" if char == "\t" else " " for char in shown[:column - 1])
    return f"{shown}\n{pad.ljust(column - 1)}^"


def _error(message: str, text: str, source: str, line: int, column: int) -> WhatIfSyntaxError:
    problem = Problem(code="syntax-error", message=message, line=line, column=column,
                      source=source)
    return WhatIfSyntaxError(problem, caret_text(text, line, column))


# ------------------------------------------------------------------------------ rendering


@lru_cache(maxsize=8)
def _terminal(name: str) -> re.Pattern[str]:
    return re.compile(_parser().get_terminal(name).pattern.to_regexp())


def _quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _bare_or_quoted(text: str, terminal: str) -> str:
    return text if _terminal(terminal).fullmatch(text) else _quote(text)


def render_value(value: Scalar | tuple[Scalar, ...]) -> str:
    """A context value as the grammar reads it back with the same type."""
    if isinstance(value, tuple):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"`{value}` has no what-if spelling")
        digits = format(Decimal(repr(value)), "f")
        return digits if "." in digits else digits + ".0"
    if value in {"true", "false"} or INTEGER.fullmatch(value) or DECIMAL.fullmatch(value):
        return _quote(value)
    return _bare_or_quoted(value, "BARE_VALUE")


def render_principal(principal: PrincipalRef) -> str:
    if principal.session_name is None or principal.session_in_text:
        return principal.text
    return f"{principal.text} as session {principal.session_name}"


def render_question(question: Question, *, form: Form = "long") -> str:
    """The question in one line; `parse_question` of it gives an equal question."""
    who = render_principal(question.principal)
    what = _bare_or_quoted(question.resource, "RESOURCE")
    if form == "long":
        text = f"can {who} do {question.action} on {what}"
    else:
        text = f"{who} {question.action} {what}"
    if question.resource_account is not None:
        text += f" in account {question.resource_account}"
    if question.context:
        text += " when " + " and ".join(
            f"{_bare_or_quoted(key, 'CONTEXT_KEY')} = {render_value(value)}"
            for key, value in question.context.items())
    return text


def render_assertion(assertion: Assertion, *, form: Form = "short") -> str:
    return f"expect {assertion.expected}: {render_question(assertion.question, form=form)}"

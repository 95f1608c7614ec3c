"""Policy variable syntax: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
Variables exist only under Version 2012-10-17; elsewhere `${...}` is literal text. This
module splits a policy string into its parts; rendering against a request is the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SPECIAL_CHARACTERS = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-cased context key
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Literal:
    """Text that came from `${*}`/`${?}`/`${$}`: never a wildcard."""

    text: str


TemplatePart = str | Variable | Literal


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into plain text, variables and escaped literals."""

    source: str
    parts: tuple[TemplatePart, ...]

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    @property
    def variable_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts if isinstance(p, Variable))


class VariableProblem(StrEnum):
    UNCLOSED = "unclosed"
    EMPTY = "empty"
    UNQUOTED_DEFAULT = "unquoted-default"


class VariableSyntaxError(ValueError):
    """`${` without a closing brace, or an empty or malformed variable."""

    def __init__(self, text: str, problem: VariableProblem) -> None:
        self.text = text
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.problem is VariableProblem.UNCLOSED:
            return f"`{self.text}` opens a policy variable `${{` that is not closed"
        if self.problem is VariableProblem.EMPTY:
            return f"`{self.text}` has an empty policy variable"
        return (f"`{self.text}`: a variable default must be in single quotes, as in "
                "`${aws:PrincipalTag/team, 'none'}`")


def compile_template(text: str, *, variables_enabled: bool) -> Template:
    if not variables_enabled or "${" not in text:
        return Template(text, (text,))
    parts: list[TemplatePart] = []
    position = 0
    while True:
        start = text.find("${", position)
        if start < 0:
            break
        end = text.find("}", start + 2)
        if end < 0:
            raise VariableSyntaxError(text, VariableProblem.UNCLOSED)
        if start > position:
            parts.append(text[position:start])
        parts.append(_parse_variable(text[start + 2 : end], text))
        position = end + 1
    if position < len(text):
        parts.append(text[position:])
    return Template(text, tuple(parts))


def variable_problem(text: str) -> str | None:
    """The syntax problem of a policy string with variables, as a message; None if fine."""
    if "${" not in text:
        return None
    try:
        compile_template(text, variables_enabled=True)
    except VariableSyntaxError as error:
        return error.message
    return None


def _parse_variable(body: str, whole: str) -> TemplatePart:
    if body in SPECIAL_CHARACTERS:
        return Literal(SPECIAL_CHARACTERS[body])
    key, comma, default = body.partition(",")
    key = key.strip()
    if not key:
        raise VariableSyntaxError(whole, VariableProblem.EMPTY)
    if not comma:
        return Variable(key.lower())
    default = default.strip()
    if len(default) < 2 or default[0] != "'" or default[-1] != "'":
        raise VariableSyntaxError(whole, VariableProblem.UNQUOTED_DEFAULT)
    return Variable(key.lower(), default[1:-1])

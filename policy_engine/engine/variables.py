"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
Variables exist only under Version 2012-10-17; elsewhere `${...}` is literal text.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.engine.context import RequestContext

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

    def render(self, context: RequestContext) -> list[tuple[str, bool]] | None:
        """(text, is_literal) pieces with variables filled in; None when one is missing.

        Values substituted from the context are literal: a `*` inside a tag value must
        not become a wildcard.
        """
        pieces: list[tuple[str, bool]] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append((part, False))
            elif isinstance(part, Literal):
                pieces.append((part.text, True))
            else:
                value = context.get(part.key)
                text = value.single if value is not None else None
                if text is None:
                    if part.default is None:
                        return None
                    text = part.default
                pieces.append((text, True))
        return pieces

    def render_text(self, context: RequestContext) -> str | None:
        pieces = self.render(context)
        return None if pieces is None else "".join(text for text, _ in pieces)


class VariableSyntaxError(ValueError):
    """`${` without a closing brace, or an empty or malformed variable."""


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
            raise VariableSyntaxError(f"`{text}` opens a policy variable `${{` that is not closed")
        if start > position:
            parts.append(text[position:start])
        parts.append(_parse_variable(text[start + 2 : end], text))
        position = end + 1
    if position < len(text):
        parts.append(text[position:])
    return Template(text, tuple(parts))


def _parse_variable(body: str, whole: str) -> TemplatePart:
    if body in SPECIAL_CHARACTERS:
        return Literal(SPECIAL_CHARACTERS[body])
    key, comma, default = body.partition(",")
    key = key.strip()
    if not key:
        raise VariableSyntaxError(f"`{whole}` has an empty policy variable")
    if not comma:
        return Variable(key.lower())
    default = default.strip()
    if len(default) < 2 or default[0] != "'" or default[-1] != "'":
        raise VariableSyntaxError(
            f"`{whole}`: a variable default must be in single quotes, as in "
            "`${aws:PrincipalTag/team, 'none'}`"
        )
    return Variable(key.lower(), default[1:-1])

"""Policy values of the operators that accept variables (String, Arn, Bool).

Each value is split once: values without variables become constant pieces, the others stay
templates that are rendered per request. Pieces are (text, is_literal) pairs; literal pieces
(from `${*}`-style escapes or from substituted variables) never act as wildcards.
"""

from __future__ import annotations

from collections.abc import Callable

from policy_engine.engine.conditions.base import InvalidPolicyValue, Outcome
from policy_engine.engine.context import ContextValue, RequestContext
from policy_engine.engine.variables import render_template
from policy_engine.model.variables import Template, VariableSyntaxError, compile_template

Pieces = tuple[tuple[str, bool], ...]

_NO_CONTEXT: dict[str, ContextValue] = {}


def split_policy_values(
    texts: tuple[str, ...], *, variables_enabled: bool
) -> tuple[tuple[Pieces, ...], tuple[Template, ...]]:
    """(constant pieces, templates with variables) for the given policy values."""
    constants: list[Pieces] = []
    templates: list[Template] = []
    for text in texts:
        try:
            template = compile_template(text, variables_enabled=variables_enabled)
        except VariableSyntaxError as error:
            raise InvalidPolicyValue(str(error)) from error
        if template.has_variables:
            templates.append(template)
        else:
            constants.append(render_constant(template))
    return tuple(constants), tuple(templates)


def render_constant(template: Template) -> Pieces:
    pieces = render_template(template, _NO_CONTEXT)
    if pieces is None:  # only templates with variables can fail to render
        raise InvalidPolicyValue(f"`{template.source}` cannot be rendered")
    return tuple(pieces)


def joined(pieces: Pieces) -> str:
    return "".join(text for text, _ in pieces)


def match_templates(templates: tuple[Template, ...], context: RequestContext,
                    matches: Callable[[Pieces], bool]) -> Outcome:
    """Whether any policy value with variables, rendered for this request, matches.

    A value whose variable the context lacks matches nothing; when no other value matched,
    the outcome says so, and negated operators then hold (variables page, R7.5).
    """
    missing = False
    for template in templates:
        pieces = render_template(template, context)
        if pieces is None:
            missing = True
        elif matches(tuple(pieces)):
            return Outcome.MATCHED
    return Outcome.VARIABLE_MISSING if missing else Outcome.NOT_MATCHED

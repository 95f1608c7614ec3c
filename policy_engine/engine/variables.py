"""Policy variables filled in for one request; their syntax is `policy_engine.model.variables`.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

from policy_engine.engine.context import RequestContext
from policy_engine.model.variables import Literal, Template


def render_template(template: Template, context: RequestContext) -> list[tuple[str, bool]] | None:
    """(text, is_literal) pieces with variables filled in; None when one is missing.

    Values substituted from the context are literal: a `*` inside a tag value must not
    become a wildcard.
    """
    pieces: list[tuple[str, bool]] = []
    for part in template.parts:
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


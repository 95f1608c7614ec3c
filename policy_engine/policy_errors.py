"""pydantic's errors about a policy document, in the policy language's own words.

The wording hook of the problem pipeline (`policy_engine.pydantic_errors`) for
`PolicyDocument`: a problem code, a message that names the element as policy authors
write it ("a principal block", "a condition key"), and the JSON pointer into the raw
document (single values the model wrapped into tuples have no index in the source).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from policy_engine.errors import join_pointer
from policy_engine.model.kinds import DOCUMENT_ELEMENTS, PRINCIPAL_KEYS, STATEMENT_ELEMENTS
from policy_engine.pydantic_errors import clip as _clip
from policy_engine.pydantic_errors import describe_value

_LIST_ELEMENTS = frozenset({"Action", "NotAction", "Resource", "NotResource"})
_EXPECTED = {
    "": "a JSON object with a `Statement`",
    "Version": "text",
    "Id": "text",
    "Sid": "text",
    "Effect": "`Allow` or `Deny`",
    "Statement": "an object or a list of objects",
    "Principal": "`*` or a block such as `{\"AWS\": \"…\"}`",
    "NotPrincipal": "`*` or a block such as `{\"AWS\": \"…\"}`",
    "Condition": "an object mapping operators to keys and values",
}


def translate_policy_error(detail: Mapping[str, Any], raw: Any) -> tuple[str, str, str]:
    """One pydantic error -> (code, message, pointer) in the project's terms."""
    loc = tuple(detail.get("loc", ()))
    pointer, element, context = _loc_to_pointer(raw, loc)
    kind = detail.get("type", "")
    value = detail.get("input")
    if kind == "missing":
        return "missing-element", f"`{element}` is required", pointer
    if kind == "extra_forbidden":
        if context == "principal":
            return "invalid-principal", (f"`{_clip(element)}` is not a principal type: use "
                                         "`AWS`, `Service`, `Federated` or `CanonicalUser`"), \
                pointer
        return "unknown-element", _unknown_element_message(element, context), pointer
    if context.startswith("condition"):
        return "malformed-condition", _condition_type_message(element, value, context), pointer
    if kind == "literal_error" and isinstance(value, str):
        if element == "Effect":
            return "invalid-effect", f"`{_clip(value)}` is not Allow or Deny", pointer
        if element == "Version":
            return "invalid-version", (f"`{_clip(value)}` is not a policy version "
                                       "(use `2012-10-17`)"), pointer
        if element in ("Principal", "NotPrincipal"):
            return "invalid-principal", (f"`{_clip(value)}`: a principal given as text must be "
                                         "`*`; name others in a block such as "
                                         "`{\"AWS\": \"…\"}`"), pointer
    if kind == "too_short":
        return "empty-value", f"`{element}` is an empty list", pointer
    if kind == "value_error" and context.startswith("principal"):
        return "empty-value", ("the principal block names no AWS, Service, Federated or "
                               "CanonicalUser principal"), pointer
    expected = _expected(element, context)
    shown = describe_value(value)
    return "wrong-type", f"`{element or 'policy'}` must be {expected}, not {shown}", pointer


def _expected(element: str, context: str) -> str:
    if context == "principal" or element in _LIST_ELEMENTS:
        return "text or a list of text"
    if context == "principal-block":
        return _EXPECTED["Principal"]
    if context == "list-item":
        return "text"
    if context == "statement-item":
        return "an object"
    return _EXPECTED.get(element, "a different type")


def _loc_to_pointer(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str, str]:
    """Map a pydantic error location onto the raw JSON: (pointer, element, context).

    Single values that the model wrapped into tuples (a lone statement object, a lone
    action string) lose pydantic's index 0; union and discriminator tags are dropped.
    """
    tokens: list[str | int] = []
    node = raw
    context = "document"

    def step(part: str | int) -> None:
        nonlocal node
        if isinstance(part, int):
            if isinstance(node, list):
                tokens.append(part)
                node = node[part] if 0 <= part < len(node) else None
            return  # a single value the model wrapped: no index in the source
        tokens.append(part)
        node = node.get(part) if isinstance(node, dict) else None

    parts = list(loc)
    if not parts:
        return "", "", context
    step(parts[0])
    if parts[0] != "Statement" or len(parts) == 1:
        return join_pointer("", *tokens), str(parts[0]), context
    context = "statement"
    step(parts[1])  # statement index
    if len(parts) == 2:
        return join_pointer("", *tokens), "Statement", "statement-item"
    field_name = parts[2]
    step(field_name)
    rest = parts[3:]
    element = str(field_name)
    if field_name in ("Principal", "NotPrincipal"):
        rest = rest[1:]  # discriminator tag
        context = "principal-block" if isinstance(node, dict) else "statement"
        if rest and isinstance(node, dict):
            context = "principal"
            step(rest[0])
            element = str(rest[0])
            if len(rest) > 1:
                step(rest[1])
                context = "list-item"
    elif field_name == "Condition":
        context = "condition"
        depth = 0
        for part in rest[:3]:  # operator, key, value index; then union member tags
            before = len(tokens)
            step(part)
            depth += 1
            if isinstance(part, str):
                element = part
            elif len(tokens) == before:
                depth = 3  # a single value the model wrapped
        context = ("condition", "condition-operator", "condition-key", "condition-value")[depth]
    elif rest and field_name in _LIST_ELEMENTS:
        before = len(tokens)
        step(rest[0])
        if len(tokens) > before:
            context = "list-item"
    return join_pointer("", *tokens), element, context


def _unknown_element_message(element: str, context: str) -> str:
    known = {"document": DOCUMENT_ELEMENTS, "statement": STATEMENT_ELEMENTS,
             "principal": PRINCIPAL_KEYS}.get(context, STATEMENT_ELEMENTS)
    where = {"document": "a policy", "statement": "a statement",
             "principal": "a principal block"}.get(context, "a statement")
    message = f"`{_clip(element)}` is not an element of {where}"
    close = difflib.get_close_matches(element, list(known), n=1, cutoff=0.6)
    if not close:
        lowered = {k.lower(): k for k in known}
        if element.lower() in lowered:
            close = [lowered[element.lower()]]
    return message + (f" (did you mean `{close[0]}`?)" if close else "")


def _condition_type_message(element: str, value: Any, context: str) -> str:
    if context == "condition-operator":
        return f"`{element}` must map condition keys to values, not {describe_value(value)}"
    if context == "condition-key":
        return f"`{element}` must have a value or a list of values, not {describe_value(value)}"
    if context == "condition-value":
        return ("condition values are text, numbers or true/false, "
                f"not {describe_value(value)}")
    return f"`Condition` must map operators to condition keys, not {describe_value(value)}"

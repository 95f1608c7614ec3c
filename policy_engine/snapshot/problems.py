"""Pydantic validation errors of snapshot and authorization-details files -> `Problem`s.

The one place where pydantic's error details are put in the project's terms (code, message,
JSON pointer into the raw input); `problems_from_validation_error` is all the loader uses, so
a project-wide translation can replace this module as a whole.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Final, Protocol, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from policy_engine.errors import Problem, join_pointer
from policy_engine.snapshot.messages import word_list
from policy_engine.snapshot.snapshot_file import PATTERN_WORDS

__all__ = ["Place", "problems_from_validation_error"]


class Place(Protocol):
    """Makes the problem and locates it in its file (at the key, or at the value)."""

    def __call__(self, code: str, message: str, pointer: str, *, at_key: bool) -> Problem: ...


def problems_from_validation_error(error: ValidationError, raw: Any, model: type[BaseModel],
                                   place: Place) -> list[Problem]:
    """One problem per pydantic error of validating `raw` against `model`."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        code, message, pointer, at_key = _translate(detail, raw, model)
        problems.append(place(code, message, pointer, at_key=at_key))
    return problems


_EXPECTED: Final = MappingProxyType({
    "string_type": "text",
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "`true` or `false`", "bool_parsing": "`true` or `false`",
    "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object",
    "list_type": "a list", "tuple_type": "a list",
    "datetime_type": "a date and time such as `2024-01-31T12:00:00Z`",
    "datetime_parsing": "a date and time such as `2024-01-31T12:00:00Z`",
    "datetime_from_date_parsing": "a date and time such as `2024-01-31T12:00:00Z`",
})
def _translate(detail: Mapping[str, Any], raw: Any, model: type[BaseModel]
               ) -> tuple[str, str, str, bool]:
    """One pydantic error -> (code, message, pointer, at_key) in the project's terms."""
    loc = tuple(detail.get("loc", ()))
    kind = str(detail.get("type", ""))
    ctx = detail.get("ctx") or {}
    value = detail.get("input")
    tokens: list[str | int] = []
    node = raw
    for index, part in enumerate(loc):
        if _has_member(node, part):
            tokens.append(part)
            node = node[part]
        elif index == len(loc) - 1 and kind == "missing":
            tokens.append(part)
        # anything else is a union branch or key marker that the source does not have
    pointer = join_pointer("", *tokens)
    element = next((str(t) for t in reversed(tokens) if isinstance(t, str)), "value")
    if kind == "missing":
        return "missing-element", f"`{element}` is required", pointer, True
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        message = f"unknown key `{element}`"
        close = difflib.get_close_matches(element, allowed, n=1)
        if close:
            message += f"; did you mean `{close[0]}`?"
        elif allowed:
            message += f" (expected {word_list(allowed)})"
        return "unknown-element", message, pointer, True
    at_key = bool(loc) and loc[-1] == "[key]"
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern")), "value of the expected form")
        return "invalid-value", f"`{_clip(value)}` is not a valid {words}", pointer, at_key
    if kind in ("literal_error", "enum"):
        expected = re.sub(r"'([^']*)'", r"`\1`", str(ctx.get("expected", "")))
        return "invalid-value", f"`{element}` must be {expected}, not {_describe(value)}", \
            pointer, at_key
    if kind == "value_error":
        return "invalid-value", str(ctx.get("error", detail.get("msg", ""))), pointer, at_key
    if kind == "details_form":
        return "wrong-type", f"`{element}` {detail.get('msg')}, not {_describe(value)}", \
            pointer, at_key
    expected = _EXPECTED.get(kind)
    if expected is not None:
        message = f"`{element}` must be {expected}, not {_describe(value)}"
        if kind == "string_type" and isinstance(value, int) and re.fullmatch(r"\d{12}",
                                                                            str(value)):
            message += f"; write account ids in quotes (`\"{value}\"`)"
        return "wrong-type", message, pointer, at_key
    message = str(detail.get("msg", "invalid value"))
    return "invalid-value", message[:1].lower() + message[1:], pointer, at_key


def _has_member(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at `loc` (best effort: union branches are followed)."""
    candidates: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for leaf in (leaf for c in candidates for leaf in _leaves(c)):
            if isinstance(part, int) and get_origin(leaf) in (tuple, list):
                following.append(get_args(leaf)[0])
            elif isinstance(leaf, type) and issubclass(leaf, BaseModel) and isinstance(part, str):
                for name, info in leaf.model_fields.items():
                    if part in (name, info.alias):
                        following.append(info.annotation)
            elif get_origin(leaf) is dict and isinstance(part, str):
                following.append(get_args(leaf)[1])
        if following:
            candidates = following
    for leaf in (leaf for c in candidates for leaf in _leaves(c)):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            return [info.alias or name for name, info in leaf.model_fields.items()]
    return []


def _leaves(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return f"`{json.dumps(value)}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        return f"the text `{_clip(value)}`"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return "a value of another kind"


def _clip(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


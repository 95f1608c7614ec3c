"""pydantic's validation errors -> the project's located `Problem`s, for every input model.

One pipeline for policies, case files and snapshots: each pydantic error is mapped onto
the raw JSON value it came from (union branches, discriminator tags and the index 0 of a
single value the model wrapped into a tuple have no place in the source and are dropped),
worded in the project's terms, reduced to one problem per pointer (the first, most
specific, wins) and placed at its line and column. A model with a vocabulary of its own
(policies: "a principal block", "a condition key") passes a `wording` hook that words the
errors it knows and leaves the rest to the common wording here.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from policy_engine.errors import Problem, ProblemCode, join_pointer


@dataclass(frozen=True, slots=True)
class ErrorSite:
    """One pydantic error, with the pointer of the raw element it is about."""

    kind: str  # pydantic's error type: `missing`, `extra_forbidden`, `string_type`, ...
    loc: tuple[Any, ...]  # pydantic's location, branches and tags included
    pointer: str
    element: str  # the innermost member name on the way, `value` when there is none
    value: Any
    context: Mapping[str, Any]
    message: str  # pydantic's own text, the last resort


@dataclass(frozen=True, slots=True)
class Worded:
    code: ProblemCode
    message: str
    pointer: str
    at_key: bool = False


Wording = Callable[[ErrorSite, Any], Worded | None]
"""(site, raw value) -> the wording for an error it knows, or None for the common one."""

Place = Callable[[Problem, bool], Problem]
"""(problem, shown at its key?) -> the problem with a line and column."""


def problems_from_validation_error(
    error: ValidationError,
    raw: Any,
    model: type[BaseModel],
    *,
    source: str,
    wording: Wording | None = None,
    place: Place | None = None,
    pattern_words: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every error of `error` as a problem, one per pointer, in pydantic's order."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for worded in word_errors(error.errors(include_url=False), raw, model, wording=wording,
                              pattern_words=pattern_words):
        if worded.pointer in seen:
            continue
        seen.add(worded.pointer)
        problem = Problem(worded.code, worded.message, worded.pointer, source=source)
        problems.append(place(problem, worded.at_key) if place else problem)
    return problems


def word_errors(details: Iterable[Mapping[str, Any]], raw: Any, model: type[BaseModel], *,
                wording: Wording | None = None,
                pattern_words: Mapping[str, str] | None = None) -> list[Worded]:
    words = []
    for detail in details:
        site = error_site(detail, raw)
        worded = wording(site, raw) if wording else None
        words.append(worded or common_wording(site, model, pattern_words or {}))
    return words


def error_site(detail: Mapping[str, Any], raw: Any) -> ErrorSite:
    loc = tuple(detail.get("loc", ()))
    kind = str(detail.get("type", ""))
    tokens: list[str | int] = []
    node = raw
    for index, part in enumerate(loc):
        if _has_member(node, part):
            tokens.append(part)
            node = node[part]
        elif index == len(loc) - 1 and kind == "missing":
            tokens.append(part)
        # anything else is a union branch or a tag that the source does not have
    element = next((str(t) for t in reversed(tokens) if isinstance(t, str)), "value")
    return ErrorSite(kind, loc, join_pointer("", *tokens), element, detail.get("input"),
                     detail.get("ctx") or {}, str(detail.get("msg", "invalid value")))


# ------------------------------------------------------------------------ common wording

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


def common_wording(site: ErrorSite, model: type[BaseModel],
                   pattern_words: Mapping[str, str]) -> Worded:
    element, value, pointer = site.element, site.value, site.pointer
    if site.kind == "missing":
        return Worded(ProblemCode.MISSING_ELEMENT, f"`{element}` is required", pointer, True)
    if site.kind == "extra_forbidden":
        return Worded(ProblemCode.UNKNOWN_ELEMENT,
                      unknown_key_message(element, allowed_keys(model, site.loc[:-1])),
                      pointer, True)
    at_key = bool(site.loc) and site.loc[-1] == "[key]"
    if site.kind == "string_pattern_mismatch":
        words = pattern_words.get(str(site.context.get("pattern")), "value of the expected form")
        return Worded(ProblemCode.INVALID_VALUE, f"`{clip(value)}` is not a valid {words}",
                      pointer, at_key)
    if site.kind in ("literal_error", "enum"):
        expected = re.sub(r"'([^']*)'", r"`\1`", str(site.context.get("expected", "")))
        return Worded(ProblemCode.INVALID_VALUE,
                      f"`{element}` must be {expected}, not {describe_value(value)}",
                      pointer, at_key)
    if site.kind == "value_error":
        return Worded(ProblemCode.INVALID_VALUE, str(site.context.get("error", site.message)),
                      pointer, at_key)
    if site.kind == "details_form":
        return Worded(ProblemCode.WRONG_TYPE,
                      f"`{element}` {site.message}, not {describe_value(value)}", pointer, at_key)
    expected = _EXPECTED.get(site.kind)
    if expected is not None:
        message = f"`{element}` must be {expected}, not {describe_value(value)}"
        if site.kind == "string_type" and isinstance(value, int) and \
                re.fullmatch(r"\d{12}", str(value)):
            message += f"; write account ids in quotes (`\"{value}\"`)"
        return Worded(ProblemCode.WRONG_TYPE, message, pointer, at_key)
    message = site.message
    return Worded(ProblemCode.INVALID_VALUE, message[:1].lower() + message[1:], pointer, at_key)


def unknown_key_message(element: str, allowed: Sequence[str]) -> str:
    message = f"unknown key `{clip(element)}`"
    close = difflib.get_close_matches(element, allowed, n=1)
    if close:
        return message + f"; did you mean `{close[0]}`?"
    if allowed:
        return message + f" (expected {words(allowed)})"
    return message


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
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


def _has_member(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


# ------------------------------------------------------------------------------ words


def describe_value(value: Any) -> str:
    """A value as messages show it: `` `null` ``, `the number `5``, `the text `x``, ..."""
    if isinstance(value, bool) or value is None:
        return f"`{json.dumps(value)}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        return f"the text `{clip(value)}`"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return "a value of another kind"


def clip(value: Any, limit: int = 80) -> str:
    """Text short enough for a one-line message, with no backtick to break the quoting."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def words(items: Sequence[str]) -> str:
    """`` `a`, `b` and `c` ``."""
    quoted = [f"`{item}`" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]

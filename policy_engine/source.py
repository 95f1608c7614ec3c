"""Policy text -> a plain JSON value plus where each element came from.

JSON goes through the standard library's parser for the values, after one iterative,
linear pass over the text that records the offset of every value (and of every object
key) by JSON pointer and enforces a nesting limit, so a pathologically deep document gets
a clean `too-deep` problem instead of a `RecursionError`. YAML (for hand-written files) is
composed with PyYAML's safe loader and keeps only JSON-compatible values.

Every failure is a `SourceError` (a `PolicyEngineError`) carrying `Problem`s with line and
column; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import json
import math
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml

from policy_engine.errors import AT_KEY_CODES, PolicyEngineError, Problem, ProblemCode, join_pointer

DEFAULT_MAX_DEPTH = 64
# No AWS policy quota exceeds 32,768 bytes (KMS key policies); 256 KiB leaves room for
# generous formatting and comments-free YAML, while a 1 MB file is refused before parsing.
DEFAULT_MAX_CHARS = 256 * 1024

Format = Literal["json", "yaml"]
Location = tuple[int, int]

_WHITESPACE = " \t\n\r"
_SCALAR_END = frozenset(" \t\n\r,]}:[{\"")
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


class SourceError(PolicyEngineError):
    """The text is not a readable JSON/YAML document (syntax, depth, size, duplicates)."""


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A parsed value and the (line, column) of each element, both 1-based.

    `locations` maps a JSON pointer to the start of the element's value; `key_locations`
    maps the pointer of an object member to its key, which is where an unknown or
    duplicated element is best shown.
    """

    value: Any
    locations: Mapping[str, Location] = field(default_factory=dict)
    key_locations: Mapping[str, Location] = field(default_factory=dict)
    text: str | None = None
    format: Format = "json"

    def locate(self, pointer: str) -> Location | None:
        """Line and column of the value at `pointer`, or None when there is no such element."""
        return self.locations.get(pointer)

    def locate_key(self, pointer: str) -> Location | None:
        """Line and column of the key naming the member at `pointer` (falls back to its value)."""
        return self.key_locations.get(pointer) or self.locations.get(pointer)

    def nearest(self, pointer: str, *, within: str = "") -> Location | None:
        """The location of `pointer` or of its closest ancestor that exists, not looking
        above `within` (the pointer of a value embedded in a larger file)."""
        while True:
            found = self.locations.get(pointer)
            if found is not None or not pointer or pointer == within:
                return found
            pointer = pointer.rpartition("/")[0]

    def place(self, problem: Problem, *, at_key: bool | None = None,
              within: str = "") -> Problem:
        """The problem with the line and column of its pointer, when it has none yet.

        Problems about a member's presence (`AT_KEY_CODES`) are shown at its key, others at
        the value or the nearest enclosing element that exists.
        """
        if problem.line is not None:
            return problem
        if at_key is None:
            at_key = problem.code in AT_KEY_CODES
        found = self.locate_key(problem.pointer) if at_key else None
        found = found or self.nearest(problem.pointer, within=within)
        return replace(problem, line=found[0], column=found[1]) if found else problem


# --------------------------------------------------------------------------------- text


class _LineIndex:
    """Offset -> (line, column), 1-based, by binary search over line starts."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        position = find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self._starts = starts

    def __call__(self, offset: int) -> Location:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def check_size(text: str, *, source: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
    """Refuse text longer than any policy could reasonably be, before parsing it."""
    if len(text) > max_chars:
        raise SourceError(oversize_problem(len(text), max_chars, source))


def oversize_problem(size: int, max_chars: int, source: str) -> Problem:
    return Problem(
        code="oversize",
        message=(f"the input is {size:,} characters long; this tool reads at most "
                 f"{max_chars:,} (the largest AWS policy quota is 32,768 bytes)"),
        line=1, column=1, source=source,
    )


def load_text(
    text: str,
    *,
    source: str = "<input>",
    fmt: Format | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> SourceDocument:
    """Parse JSON or YAML; the format comes from `fmt`, else `source`'s extension, else content."""
    if not text.strip():
        raise SourceError(Problem(code=ProblemCode.INVALID_JSON,
                                  message="the input is empty: expected a JSON or YAML document",
                                  line=1, column=1, source=source))
    chosen = fmt or guess_format(text, source)
    loader = load_yaml_text if chosen == "yaml" else load_json_text
    return loader(text, source=source, max_depth=max_depth, max_chars=max_chars)


def guess_format(text: str, source: str = "") -> Format:
    lowered = source.lower()
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    if lowered.endswith(".json"):
        return "json"
    stripped = text.lstrip(" \t\r\n\ufeff")
    return "json" if not stripped or stripped[0] in "{[\"" else "yaml"


# --------------------------------------------------------------------------------- JSON


@dataclass(slots=True)
class _Frame:
    is_object: bool
    pointer: str
    index: int = -1  # arrays: index of the current element
    key: str | None = None  # objects: key of the current member
    expect_key: bool = True
    keys: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Scan:
    values: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    non_finite: list[tuple[str, int]] = field(default_factory=list)
    too_deep_at: int | None = None


def load_json_text(
    text: str,
    *,
    source: str = "<input>",
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> SourceDocument:
    """Parse JSON text, rejecting duplicate keys, NaN/Infinity and nesting deeper than max_depth."""
    check_size(text, source=source, max_chars=max_chars)
    lines = _LineIndex(text)
    scan = _scan_json(text, max_depth)
    if scan.too_deep_at is not None:
        line, column = lines(scan.too_deep_at)
        raise SourceError(Problem(
            code="too-deep",
            message=f"the document nests more than {max_depth} levels of objects and arrays",
            line=line, column=column, source=source,
        ))
    value = _decode_json(text, scan, lines, source)
    if scan.duplicates:
        raise SourceError([
            Problem(code="duplicate-key",
                    message=f"`{_last_token(pointer)}` appears more than once in the same object",
                    pointer=pointer, line=lines(offset)[0], column=lines(offset)[1],
                    source=source)
            for pointer, offset in scan.duplicates
        ])
    return SourceDocument(
        value=value,
        locations={pointer: lines(offset) for pointer, offset in scan.values.items()},
        key_locations={pointer: lines(offset) for pointer, offset in scan.keys.items()},
        text=text,
        format="json",
    )


class _NonFiniteNumber(ValueError):
    pass


def _reject_constant(name: str) -> float:
    raise _NonFiniteNumber(name)


def _pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Duplicates were already found (with their location) by the scan; first value wins
    # here only so that decoding can finish and report them all together.
    result: dict[str, Any] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def _decode_json(text: str, scan: _Scan, lines: _LineIndex, source: str) -> Any:
    try:
        value = json.loads(text, object_pairs_hook=_pairs_to_dict,
                           parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise SourceError(Problem(
            code="invalid-json", message=_json_message(error.msg),
            line=error.lineno, column=error.colno, source=source,
        )) from None
    except _NonFiniteNumber as error:
        pointer, offset = scan.non_finite[0] if scan.non_finite else ("", 0)
        line, column = lines(offset)
        raise SourceError(Problem(
            code="invalid-json",
            message=f"`{error}` is not a JSON number (numbers must be finite)",
            pointer=pointer, line=line, column=column, source=source,
        )) from None
    except (ValueError, RecursionError):
        # e.g. an integer with more digits than Python converts; never a traceback.
        raise SourceError(Problem(code="invalid-json",
                                  message="a number has too many digits to be read",
                                  line=1, column=1, source=source)) from None
    bad = _first_non_finite_float(value)
    if bad is not None:
        raise SourceError(Problem(code="invalid-json",
                                  message="a number is too large to represent",
                                  line=1, column=1, source=source))
    return value


def _first_non_finite_float(value: Any) -> float | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_JSON_MESSAGES = {
    "Expecting value": "expected a value here (a trailing comma, or a value left out?)",
    "Expecting property name enclosed in double quotes":
        "expected a key in double quotes (JSON has no single quotes, comments or trailing "
        "commas)",
    "Extra data": "unexpected text after the end of the JSON document",
    "Expecting ',' delimiter": "expected `,` between two elements (or the document ends early)",
    "Expecting ':' delimiter": "expected `:` after an object key",
    "Unterminated string starting at": "this string's opening `\"` is never closed",
    "Invalid control character at": "a raw control character (tab, line break) inside a "
                                    "string must be escaped, e.g. `\\t` or `\\n`",
    "Invalid \\escape": "invalid escape sequence in a string",
}


def _json_message(message: str) -> str:
    text = message.strip().rstrip(".")
    if text in _JSON_MESSAGES:
        return _JSON_MESSAGES[text]
    return text[:1].lower() + text[1:] if text else "invalid JSON"


def _last_token(pointer: str) -> str:
    return pointer.rpartition("/")[2].replace("~1", "/").replace("~0", "~")


def _scan_json(text: str, max_depth: int) -> _Scan:
    """One linear, non-recursive pass: value and key offsets by pointer, duplicates, depth.

    It never fails: on text that is not JSON it records what it can and leaves the error
    to `json.loads`, which reports the parser's own line and column. The depth count is
    exact for any text (brackets outside strings), so `json.loads` never recurses deeper
    than `max_depth` afterwards.
    """
    scan = _Scan()
    stack: list[_Frame] = []
    n = len(text)
    i = 0
    while i < n:
        char = text[i]
        if char in _WHITESPACE:
            i += 1
            continue
        if char in "{[":
            if len(stack) >= max_depth:
                scan.too_deep_at = i
                return scan
            pointer = _value_start(stack, scan, i)
            stack.append(_Frame(is_object=char == "{", pointer=pointer))
            i += 1
            continue
        if char in "}]":
            if stack:
                stack.pop()
            i += 1
            continue
        if char == ",":
            if stack and stack[-1].is_object:
                stack[-1].expect_key = True
            i += 1
            continue
        if char == ":":
            i += 1
            continue
        if char == '"':
            end = _string_end(text, i)
            if stack and stack[-1].is_object and stack[-1].expect_key:
                _object_key(stack[-1], scan, text[i:end], i)
            else:
                _value_start(stack, scan, i)
            i = end
            continue
        end = i + 1
        while end < n and text[end] not in _SCALAR_END:
            end += 1
        pointer = _value_start(stack, scan, i)
        if text[i:end] in _NON_FINITE:
            scan.non_finite.append((pointer, i))
        i = end
    return scan


def _string_end(text: str, start: int) -> int:
    """Offset just past the closing quote of the string opening at `start` (or end of text)."""
    i = start + 1
    n = len(text)
    while i < n:
        quote = text.find('"', i)
        if quote < 0:
            return n
        backslashes = 0
        j = quote - 1
        while j > start and text[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2 == 0:
            return quote + 1
        i = quote + 1
    return n


def _object_key(frame: _Frame, scan: _Scan, raw: str, offset: int) -> None:
    key = raw[1:-1] if len(raw) >= 2 and raw.endswith('"') else raw[1:]
    if "\\" in key:
        with contextlib.suppress(ValueError):
            key = json.loads(raw)
    frame.key = key
    frame.expect_key = False
    pointer = join_pointer(frame.pointer, key)
    if key in frame.keys:
        scan.duplicates.append((pointer, offset))
    else:
        frame.keys.add(key)
        scan.keys[pointer] = offset


def _value_start(stack: list[_Frame], scan: _Scan, offset: int) -> str:
    if not stack:
        pointer = ""
    else:
        frame = stack[-1]
        if frame.is_object:
            pointer = join_pointer(frame.pointer, frame.key if frame.key is not None else "")
        else:
            frame.index += 1
            pointer = join_pointer(frame.pointer, frame.index)
    # A duplicated key's second value keeps the first one's location (the value kept).
    scan.values.setdefault(pointer, offset)
    return pointer


# --------------------------------------------------------------------------------- YAML

# libyaml's loader when PyYAML was built with it (much faster, same nodes and marks).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_STR = "tag:yaml.org,2002:str"
_YAML_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_YAML_SCALARS = {
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", _YAML_STR,
    # A bare date such as `Version: 2012-10-17` is kept as the text written.
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True, slots=True)
class LocalTag:
    """How a YAML local tag (CloudFormation's `!Sub`) becomes JSON: its content, built as
    if untagged and reshaped by `convert` (if any), wrapped as `{key: content}`."""

    key: str
    convert: Callable[[Any], Any] | None = None


def load_yaml_text(
    text: str,
    *,
    source: str = "<input>",
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_chars: int = DEFAULT_MAX_CHARS,
    tags: Mapping[str, LocalTag] | None = None,
) -> SourceDocument:
    """Parse one YAML document holding only JSON-compatible values (no anchors, no tags
    other than the local `tags` given)."""
    check_size(text, source=source, max_chars=max_chars)
    try:
        _check_yaml_events(text, max_depth, source)
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except SourceError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        too_deep = "nesting depth" in str(error.problem)  # libyaml's own limit (1,000)
        raise SourceError(Problem(
            code="too-deep" if too_deep else "invalid-yaml",
            message=(f"the document nests more than {max_depth} levels of mappings and lists"
                     if too_deep else _yaml_message(error)),
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            source=source,
        )) from None
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        raise SourceError(Problem(code="invalid-yaml", message=_json_message(str(error)),
                                  line=1, column=1, source=source)) from None
    builder = _YamlBuilder(source, tags or {})
    value = builder.build(node)
    if builder.problems:
        raise SourceError(builder.problems)
    return SourceDocument(value=value, locations=builder.locations,
                          key_locations=builder.key_locations, text=text, format="yaml")


def _check_yaml_events(text: str, max_depth: int, source: str) -> None:
    """Depth and alias checks on the event stream, which PyYAML produces without recursion."""
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise SourceError(_yaml_problem(
                    "too-deep",
                    f"the document nests more than {max_depth} levels of mappings and lists",
                    event, source))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise SourceError(_yaml_problem(
                "invalid-yaml",
                "YAML aliases (`*name`) are not supported: write the value out in full",
                event, source))
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise SourceError(_yaml_problem(
                "invalid-yaml",
                f"YAML anchors (`&{event.anchor}`) are not supported: write the value out in full",
                event, source))


def _yaml_problem(code: str, message: str, event: Any, source: str, pointer: str = "") -> Problem:
    mark = event.start_mark
    return Problem(code=code, message=message, pointer=pointer, line=mark.line + 1,
                   column=mark.column + 1, source=source)


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return _json_message(", ".join(parts) if parts else "invalid YAML")


class _YamlBuilder:
    """Node tree -> plain values, recording marks; depth is already bounded by the event check."""

    def __init__(self, source: str, tags: Mapping[str, LocalTag] | None = None) -> None:
        self.source = source
        self.tags: Mapping[str, LocalTag] = tags or {}
        self.locations: dict[str, Location] = {}
        self.key_locations: dict[str, Location] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node | None) -> Any:
        if node is None:
            return None
        return self._node(node, "")

    def _mark(self, node: yaml.Node) -> Location:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _problem(self, code: str, message: str, node: yaml.Node, pointer: str) -> None:
        line, column = self._mark(node)
        self.problems.append(Problem(code=code, message=message, pointer=pointer, line=line,
                                     column=column, source=self.source))

    def _node(self, node: yaml.Node, pointer: str) -> Any:
        self.locations.setdefault(pointer, self._mark(node))
        collection = isinstance(node, yaml.CollectionNode)
        local = self.tags.get(node.tag) if self.tags else None
        if local is not None:  # {key: content}, the content located at the tag as well
            child = join_pointer(pointer, local.key)
            self.locations.setdefault(child, self._mark(node))
            # A tagged scalar is never resolved to a number or a boolean: it is text.
            content = self._content(node, child) if collection else str(node.value)
            return {local.key: local.convert(content) if local.convert else content}
        if collection and node.tag not in _YAML_COLLECTIONS:
            self._problem("invalid-yaml",
                          f"`{node.tag}` values are not JSON-compatible; write a plain "
                          "mapping or list instead", node, pointer)
            return None
        return self._content(node, pointer) if collection else self._scalar(node, pointer)

    def _content(self, node: yaml.Node, pointer: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer)
        return [self._node(item, join_pointer(pointer, index))
                for index, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem("invalid-yaml", "mapping keys must be plain text", key_node, pointer)
                continue
            key = str(key_node.value)
            child = join_pointer(pointer, key)
            if key in result:
                self._problem("duplicate-key",
                              f"`{key}` appears more than once in the same mapping",
                              key_node, child)
                continue
            self.key_locations[child] = self._mark(key_node)
            result[key] = self._node(value_node, child)
        return result

    def _scalar(self, node: yaml.Node, pointer: str) -> Any:
        tag = node.tag
        if tag not in _YAML_SCALARS:
            self._problem("invalid-yaml",
                          f"`{tag}` values are not JSON-compatible; write plain text instead",
                          node, pointer)
            return None
        if tag in (_YAML_STR, "tag:yaml.org,2002:timestamp"):
            return str(node.value)
        value = _construct_scalar(node)
        if isinstance(value, float) and not math.isfinite(value):
            self._problem("invalid-yaml",
                          f"`{node.value}` is not a JSON number (numbers must be finite)",
                          node, pointer)
            return None
        return value


def _construct_scalar(node: yaml.Node) -> Any:
    constructor = yaml.SafeLoader.yaml_constructors[node.tag]
    return constructor(_CONSTRUCTOR, node)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def iter_pointers(value: Any, prefix: str = "") -> Iterator[str]:
    """Every JSON pointer in `value` (iteratively), parents before children."""
    stack: list[tuple[str, Any]] = [(prefix, value)]
    while stack:
        pointer, item = stack.pop()
        yield pointer
        if isinstance(item, dict):
            stack.extend((join_pointer(pointer, k), v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((join_pointer(pointer, i), v) for i, v in reversed(list(enumerate(item))))

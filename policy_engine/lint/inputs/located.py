"""Locations for a policy taken out of a larger file (a template, a plan, a snapshot).

Each `LintDocument` gets a `SourceDocument` of its own holding only the locations of its
policy's elements, so parsing one policy never copies the location map of the whole file
(a snapshot has hundreds of thousands of elements and thousands of policies).

A policy that is a JSON *string* inside a JSON file (a Terraform plan's `policy`, a
CloudFormation `Content: "{...}"`) is located element by element too: the string's escapes
are walked once to map each character of the decoded text to its offset in the file, so a
finding lands on the exact line and column inside the string as written.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.source import Location, SourceDocument, iter_pointers, load_json_text


@dataclass(slots=True)
class Locations:
    """Locations of one policy under its (absolute) pointers, gathered from the file's."""

    locations: dict[str, Location] = field(default_factory=dict)
    key_locations: dict[str, Location] = field(default_factory=dict)

    def copy_tree(self, origin: SourceDocument, old: str, new: str, value: Any) -> None:
        """Every element of `value`, at `old` in `origin`, placed under `new`."""
        found = origin.locations
        keys = origin.key_locations
        start = len(new)
        for pointer in iter_pointers(value, new):
            source = old + pointer[start:]
            where = found.get(source)
            if where is not None:
                self.locations.setdefault(pointer, where)
            key = keys.get(source)
            if key is not None:
                self.key_locations.setdefault(pointer, key)

    def point(self, pointer: str, where: Location | None, *, key: Location | None = None
              ) -> None:
        if where is not None:
            self.locations.setdefault(pointer, where)
        if key is not None:
            self.key_locations.setdefault(pointer, key)

    def document(self, value: Any, text: str | None = None) -> SourceDocument:
        return SourceDocument(value=value, locations=self.locations,
                              key_locations=self.key_locations, text=text)


def located(origin: SourceDocument, pointer: str, value: Any) -> SourceDocument:
    """The locations of the policy `value` at `pointer` in `origin`, as its own document."""
    gathered = Locations()
    gathered.copy_tree(origin, pointer, pointer, value)
    return gathered.document(value)


class LineStarts:
    """Offset <-> (line, column), 1-based, for one text."""

    def __init__(self, text: str) -> None:
        starts = [0]
        position = text.find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        self.starts = starts

    def offset(self, where: Location) -> int:
        line, column = where
        return self.starts[line - 1] + column - 1

    def location(self, offset: int) -> Location:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def decode_embedded(raw: str, *, source: str, what: str, at: Location | None = None
                    ) -> SourceDocument:
    """The JSON text held in a string value, parsed with its own (decoded) locations."""
    try:
        return load_json_text(raw, source=source, max_chars=max(len(raw), 1))
    except PolicyEngineError as error:
        first = error.problems[0]
        raise PolicyEngineError(Problem(
            ProblemCode.INVALID_JSON, f"{what} is a string that does not hold valid JSON "
            f"({first.message})", source=source, line=at[0] if at else None,
            column=at[1] if at else None)) from None


def embedded_locations(text: str, lines: LineStarts, string_at: Location | None,
                       raw: str, decoded: SourceDocument, pointer: str) -> Locations:
    """Locations in the file of every element of `decoded` (the JSON text `raw`, written
    as the JSON string literal starting at `string_at` in `text`), under `pointer`.

    When the literal cannot be matched character for character (a YAML string, say), every
    element is placed at the string itself."""
    gathered = Locations()
    gathered.point(pointer, string_at)
    if string_at is None:
        return gathered
    offsets = _decoded_offsets(text, lines.offset(string_at), len(raw))
    if offsets is None:
        return gathered
    inner = LineStarts(raw)
    for table, target in ((decoded.locations, gathered.locations),
                          (decoded.key_locations, gathered.key_locations)):
        for inner_pointer, where in table.items():
            target[pointer + inner_pointer] = lines.location(offsets[inner.offset(where)])
    return gathered


def _decoded_offsets(text: str, start: int, length: int) -> list[int] | None:
    """For each character of the decoded string, its offset in `text` (the JSON string
    literal opening at `start`); None if `text` holds no such literal there."""
    if start >= len(text) or text[start] != '"':
        return None
    offsets: list[int] = []
    i = start + 1
    n = len(text)
    while i < n:
        char = text[i]
        if char == '"':
            return offsets if len(offsets) == length else None
        offsets.append(i)
        if char != "\\":
            i += 1
            continue
        if i + 1 < n and text[i + 1] == "u":
            # A surrogate pair (two escapes) decodes to one character.
            if _is_high_surrogate(text, i) and text.startswith("\\u", i + 6):
                i += 12
            else:
                i += 6
        else:
            i += 2
    return None


def _is_high_surrogate(text: str, i: int) -> bool:
    digits = text[i + 2:i + 6]
    try:
        return 0xD800 <= int(digits, 16) <= 0xDBFF
    except ValueError:
        return False


def policy_from_string(raw: str, *, source: str, what: str, text: str | None,
                       lines: LineStarts | None, origin: SourceDocument, pointer: str
                       ) -> tuple[Any, Locations]:
    """A policy written as JSON text inside the file: its value and its locations."""
    string_at = origin.locate(pointer)
    decoded = decode_embedded(raw, source=source, what=what, at=string_at)
    if text is None or lines is None:
        gathered = Locations()
        gathered.point(pointer, string_at)
        return decoded.value, gathered
    return decoded.value, embedded_locations(text, lines, string_at, raw, decoded, pointer)


def compact(value: Any) -> str:
    """One canonical text of a JSON value (to recognise the same policy twice)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))

"""What a validation rule reads and what it returns: typed views over the raw JSON value.

The rules run before (and beside) the pydantic model, so they cannot rely on it: a policy
with one mistyped element must still have every other element checked. The views give
rules typed access to the raw value instead: `DocumentView` for the whole policy,
`StatementView` for one statement, with the string-or-list reading done once here rather
than in every rule. Pointers in a `Finding` are relative to the policy; the driver in
`policy_engine.parse` adds the prefix and the line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from pydantic import ValidationError

from policy_engine.errors import join_pointer
from policy_engine.model.policy import VERSION_2012, PolicyDocument


class Finding(NamedTuple):
    """One problem as a rule reports it: a problem code, the message, a JSON pointer."""

    code: str
    message: str
    pointer: str


@dataclass(frozen=True)
class DocumentView:
    """The policy as given (`raw`), and its JSON text when it was read from JSON."""

    raw: Any
    text: str | None = None

    @property
    def body(self) -> dict[str, Any] | None:
        """The top-level object; None when the policy is not an object at all."""
        return self.raw if isinstance(self.raw, dict) else None

    @property
    def version(self) -> Any:
        return self.raw.get("Version") if isinstance(self.raw, dict) else None

    @property
    def variables(self) -> bool:
        """Policy variables are recognised only under Version 2012-10-17 (Version page)."""
        return self.version == VERSION_2012

    @cached_property
    def statements(self) -> tuple[StatementView, ...]:
        return tuple(StatementView(pointer, body, self) for pointer, body in
                     raw_statements(self.raw))

    @cached_property
    def first_sids(self) -> dict[str, str]:
        """Each non-empty Sid and the pointer of the first statement that uses it."""
        first: dict[str, str] = {}
        for statement in self.statements:
            sid = statement.body.get("Sid")
            if isinstance(sid, str) and sid:
                first.setdefault(sid, statement.pointer)
        return first

    @cached_property
    def model(self) -> PolicyDocument | ValidationError | TypeError | ValueError:
        """The pydantic model, or the error that kept it from being built (validated once)."""
        try:
            return PolicyDocument.model_validate(self.raw)
        except (ValidationError, TypeError, ValueError) as error:  # TypeError: odd input types
            return error


@dataclass(frozen=True)
class StatementView:
    """One statement object (`body`), where it is, and the policy it belongs to."""

    pointer: str
    body: dict[str, Any]
    document: DocumentView

    def has(self, element: str) -> bool:
        return element in self.body

    def at(self, *tokens: str | int) -> str:
        return join_pointer(self.pointer, *tokens)

    def strings(self, element: str) -> list[str] | None:
        """The element's strings; None when absent or neither a string nor a list."""
        return as_strings(self.body.get(element))

    def items(self, element: str) -> Iterator[tuple[str, str]]:
        """(pointer, text) of each string in a string-or-list element."""
        if element in self.body:
            yield from items(self.body[element], self.at(element))


def raw_statements(raw: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, object) of each statement that is an object; the model types the rest."""
    if not isinstance(raw, dict):
        return
    statement = raw.get("Statement")
    if isinstance(statement, dict):
        yield "/Statement", statement
    elif isinstance(statement, list):
        for index, item in enumerate(statement):
            if isinstance(item, dict):
                yield join_pointer("/Statement", index), item


def as_strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return None


def items(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, text) for a string-or-list element, skipping non-strings (typed elsewhere)."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield join_pointer(pointer, index), item


def scalar_items(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """(pointer, item) for a value that is one item or a list of them."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield join_pointer(pointer, index), item
    else:
        yield pointer, value


def is_scalar_or_scalars(value: Any) -> bool:
    scalar = (str, bool, int, float)
    return isinstance(value, scalar) or (
        isinstance(value, list) and all(isinstance(item, scalar) for item in value))

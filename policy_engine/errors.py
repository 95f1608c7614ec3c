"""Errors and problems, each carrying where in the input it was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input document, located precisely enough to act on."""

    code: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    source: str = "<input>"

    @property
    def path(self) -> str:
        """The pointer written the way people read policies: `Statement[1].Effect`."""
        return pointer_to_path(self.pointer)

    def one_line(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        path = self.path
        return f"{where}: {path + ': ' if path else ''}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "pointer": self.pointer,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "source": self.source,
        }


def pointer_to_path(pointer: str) -> str:
    """`/Statement/1/Effect` -> `Statement[1].Effect`."""
    if not pointer:
        return ""
    out = ""
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if part.isdigit():
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


class PolicyEngineError(Exception):
    """Base class: every error the library raises on bad input is one of these."""

    def __init__(self, problems: list[Problem] | Problem | str, *, source: str = "<input>"):
        if isinstance(problems, str):
            problems = [Problem(code="error", message=problems, source=source)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__(self.problems[0].one_line() if self.problems else "error")

    def one_line(self) -> str:
        first = self.problems[0].one_line()
        extra = len(self.problems) - 1
        return first + (f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else "")


class PolicyValidationError(PolicyEngineError):
    """A policy document is not valid for its kind."""


class ArnError(PolicyEngineError):
    """A string that should be an ARN is not one."""


class CaseError(PolicyEngineError):
    """A case file (request plus policies) is malformed."""


class InputReadError(PolicyEngineError):
    """A file could not be read at all."""

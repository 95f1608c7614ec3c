"""Errors and problems, each carrying where in the input it was found."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemCode(StrEnum):
    """Every machine-readable problem code the project reports, in one vocabulary.

    The values are what JSON, SARIF and JUnit output carry; they never change meaning.
    """

    # reading input
    UNREADABLE = "unreadable"
    MISSING_INPUT = "missing-input"
    MISSING_FILE = "missing-file"
    OVERSIZE = "oversize"
    TOO_DEEP = "too-deep"
    INVALID_JSON = "invalid-json"
    INVALID_YAML = "invalid-yaml"
    INVALID_CHARACTER = "invalid-character"
    DUPLICATE_KEY = "duplicate-key"
    UNKNOWN_FORMAT = "unknown-format"
    SYNTAX_ERROR = "syntax-error"
    USAGE = "usage"
    # document shape
    UNKNOWN_ELEMENT = "unknown-element"
    MISSING_ELEMENT = "missing-element"
    FORBIDDEN_ELEMENT = "forbidden-element"
    CONFLICTING_ELEMENTS = "conflicting-elements"
    WRONG_TYPE = "wrong-type"
    EMPTY_VALUE = "empty-value"
    INVALID_VALUE = "invalid-value"
    # the policy language
    INVALID_VERSION = "invalid-version"
    INVALID_EFFECT = "invalid-effect"
    INVALID_ACTION = "invalid-action"
    INVALID_ARN = "invalid-arn"
    INVALID_PRINCIPAL = "invalid-principal"
    INVALID_SID = "invalid-sid"
    DUPLICATE_SID = "duplicate-sid"
    UNKNOWN_OPERATOR = "unknown-operator"
    MALFORMED_CONDITION = "malformed-condition"
    KIND_RESTRICTION = "kind-restriction"
    # warnings: accepted, evaluated as written (`model.oddities`)
    UNUSUAL_ACTION = "unusual-action"
    UNUSUAL_CONDITION_KEY = "unusual-condition-key"
    # case files
    CASE_MISMATCH = "case-mismatch"
    # quiz banks
    DUPLICATE_QUESTION = "duplicate-question"
    # snapshots
    INVALID_NAME = "invalid-name"
    UNKNOWN_ACCOUNT = "unknown-account"
    WRONG_ACCOUNT = "wrong-account"
    UNKNOWN_VERSION = "unknown-version"
    UNKNOWN_POLICY = "unknown-policy"
    UNKNOWN_PRINCIPAL = "unknown-principal"
    AMBIGUOUS_PRINCIPAL = "ambiguous-principal"
    INCONSISTENT_VERSION = "inconsistent-version"
    MANAGEMENT_ACCOUNT_NOT_PLACED = "management-account-not-placed"
    DUPLICATE_ACCOUNT = "duplicate-account"
    DUPLICATE_ENTITY = "duplicate-entity"
    DUPLICATE_RESOURCE = "duplicate-resource"
    DUPLICATE_UNIT = "duplicate-unit"
    DUPLICATE_ATTACHMENT = "duplicate-attachment"
    CONFLICTING_DUPLICATE = "conflicting-duplicate"
    TRUNCATED = "truncated"
    MISSING_GROUP = "missing-group"
    MISSING_BOUNDARY = "missing-boundary"
    MISSING_MANAGED_POLICY = "missing-managed-policy"
    NO_POLICY_ATTACHED = "no-policy-attached"
    TOO_MANY_POLICIES = "too-many-policies"
    POLICY_TYPE_DISABLED = "policy-type-disabled"
    INCOMPLETE = "incomplete"  # `policy-engine fetch` could not read something
    # output
    UNWRITABLE = "unwritable"
    # anything else said in words only, and our own bugs
    ERROR = "error"
    INTERNAL_ERROR = "internal-error"


# Problems about a member's presence rather than its value are shown at its key.
AT_KEY_CODES = frozenset({ProblemCode.UNKNOWN_ELEMENT, ProblemCode.FORBIDDEN_ELEMENT,
                          ProblemCode.DUPLICATE_KEY, ProblemCode.CONFLICTING_ELEMENTS,
                          ProblemCode.UNKNOWN_OPERATOR})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input document, located precisely enough to act on."""

    code: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    source: str = "<input>"

    def __post_init__(self) -> None:
        # One vocabulary: a code outside ProblemCode is a bug of ours, caught where made.
        object.__setattr__(self, "code", ProblemCode(self.code))

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
            problems = [Problem(code=ProblemCode.ERROR, message=problems, source=source)]
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


def missing_extra(package: str, extra: str, *, option: str) -> InputReadError:
    """The one-line error for an option whose optional dependency is not installed."""
    return InputReadError(Problem(
        ProblemCode.USAGE, f"needs {package}, which is not installed: "
        f"pip install 'policy-engine[{extra}]'", source=option))

"""What-if questions and assertions as typed, immutable values.

A `Question` is the request half of a case file (DESIGN.md, "Case files") written in one
line: who (`PrincipalRef`, resolved against a snapshot later), which action, on which
resource, in which account, with which context. An `Assertion` adds the decision it
expects. Positions (`line`, `column`, `text`) say where an item was written; they do not
take part in equality, so a question parsed from two different spellings, or rendered and
parsed back, compares equal to the original.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

PrincipalKind = Literal["user", "role", "root", "arn", "service", "anonymous"]
Expectation = Literal["allowed", "denied", "explicitDeny", "implicitDeny"]
Scalar = str | bool | int | float
ContextValue = Scalar | tuple[Scalar, ...]

EXPECTATIONS: tuple[Expectation, ...] = get_args(Expectation)
# Spellings accepted after `expect`, and as decisions passed to `Assertion.accepts`.
EXPECTATION_ALIASES: Mapping[str, Expectation] = MappingProxyType({
    **{word: word for word in EXPECTATIONS},
    "explicit-deny": "explicitDeny",
    "implicit-deny": "implicitDeny",
})
_DECISIONS = frozenset({"allowed", "explicitDeny", "implicitDeny"})


@dataclass(frozen=True, slots=True)
class PrincipalRef:
    """Who asks, as written: resolved against an account snapshot later.

    `text` is the reference itself (`role/app`, `111122223333:user/john`, an ARN, `*`),
    without any `as session NAME`, which is kept in `session_name`. `account` is known
    when the reference carries it; `name` and `path` (`/PATH/`, None when not written)
    for users and roles; an ARN fills what it carries, including the session of an
    `assumed-role` ARN and the name of a `federated-user` ARN.
    """

    text: str
    account: str | None
    kind: PrincipalKind
    name: str | None = None
    path: str | None = None
    session_name: str | None = None

    @property
    def session_in_text(self) -> bool:
        """True when the session is part of the ARN itself (assumed-role, federated-user)."""
        return self.kind == "arn" and (":assumed-role/" in self.text
                                       or ":federated-user/" in self.text)


def _freeze_value(value: object) -> ContextValue:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Question:
    """One authorization question: can PRINCIPAL do ACTION on RESOURCE, given CONTEXT?

    `resource_account` is the account written with `in account` (needed for ARNs that
    carry none, like S3's); None otherwise. `context` maps condition keys, as written, to
    a string, a boolean, a number or a tuple of those (a multivalued key). `line` and
    `column` (1-based) locate the question in its source, `text` is what was written.
    """

    principal: PrincipalRef
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(
        default_factory=lambda: MappingProxyType({}), hash=False)
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        frozen = {key: _freeze_value(value) for key, value in self.context.items()}
        object.__setattr__(self, "context", MappingProxyType(frozen))

    @property
    def service(self) -> str:
        """The service prefix of the action, lower-cased (`s3` of `s3:GetObject`)."""
        return self.action.partition(":")[0].lower()


@dataclass(frozen=True, slots=True)
class Assertion:
    """A question and the decision it is expected to get."""

    expected: Expectation
    question: Question
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)
    text: str = field(default="", compare=False)

    def accepts(self, decision: str) -> bool:
        """Whether `decision` (`allowed`, `explicitDeny` or `implicitDeny`) meets it.

        `denied` is met by either kind of deny. An unknown decision raises `ValueError`.
        """
        normal = EXPECTATION_ALIASES.get(str(decision))
        if normal not in _DECISIONS:
            raise ValueError(f"unknown decision `{decision}` (expected allowed, "
                             "explicitDeny or implicitDeny)")
        if self.expected == "denied":
            return normal != "allowed"
        return normal == self.expected


Item = Question | Assertion


@dataclass(frozen=True, slots=True)
class Script:
    """The items of an assertion file or expression list, in order, and where they came from."""

    items: tuple[Item, ...]
    source: str = "<script>"

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, the ones inside assertions included, in order."""
        return tuple(item.question if isinstance(item, Assertion) else item
                     for item in self.items)

    @property
    def assertions(self) -> tuple[Assertion, ...]:
        return tuple(item for item in self.items if isinstance(item, Assertion))

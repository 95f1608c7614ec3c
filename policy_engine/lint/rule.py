"""What a lint rule is, what it reads, and what it reports.

A rule is a plain function from a `LintTarget` (one valid policy of a known kind, with its
model, raw views and compiled form) to `Hit`s (a message and a JSON pointer relative to
the policy). The `rule` decorator wraps it into a `LintRule` carrying its stable code,
name, severity and kinds; the function's docstring is the rule's documentation page
(`policy-engine lint --explain CODE`), written as: why it matters, the anti-pattern, the
fix. Rules never read files and never print: locations, configuration and output are
the runner's and the formatters' business.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from policy_engine.engine.compiler import CompiledPolicy, compile_policy
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import KindRules, PolicyKind, rules_for
from policy_engine.model.policy import PolicyDocument, Statement
from policy_engine.parse import ParsedPolicy
from policy_engine.validation.view import DocumentView, StatementView

CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_URL = re.compile(r"https://[^\s)>\]`'\"]+")
# A rule whose page cites no AWS page links to Access Analyzer's policy checks reference.
DEFAULT_HELP = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                "access-analyzer-reference-policy-checks.html")


class Hit(NamedTuple):
    """One thing a rule found: what, and where (a JSON pointer relative to the policy)."""

    message: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class StatementInView:
    """A statement as the model reads it, with its raw view and pointer."""

    index: int
    model: Statement
    view: StatementView

    @property
    def pointer(self) -> str:
        return self.view.pointer

    def at(self, *tokens: str | int) -> str:
        return self.view.at(*tokens)


@dataclass(frozen=True)
class LintTarget:
    """One valid policy as a rule sees it. `subject` names what carries the policy when it
    came from an account snapshot or a template (`role/app`, a bucket ARN)."""

    policy: ParsedPolicy
    subject: str | None = None

    @property
    def kind(self) -> PolicyKind:
        return self.policy.kind

    @property
    def document(self) -> PolicyDocument:
        return self.policy.document

    @cached_property
    def rules(self) -> KindRules:
        return rules_for(self.kind)

    @cached_property
    def view(self) -> DocumentView:
        return DocumentView(self.policy.raw)

    @cached_property
    def statements(self) -> tuple[StatementInView, ...]:
        """Model and raw view side by side; a valid policy has one view per statement."""
        return tuple(StatementInView(index, model, view) for index, (model, view) in
                     enumerate(zip(self.document.statements, self.view.statements,
                                   strict=True)))

    @cached_property
    def compiled(self) -> CompiledPolicy:
        """The engine's compiled form, built once and shared by every rule."""
        return compile_policy(self.document, name=self.policy.name or "policy")


Check = Callable[[LintTarget], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class LintRule:
    """A registered rule. `kinds` None means every policy kind."""

    code: str
    name: str
    severity: Severity
    check: Check = field(repr=False)
    kinds: frozenset[PolicyKind] | None = None
    enabled_by_default: bool = True
    summary: str = ""
    help_uri: str = ""

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code):
            raise ValueError(f"lint rule code {self.code!r} is not UPPER_SNAKE_CASE")
        if not NAME.fullmatch(self.name):
            raise ValueError(f"lint rule name {self.name!r} is not kebab-case")
        if not self.summary:
            object.__setattr__(self, "summary", _first_line(self.documentation))
        if not self.help_uri:
            cited = _URL.search(self.documentation)
            object.__setattr__(self, "help_uri",
                               cited.group(0).rstrip(".,;") if cited else DEFAULT_HELP)

    @property
    def documentation(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    def applies_to(self, kind: PolicyKind) -> bool:
        return self.kinds is None or kind in self.kinds


def _first_line(text: str) -> str:
    return text.split("\n\n", 1)[0].replace("\n", " ").strip()


def rule(code: str, name: str, severity: Severity, *,
         kinds: Iterable[PolicyKind] | None = None,
         enabled_by_default: bool = True) -> Callable[[Check], LintRule]:
    """Decorator: turn a check function into a `LintRule`."""
    def wrap(check: Check) -> LintRule:
        return LintRule(code, name, severity, check,
                        frozenset(kinds) if kinds is not None else None, enabled_by_default)
    return wrap

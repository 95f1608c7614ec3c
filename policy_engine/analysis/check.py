"""Assertion files: every line a question, optionally with the decision it expects."""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.analysis.resolve import Resolver
from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.whatif import Assertion, Question, Script


@dataclass(frozen=True)
class CheckOutcome:
    line: int
    text: str
    assertion: Assertion | None  # None for a bare question
    result: EvaluationResult
    # An Allow for a caller outside the snapshot holds only if its own account allows it.
    allowed_if: str | None = None

    @property
    def expected(self) -> str | None:
        return None if self.assertion is None else self.assertion.expected

    @property
    def passed(self) -> bool:
        return self.assertion is None or self.assertion.accepts(self.result.decision.value)


@dataclass(frozen=True)
class CheckReport:
    source: str
    outcomes: tuple[CheckOutcome, ...]

    @property
    def failures(self) -> tuple[CheckOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def asserted(self) -> int:
        """How many items are `expect` lines (the rest are bare questions)."""
        return sum(o.assertion is not None for o in self.outcomes)

    @property
    def note(self) -> str | None:
        """What to say instead of `0/0 assertions hold` when nothing is asserted."""
        if self.asserted:
            return None
        count = len(self.outcomes)
        answered = f"{count} question{'' if count == 1 else 's'} answered" if count else \
            "no question either"
        return f"{self.source} has no `expect` lines: {answered}, nothing asserted"


def run_checks(resolver: Resolver, script: Script) -> CheckReport:
    outcomes = []
    for item in script.items:
        question: Question = item.question if isinstance(item, Assertion) else item
        result = resolver.ask(question, source=script.source)
        allowed_if = resolver.caller(question.principal).allowed_if if result.allowed \
            else None
        outcomes.append(CheckOutcome(question.line, question.text,
                                     item if isinstance(item, Assertion) else None,
                                     result, allowed_if))
    return CheckReport(script.source, tuple(outcomes))

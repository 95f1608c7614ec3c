"""The result of one lint run, as every formatter receives it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from policy_engine.errors import Problem
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.rule import LintRule
from policy_engine.lint.severity import Severity


@dataclass(frozen=True)
class FileSummary:
    """One input file: how it was read and how many policies it held."""

    source: str
    input_type: str
    documents: int
    kinds: tuple[str, ...] = ()
    kind_reason: str = ""
    text: str | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LintReport:
    files: tuple[FileSummary, ...]
    findings: tuple[LintFinding, ...]
    errors: tuple[Problem, ...]  # inputs that could not be read at all (exit 2)
    fail_on: Severity
    rules: tuple[LintRule, ...]  # the rules in force, for SARIF's rule metadata
    catalog_version: str = ""

    @property
    def failing(self) -> tuple[LintFinding, ...]:
        return tuple(f for f in self.findings if f.severity.at_least(self.fail_on))

    def counts(self) -> dict[str, int]:
        counted = Counter(finding.severity.value for finding in self.findings)
        return {severity.value: counted.get(severity.value, 0) for severity in Severity}

    def text_of(self, source: str) -> str | None:
        for summary in self.files:
            if summary.source == source:
                return summary.text
        return None

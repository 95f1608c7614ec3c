"""The four finding severities, the four finding types of IAM Access Analyzer's policy
validation (access-analyzer-reference-policy-checks.html): error, security warning,
warning, suggestion. The order below is the order of importance."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    SECURITY_WARNING = "security-warning"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def rank(self) -> int:
        """0 for the most important; a finding fails a run when its rank is at most the
        `--fail-on` severity's rank."""
        return _ORDER.index(self)

    def at_least(self, threshold: Severity) -> bool:
        return self.rank <= threshold.rank


_ORDER = (Severity.ERROR, Severity.SECURITY_WARNING, Severity.WARNING, Severity.SUGGESTION)

# Without `--fail-on`, errors and security warnings fail the run.
DEFAULT_FAIL_ON = Severity.SECURITY_WARNING

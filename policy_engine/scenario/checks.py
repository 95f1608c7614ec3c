"""Running a scenario's checks: build its snapshot once, answer each access check with
the resolver (the engine), each model check with the scenario's own model.

Every failure to run (a snapshot that does not load, an expression that does not parse)
becomes one `CheckResult` with an error naming the scenario, never an exception."""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.analysis.resolve import Resolver
from policy_engine.errors import PolicyEngineError
from policy_engine.scenario.api import AccessCheck, ModelCheck, Scenario
from policy_engine.snapshot.load import load_snapshot_value
from policy_engine.whatif import Assertion, parse_script


@dataclass(frozen=True)
class CheckResult:
    scenario: str
    name: str
    expected: str
    actual: str | None
    doc: str
    passed: bool
    expression: str | None = None
    reason: str = ""  # the engine's deciding reason, or the error that kept it from running
    error: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"scenario": self.scenario, "name": self.name, "expected": self.expected,
                "actual": self.actual, "passed": self.passed, "doc": self.doc,
                "expression": self.expression, "reason": self.reason, "error": self.error}


def resolver_for(scenario: Scenario) -> Resolver:
    snapshot = load_snapshot_value(scenario.snapshot(), source=f"scenario {scenario.name}")
    return Resolver(snapshot)


def run_checks(scenario: Scenario) -> list[CheckResult]:
    try:
        checks = list(scenario.checks())
        resolver = resolver_for(scenario) if any(
            isinstance(c, AccessCheck) for c in checks) else None
    except PolicyEngineError as error:
        return [CheckResult(scenario.name, "snapshot", "loads", None, "", False,
                            reason=error.one_line(), error=True)]
    except Exception as error:  # the plugin's own bug
        return [CheckResult(scenario.name, "snapshot", "loads", None, "", False,
                            reason=f"{type(error).__name__}: {error}", error=True)]
    return [_run(scenario, check, resolver) for check in checks]


def _run(scenario: Scenario, check: AccessCheck | ModelCheck,
         resolver: Resolver | None) -> CheckResult:
    if isinstance(check, ModelCheck):
        try:
            actual = check.actual()
        except Exception as error:  # a model check's failure is the check's, not the run's
            return CheckResult(scenario.name, check.name, check.expected, None, check.doc,
                               False, reason=f"{type(error).__name__}: {error}", error=True)
        return CheckResult(scenario.name, check.name, check.expected, actual, check.doc,
                           actual == check.expected)
    assert resolver is not None
    try:
        script = parse_script(check.expect, source=f"scenario {scenario.name}: {check.name}")
        item = script.items[0]
        if len(script.items) != 1 or not isinstance(item, Assertion):
            raise ValueError("an access check is exactly one `expect DECISION: ...` line")
        result = resolver.ask(item.question, source=script.source)
    except (PolicyEngineError, ValueError) as error:
        text = error.one_line() if isinstance(error, PolicyEngineError) else str(error)
        return CheckResult(scenario.name, check.name, "?", None, check.doc, False,
                           check.expect, text, error=True)
    actual = result.decision.value
    return CheckResult(scenario.name, check.name, item.expected, actual, check.doc,
                       item.accepts(actual), check.expect, result.verdict.reason)

"""Every rule's pass/fail cases (`tests/lint/cases/*.json`), run by one harness.

A case file holds the cases of one rule (or of several, each case naming its `rule`):

    {"rule": "CODE", "cases": [
      {"name": "...", "kind": "identity", "policy": {...},
       "expect": ["/Statement/0/Resource"],          # pointers of the findings, or
       "expect": [{"pointer": "...", "message": "substring"}],
       "doc": "https://docs.aws.amazon.com/..."}]}     # the page the expectation rests on

`expect: []` is a pass case: the rule must report nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policy_engine.lint.registry import default_registry
from policy_engine.lint.rules.grammar import RULES as GRAMMAR_RULES
from tests.lint.harness import lint_value

CASES_DIR = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.json"))


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in _case_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            found.append((path.stem, case.get("rule", data.get("rule")), case))
    return found


CASES = _cases()


@pytest.mark.parametrize(("file", "code", "case"), CASES,
                         ids=[f"{f}:{c['name']}" for f, _, c in CASES])
def test_case(file: str, code: str, case: dict[str, Any]) -> None:
    findings = [f for f in lint_value(case["policy"], case["kind"], only=code,
                                      subject=case.get("subject")) if f.code == code]
    expected = [e if isinstance(e, dict) else {"pointer": e} for e in case["expect"]]
    assert sorted(f.pointer for f in findings) == sorted(e["pointer"] for e in expected), (
        [f.one_line() for f in findings])
    for wanted in expected:
        if "message" in wanted:
            assert any(wanted["message"] in f.message for f in findings
                       if f.pointer == wanted["pointer"]), [f.message for f in findings]


def test_every_check_rule_has_passing_and_failing_cases() -> None:
    by_rule: dict[str, list[bool]] = {}
    for _, code, case in CASES:
        by_rule.setdefault(code, []).append(bool(case["expect"]))
    grammar = {rule.code for rule in GRAMMAR_RULES}
    for rule in default_registry().rules:
        if rule.code in grammar or rule.check.__module__.split(".")[0] != "policy_engine":
            continue
        outcomes = by_rule.get(rule.code, [])
        assert True in outcomes and False in outcomes, (
            f"{rule.code} needs at least one failing and one passing case")


def test_case_files_name_known_rules() -> None:
    registry = default_registry()
    unknown = {code for _, code, _ in CASES if registry.get(code) is None}
    assert not unknown

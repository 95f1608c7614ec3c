"""`formatters.decision_json`: one compact JSON object per decision."""

from __future__ import annotations

import json

import pytest

from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.formatters import decision_json

DECISIONS = ["allowed", "explicitDeny", "implicitDeny"]
BRIEF_EXPLANATION_KEYS = {"decided_by", "reason", "deciding_policy", "deciding_statement"}


@pytest.mark.parametrize("decision", DECISIONS)
def test_render_is_one_line_of_the_result_as_json(
        results: dict[str, EvaluationResult], decision: str) -> None:
    result = results[decision]
    text = decision_json.render(result)
    assert "\n" not in text
    body = json.loads(text)
    assert body == result.to_dict()
    assert body["decision"] == decision
    explanation = body["explanation"]
    assert explanation["decided_by"] == result.verdict.gate.value
    assert [p["name"] for p in explanation["policies"]] == ["read", "guard"]
    assert explanation["request"]["principal"] == "arn:aws:iam::111122223333:user/john"


def test_render_names_the_case_first_when_given_a_source(
        results: dict[str, EvaluationResult]) -> None:
    body = json.loads(decision_json.render(results["allowed"], source="a/case.json"))
    assert list(body)[:3] == ["case", "decision", "explanation"]
    assert body["case"] == "a/case.json"
    assert "case" not in json.loads(decision_json.render(results["allowed"]))


def test_the_deciding_statement_is_named(results: dict[str, EvaluationResult]) -> None:
    allowed = json.loads(decision_json.render(results["allowed"]))["explanation"]
    denied = json.loads(decision_json.render(results["explicitDeny"]))["explanation"]
    assert (allowed["deciding_policy"], allowed["deciding_statement"]) == ("read", 0)
    assert (denied["deciding_policy"], denied["deciding_statement"]) == ("guard", 0)
    guard = next(p for p in allowed["policies"] if p["name"] == "guard")
    assert guard["statements"][0]["matched"] is False
    assert guard["statements"][0]["mismatch"] == "resource"


@pytest.mark.parametrize("decision", DECISIONS)
def test_render_brief_has_the_verdict_and_no_traces(
        results: dict[str, EvaluationResult], decision: str) -> None:
    result = results[decision]
    body = json.loads(decision_json.render_brief(result))
    assert set(body) == {"decision", "explanation"}
    assert set(body["explanation"]) == BRIEF_EXPLANATION_KEYS
    assert body["decision"] == decision
    full = json.loads(decision_json.render(result))["explanation"]
    assert body["explanation"] == {key: full[key] for key in BRIEF_EXPLANATION_KEYS}


def test_render_brief_of_an_implicit_deny_names_no_statement(
        results: dict[str, EvaluationResult]) -> None:
    explanation = json.loads(decision_json.render_brief(results["implicitDeny"]))["explanation"]
    assert explanation["deciding_policy"] is None
    assert explanation["deciding_statement"] is None
    assert explanation["reason"]

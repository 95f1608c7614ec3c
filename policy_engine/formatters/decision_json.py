"""A decision as JSON: `{"decision": ..., "explanation": {...}}`."""

from __future__ import annotations

import json
from functools import lru_cache

from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.engine.result import Verdict


def render(result: EvaluationResult, *, source: str | None = None) -> str:
    body: dict[str, object] = {}
    if source is not None:
        body["case"] = source
    body.update(result.to_dict())
    return json.dumps(body, separators=(",", ":"))


def render_brief(result: EvaluationResult) -> str:
    """The batch path: decision and the one-line reason, without statement traces."""
    return _brief(result.verdict)


@lru_cache(maxsize=4096)
def _brief(verdict: Verdict) -> str:
    # Verdicts repeat across a batch; each distinct one is rendered once.
    explanation: dict[str, object] = {
        "decided_by": verdict.gate.value, "reason": verdict.reason,
        "deciding_policy": verdict.deciding_policy,
        "deciding_statement": verdict.deciding_statement}
    if verdict.service_rule is not None:
        explanation["service_rule"] = verdict.service_rule.to_dict()
    return json.dumps({"decision": verdict.decision.value, "explanation": explanation},
                      separators=(",", ":"))

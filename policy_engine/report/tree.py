"""An evaluation's explanation as a tree of short labelled lines, for the HTML report.

The report shows the engine's trace, not a summary of it: the verdict (gate, reason,
deciding policy and statement), then every policy that took part with each statement's
outcome, and the KMS grants and S3 settings when they were consulted. Pure data: the
report's script turns it into nested lists.
"""

from __future__ import annotations

from typing import Any, TypedDict

from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.engine.result import PolicyTrace, StatementTrace


class Node(TypedDict, total=False):
    label: str
    tone: str  # allow | deny | neutral: how the report colours the line
    children: list[Node]


def explanation_tree(result: EvaluationResult) -> Node:
    verdict = result.verdict
    decided = f"{verdict.decision.value}, decided by the {verdict.gate.value} step"
    children: list[Node] = [{"label": verdict.reason, "tone": "neutral"}]
    if verdict.deciding_policy is not None:
        where = f"deciding policy: {verdict.deciding_policy}"
        if verdict.deciding_statement is not None:
            where += f", statement {verdict.deciding_statement}"
        children.append({"label": where, "tone": "neutral"})
    if verdict.service_rule is not None:
        children.append({"label": f"service rule: {verdict.service_rule.name} "
                                  f"({verdict.service_rule.doc})", "tone": "neutral"})
    children.extend({"label": f"note: {note}", "tone": "neutral"} for note in verdict.notes)
    children.extend(_policy(p) for p in result.explanation.policies)
    for grant in result.explanation.grants:
        children.append({"label": f"KMS grant {grant.name or grant.grant_id or grant.label}: "
                                  f"{grant.detail}",
                         "tone": "allow" if grant.applies else "neutral"})
    if result.explanation.s3 is not None:
        children.append(_mapping("S3 settings", result.explanation.s3))
    tone = "allow" if result.allowed else "deny"
    return {"label": decided, "tone": tone, "children": children}


def _policy(trace: PolicyTrace) -> Node:
    level = f" (level {trace.level})" if trace.level is not None else ""
    label = f"{trace.slot.label} {trace.name}{level}"
    if not trace.applies and trace.note:
        label += f": {trace.note}"
    tone = "deny" if trace.denies else "allow" if trace.allows else "neutral"
    return {"label": label, "tone": tone, "children": [_statement(s) for s in trace.statements]}


def _statement(statement: StatementTrace) -> Node:
    name = f"statement {statement.index}" + (f" ({statement.sid})" if statement.sid else "")
    outcome = "applies" if statement.matched else (
        f"does not apply: {statement.mismatch.value}" if statement.mismatch else "does not apply")
    label = f"{statement.effect} {name}: {outcome}"
    if statement.detail and statement.detail != "applies":
        label += f" — {statement.detail}"
    tone = ("deny" if statement.effect == "Deny" else "allow") if statement.matched \
        else "neutral"
    node: Node = {"label": label, "tone": tone}
    if statement.conditions:
        node["children"] = [_mapping("condition", c) for c in statement.conditions]
    return node


def _mapping(title: str, value: dict[str, Any]) -> Node:
    return {"label": title, "tone": "neutral", "children": [
        {"label": f"{key}: {item}", "tone": "neutral"} for key, item in value.items()]}

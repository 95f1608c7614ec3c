"""A decision question answered by the engine and explained from its trace.

The answer is never stored in a bank: `solve` asks `evaluate()` and reads the verdict
(which gate decided, by which policy and statement) and the per-statement traces (why a
statement did or did not apply) to say why the right decision is right and why each of
the other two is wrong. Nothing here decides access; it only words what the engine did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policy_engine.case import Case
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.result import Decision, Gate, PolicyTrace, StatementTrace
from quizzes.model import DECISION_OPTIONS, DECISION_TEXT

GATE_WORDS: dict[Gate, str] = {
    Gate.EXPLICIT_DENY: "explicit deny",
    Gate.RCP: "resource control policy (RCP)",
    Gate.SCP: "service control policy (SCP)",
    Gate.RESOURCE_POLICY: "resource-based policy",
    Gate.IDENTITY: "identity-based policy",
    Gate.PERMISSIONS_BOUNDARY: "permissions boundary",
    Gate.SESSION_POLICY: "session policy",
    Gate.KEY_POLICY: "KMS key policy",
    Gate.TRUST_POLICY: "role trust policy",
    Gate.ROOT: "root user",
    Gate.SERVICE_RULE: "service-specific rule",
    Gate.BLOCK_PUBLIC_ACCESS: "S3 Block Public Access",
    Gate.ACL: "S3 access control list (ACL)",
    Gate.GRANT: "KMS grant",
    Gate.VPC_ENDPOINT: "VPC endpoint policy",
}

_SLOT_WORDS = {"scp": "SCP", "rcp": "RCP", "resource": "resource policy", "key": "key policy",
               "trust": "trust policy", "identity": "identity policy",
               "permissions-boundary": "permissions boundary", "session": "session policy"}


@dataclass(frozen=True)
class Solution:
    """The engine's answer to a decision question, with one explanation per option."""

    decision: Decision
    letter: str
    gate: Gate
    summary: str  # the deciding gate, policy and statement, and the engine's reason
    why: dict[str, str]  # option letter -> why it is right or wrong
    result: EvaluationResult

    @property
    def options(self) -> dict[str, str]:
        return {letter: DECISION_TEXT[d] for letter, d in DECISION_OPTIONS.items()}


def solve(case: Case) -> Solution:
    result = evaluate(case.request, case.policies)
    decision = result.decision
    letter = next(k for k, d in DECISION_OPTIONS.items() if d is decision)
    summary = deciding_summary(result)
    why = {k: (f"Correct. {summary}" if d is decision else wrong_because(d, result))
           for k, d in DECISION_OPTIONS.items()}
    return Solution(decision, letter, result.verdict.gate, summary, why, result)


def deciding_summary(result: EvaluationResult) -> str:
    verdict = result.verdict
    text = (f"The engine decides {verdict.decision.value} at the "
            f"{GATE_WORDS[verdict.gate]} step: {verdict.reason}.")
    if verdict.deciding_policy is not None:
        text += f" Deciding policy: `{verdict.deciding_policy}`"
        statement = _statement(result, verdict.deciding_policy, verdict.deciding_statement)
        if statement is not None:
            text += f", {_name_statement(statement)}"
        text += "."
    return text


def wrong_because(option: Decision, result: EvaluationResult) -> str:
    """Why `option` is not the decision, from the trace."""
    actual = result.decision
    policies = result.explanation.policies
    if option is Decision.ALLOWED:
        if actual is Decision.EXPLICIT_DENY:
            return ("Wrong: an explicit Deny overrides every Allow. "
                    + _listing("Deny that applies", _matched(policies, "Deny")))
        return (f"Wrong: the {GATE_WORDS[result.verdict.gate]} step does not allow it "
                f"({result.verdict.reason}). "
                + _listing("Allow that does not apply", _at_gate(
                    _unmatched(policies, "Allow"), result.verdict.gate),
                           empty="No policy there has an Allow statement for this request."))
    if option is Decision.EXPLICIT_DENY:
        return ("Wrong: no Deny statement applies. "
                + _listing("Deny that does not apply", _unmatched(policies, "Deny"),
                           empty="None of the policies has a Deny statement."))
    if actual is Decision.EXPLICIT_DENY:
        return ("Wrong: a Deny statement applies, so the denial is explicit, not just the "
                "absence of an Allow. " + _listing("Deny that applies",
                                                   _matched(policies, "Deny")))
    return ("Wrong: every policy that must allow the request does. "
            + _listing("Allow that applies", _matched(policies, "Allow")))


def _statement(result: EvaluationResult, policy: str, index: int | None
               ) -> tuple[PolicyTrace, StatementTrace] | None:
    if index is None:
        return None
    for trace in result.explanation.policies:
        if trace.name == policy:
            for statement in trace.statements:
                if statement.index == index:
                    return trace, statement
    return None


Found = tuple[PolicyTrace, StatementTrace]


def _matched(policies: Iterable[PolicyTrace], effect: str) -> list[Found]:
    return [(p, s) for p in policies if p.applies for s in p.statements
            if s.effect == effect and s.matched]


def _unmatched(policies: Iterable[PolicyTrace], effect: str) -> list[Found]:
    return [(p, s) for p in policies for s in p.statements
            if s.effect == effect and not s.matched]


# The part a policy plays at each gate, so a refusal lists the statements of that part.
_GATE_SLOTS: dict[Gate, str] = {
    Gate.SCP: "scp", Gate.RCP: "rcp", Gate.RESOURCE_POLICY: "resource",
    Gate.KEY_POLICY: "key", Gate.TRUST_POLICY: "trust", Gate.IDENTITY: "identity",
    Gate.PERMISSIONS_BOUNDARY: "permissions-boundary", Gate.SESSION_POLICY: "session",
}


def _at_gate(found: list[Found], gate: Gate) -> list[Found]:
    """The statements of the policies that play the deciding gate's part, when there are
    any; otherwise all of them (the gate may have had no policy at all)."""
    slot = _GATE_SLOTS.get(gate)
    narrowed = [(p, s) for p, s in found if p.slot.label == slot]
    return narrowed or found


def _name_statement(found: Found) -> str:
    policy, statement = found
    sid = f" (Sid `{statement.sid}`)" if statement.sid else ""
    role = _SLOT_WORDS.get(policy.slot.label, policy.slot.label)
    return f"statement {statement.index}{sid} of the {role}"


def _listing(what: str, found: list[Found], *, empty: str = "") -> str:
    if not found:
        return empty
    parts = []
    for policy, statement in found[:4]:
        where = f"`{policy.name}` {_name_statement((policy, statement))}"
        detail = statement.detail if statement.detail and statement.detail != "applies" else ""
        if not policy.applies and policy.note:
            detail = policy.note
        parts.append(where + (f": {detail}" if detail else ""))
    more = f" (and {len(found) - 4} more)" if len(found) > 4 else ""
    return f"{what}: " + "; ".join(parts) + more + "."

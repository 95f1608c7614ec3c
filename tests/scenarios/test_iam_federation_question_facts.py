"""Facts the iam-sts-federation questions state in their stems. A request signed with an
IAM user's long-term access keys carries no `aws:MultiFactorAuthPresent` key (it is
absent, not false), so a question about long-term keys must ask without it; a `Bool`
condition on an absent key does not match, so the Allow that requires MFA does not apply.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
"""

from __future__ import annotations

from policy_engine.engine.evaluate import evaluate
from policy_engine.scenario.registry import discover
from quizzes.model import DecisionQuestion
from quizzes.scenario_bank import scenario_bank


def test_a_long_term_key_question_asks_without_the_mfa_key() -> None:
    [scenario] = [s for s in discover().scenarios if s.name == "iam-sts-federation"]
    bank = scenario_bank(scenario)
    asked = [q for q in bank.questions if isinstance(q, DecisionQuestion)
             and "long-term" in q.stem and "MultiFactorAuthPresent" in q.stem]
    assert asked
    for question in asked:
        assert "multifactorauthpresent" not in (question.ask or "").lower()
        assert "is false" not in question.stem
        case = bank.cases[question.id]
        assert "aws:multifactorauthpresent" not in case.request.context
        assert evaluate(case.request, case.policies).decision.value == "implicitDeny"

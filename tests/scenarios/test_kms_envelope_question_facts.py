"""Facts the kms-envelope-encryption questions teach in their explanations, checked
against the AWS pages they cite. Encrypt takes up to 4,096 bytes with a symmetric
encryption key, and less with an RSA key (RSA_2048 with RSAES_OAEP_SHA_256: 190 bytes):
the limit does depend on the key type.
https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html
https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html
"""

from __future__ import annotations

from policy_engine.scenario.registry import discover
from quizzes.model import ChoiceQuestion
from quizzes.scenario_bank import scenario_bank


def _question(question_id: str) -> ChoiceQuestion:
    [scenario] = [s for s in discover().scenarios if s.name == "kms-envelope-encryption"]
    [question] = [q for q in scenario_bank(scenario).questions if q.id == question_id]
    assert isinstance(question, ChoiceQuestion)
    return question


def test_the_asymmetric_option_says_rsa_keys_take_less() -> None:
    question = _question("kms-envelope-direct-encrypt-limit")
    [asymmetric] = [o for o in question.options.values() if "asymmetric" in o.text]
    assert "does not depend on the key type" not in asymmetric.why
    assert "190 bytes" in asymmetric.why
    assert any(r.endswith("/asymmetric-key-specs.html") for r in question.references)

"""Every gate the engine can decide at has words in the quiz's explanations: a decision
question must never fail to explain itself (a KMS grant's decision once raised KeyError).
"""

from policy_engine.engine.result import Gate
from quizzes.explain import GATE_WORDS


def test_every_gate_has_words() -> None:
    assert set(GATE_WORDS) == set(Gate)

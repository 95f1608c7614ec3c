"""Generated decision questions: 1,000 seeded questions, each answered by the library and,
independently, by `policy-engine simulate --batch` (one process); replay by seed; every
difficulty; an even spread of answers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.engine.result import Decision
from policy_engine.errors import PolicyEngineError
from quizzes.generator import DIFFICULTIES, GENERATED_TOPICS, Generated, generate
from quizzes.model import DECISION_OPTIONS, DecisionQuestion

SEED = 2026
COUNT = 1000


@pytest.fixture(scope="module")
def questions() -> list[Generated]:
    return generate(SEED, COUNT)


def _cli() -> list[str]:
    script = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    return [script]


def _library_decisions(questions: list[Generated]) -> list[str]:
    """Each question's case read again from its stored form and evaluated."""
    decisions = []
    for generated in questions:
        case = parse_case_value(generated.question.case, source=generated.question.id)
        decisions.append(evaluate(case.request, case.policies).decision.value)
    return decisions


def test_library_and_cli_agree_on_1000_generated_questions(
        questions: list[Generated], tmp_path: Path) -> None:
    lines = tmp_path / "generated.jsonl"
    lines.write_text("".join(json.dumps(g.question.case) + "\n" for g in questions))
    done = subprocess.run([*_cli(), "simulate", "--batch", str(lines)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    cli = [json.loads(line)["decision"] for line in done.stdout.splitlines()]
    library = _library_decisions(questions)
    assert len(cli) == len(library) == COUNT
    differ = [f"{g.question.id}: library {a}, cli {b}"
              for g, a, b in zip(questions, library, cli, strict=True) if a != b]
    assert differ == []
    solved = [g.solve().decision.value for g in questions]
    assert solved == library


def test_every_question_is_a_well_formed_decision_question(questions: list[Generated]) -> None:
    for generated in questions:
        question = generated.question
        assert isinstance(question, DecisionQuestion)
        assert question.case is not None and question.case_file is None
        assert "answer" not in question.model_dump()
        assert question.stem.endswith("What is the decision?")
        assert question.references
        assert question.id.startswith(f"gen-{generated.template}-")


def test_distractors_are_explained_from_the_trace(questions: list[Generated]) -> None:
    for generated in questions[:200]:
        solution = generated.solve()
        assert set(solution.why) == set(DECISION_OPTIONS)
        assert solution.why[solution.letter].startswith("Correct.")
        assert all(why.startswith("Wrong:") for letter, why in solution.why.items()
                   if letter != solution.letter)


def test_each_decision_is_at_least_a_fifth_of_the_answers(questions: list[Generated]) -> None:
    spread = Counter(g.solve().decision for g in questions)
    assert set(spread) == set(Decision)
    assert all(n >= COUNT // 5 for n in spread.values()), spread


def test_the_same_seed_replays_the_same_questions(questions: list[Generated]) -> None:
    again = generate(SEED, 50)
    assert [g.question for g in again] == [g.question for g in questions[:50]]
    assert [g.question.model_dump_json() for g in generate("exam-1", 20)] == \
        [g.question.model_dump_json() for g in generate("exam-1", 20)]


def test_different_seeds_give_different_questions() -> None:
    first = {g.question.id for g in generate(1, 30)}
    second = {g.question.id for g in generate(2, 30)}
    assert len(first & second) < 5


def test_global_random_state_is_neither_used_nor_changed() -> None:
    import random
    random.seed(5)
    before = random.getstate()
    ids = [g.question.id for g in generate(9, 20)]
    assert random.getstate() == before
    random.seed(99)
    assert [g.question.id for g in generate(9, 20)] == ids


def test_every_difficulty_and_what_it_means(questions: list[Generated]) -> None:
    assert {g.question.difficulty for g in questions} == set(DIFFICULTIES)
    for difficulty in DIFFICULTIES:
        drawn = generate(3, 60, difficulty=difficulty)
        assert {g.question.difficulty for g in drawn} == {difficulty}
        for generated in drawn:
            case = generated.question.case or {}
            parts = _mechanisms(case)
            if difficulty == "easy":
                assert parts == ["identity_policies"] and len(case["identity_policies"]) == 1
            elif difficulty == "medium":
                assert len(parts) == 2 or "resource_policy" in parts
            else:
                cross = _account(case["request"]["principal"]) != _resource_account(case)
                assert len(parts) >= 3 or cross or "context" in case["request"]


def _mechanisms(case: dict) -> list[str]:
    return [key for key in ("identity_policies", "permission_boundary", "session_policy",
                            "resource_policy", "scps") if case.get(key)]


def _account(arn: str) -> str:
    return arn.split(":")[4]


def _resource_account(case: dict) -> str:
    request = case["request"]
    return request.get("resource_account") or _account(request["resource"])


def test_hard_questions_include_cross_account_and_conditions() -> None:
    drawn = generate(4, 200, difficulty="hard")
    cases = [g.question.case or {} for g in drawn]
    assert any(_account(c["request"]["principal"]) != _resource_account(c) for c in cases)
    assert any("Condition" in json.dumps(c) for c in cases)
    assert any(len(c.get("scps") or []) == 3 for c in cases)
    text = json.dumps(cases)
    for element in ("NotAction", "NotResource", "EnableIAMUserPermissions"):
        assert element in text


def test_topic_filter_and_unknown_topic() -> None:
    for topic in GENERATED_TOPICS:
        assert {g.question.topic for g in generate(5, 15, topic=topic)} == {topic}
    with pytest.raises(PolicyEngineError, match="no generated questions for topic `lex`"):
        generate(5, 3, topic="lex")
    with pytest.raises(PolicyEngineError, match="unknown difficulty `extreme`"):
        generate(5, 3, difficulty="extreme")

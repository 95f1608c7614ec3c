"""The curated banks: every file matches the generated JSON Schema and loads through the
model; every question is well formed; every topic of issue 8 (item 2) has questions; every
decision question's case is answered by the engine and explained from its trace."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from quizzes.bank import BANKS_DIR, bank_paths, load_banks
from quizzes.explain import GATE_WORDS, solve
from quizzes.model import DECISION_OPTIONS, ChoiceQuestion, DecisionQuestion
from quizzes.schema import SCHEMA_PATH, bank_schema
from quizzes.topics import Topic

PATHS = bank_paths(BANKS_DIR)
BANKS = load_banks()
QUESTIONS = BANKS.questions
CHOICES = [q for q in QUESTIONS if isinstance(q, ChoiceQuestion)]
DECISIONS = [q for q in QUESTIONS if isinstance(q, DecisionQuestion)]

# The issue's list (item 2), each subject with the topics that teach it.
ISSUE_SUBJECTS: dict[str, tuple[Topic, ...]] = {
    "IAM users, groups, roles": (Topic.IAM_IDENTITIES,),
    "long-term vs temporary credentials": (Topic.CREDENTIALS,),
    "STS API methods, callers, credentials, durations": (Topic.STS,),
    "web and SAML federation": (Topic.FEDERATION,),
    "IAM best practices": (Topic.IAM_BEST_PRACTICES,),
    "policy types (SCP, RCP, identity, resource, boundary, session)": (Topic.POLICY_TYPES,),
    "evaluation in one account": (Topic.EVALUATION_SAME_ACCOUNT,),
    "evaluation across accounts": (Topic.EVALUATION_CROSS_ACCOUNT,),
    "KMS keys, data keys, envelope encryption, 4 KB limit": (Topic.KMS_KEYS,),
    "KMS key policies (administrators vs users)": (Topic.KMS_KEY_POLICIES,),
    "KMS rotation": (Topic.KMS_ROTATION,),
    "KMS grants": (Topic.KMS_GRANTS,),
    "encryption context": (Topic.ENCRYPTION_CONTEXT,),
    "S3 storage classes and durability": (Topic.S3_STORAGE_CLASSES,),
    "S3 lifecycle": (Topic.S3_LIFECYCLE,),
    "S3 versioning and delete markers": (Topic.S3_VERSIONING,),
    "S3 encryption options": (Topic.S3_ENCRYPTION,),
    "S3 ACLs vs policies, Object Ownership, Block Public Access": (Topic.S3_ACCESS_CONTROL,),
    "CloudFront static hosting with origin access control": (Topic.CLOUDFRONT_OAC,),
    "Route 53 hosted zones and subdomain delegation": (Topic.ROUTE53_ZONES,),
    "alias vs CNAME": (Topic.ROUTE53_ALIAS,),
    "Lambda layers and their limits": (Topic.LAMBDA_LAYERS,),
    "Lex (intents, utterances, slots, prompts, fulfillment)": (Topic.LEX,),
    "Comprehend": (Topic.COMPREHEND,),
}


def _raw(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_the_schema_file_is_the_generated_schema() -> None:
    assert json.loads(SCHEMA_PATH.read_text()) == bank_schema(), \
        "regenerate with `python -m quizzes.schema`"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_bank_file_matches_the_json_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(bank_schema())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(_raw(path))]
    assert errors == []


def test_at_least_200_curated_questions_with_unique_ids() -> None:
    ids = [q.id for q in QUESTIONS]
    assert len(ids) >= 200
    assert [i for i, n in Counter(ids).items() if n > 1] == []


@pytest.mark.parametrize("question", CHOICES, ids=lambda q: q.id)
def test_choice_question_is_well_formed(question: ChoiceQuestion) -> None:
    correct = set(question.answer)
    assert correct <= set(question.options)
    if question.kind in ("single", "true-false"):
        assert len(correct) == 1
    else:
        assert 2 <= len(correct) < len(question.options)
    assert all(option.why.strip() for option in question.options.values())
    assert question.references
    assert all(ref.startswith(("https://docs.aws.amazon.com/", "https://aws.amazon.com/"))
               for ref in question.references)


def test_coverage_table_every_issue_subject_has_questions() -> None:
    per_topic = Counter(q.topic for q in QUESTIONS)
    table = {subject: sum(per_topic[t] for t in topics)
             for subject, topics in ISSUE_SUBJECTS.items()}
    assert {s: n for s, n in table.items() if n < 3} == {}, table
    assert set(Topic) == {t for topics in ISSUE_SUBJECTS.values() for t in topics}


def test_at_least_25_decision_questions() -> None:
    assert len(DECISIONS) >= 25


@pytest.mark.parametrize("question", DECISIONS, ids=lambda q: q.id)
def test_decision_question_is_answered_and_explained_by_the_engine(
        question: DecisionQuestion) -> None:
    solution = solve(BANKS.case(question))
    assert DECISION_OPTIONS[solution.letter] is solution.decision
    assert GATE_WORDS[solution.gate] in solution.summary
    deciding = solution.result.verdict.deciding_policy
    if deciding is not None:
        assert f"`{deciding}`" in solution.summary
    assert set(solution.why) == set(DECISION_OPTIONS)
    assert solution.why[solution.letter].startswith("Correct.")
    assert all(why.startswith("Wrong:") for letter, why in solution.why.items()
               if letter != solution.letter)


def test_decision_questions_are_not_all_one_answer() -> None:
    decisions = Counter(solve(BANKS.case(q)).decision for q in DECISIONS)
    assert len(decisions) == 3, decisions

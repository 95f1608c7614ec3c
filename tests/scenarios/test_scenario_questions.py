"""Scenario quiz questions: every built-in scenario contributes at least ten, checked as a
bank file is; `ask` questions are answered over the scenario's snapshot and written out as
cases that `policy-engine simulate` answers the same way; a plugin whose questions break a
rule is one warning line and the quiz goes on (issue 8 item 3, issue 9)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from policy_engine.analysis.case_export import export_case
from policy_engine.analysis.resolve import Resolver
from policy_engine.case import parse_case_value
from policy_engine.cli.app import main
from policy_engine.engine.evaluate import evaluate
from policy_engine.scenario.api import AccessCheck
from policy_engine.scenario.checks import resolver_for
from policy_engine.scenario.registry import discover
from policy_engine.snapshot.load import load_snapshot
from policy_engine.whatif import Assertion, parse_script
from quizzes.bank import BankError, parse_bank_value
from quizzes.model import DECISION_OPTIONS, ChoiceQuestion, DecisionQuestion
from quizzes.scenario_bank import load_quiz_banks, scenario_bank

SCENARIOS = discover().scenarios
EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org"


@pytest.fixture(autouse=True)
def quiz_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "quiz.sqlite3"
    monkeypatch.setenv("POLICY_ENGINE_QUIZ_DB", str(path))
    return path


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_scenario_contributes_ten_valid_questions(scenario) -> None:  # type: ignore[no-untyped-def]
    bank = scenario_bank(scenario)
    assert len(bank.questions) >= 10
    for question in bank.questions:
        if isinstance(question, DecisionQuestion):
            assert question.ask is not None and question.id in bank.cases
        else:
            assert isinstance(question, ChoiceQuestion) and question.answer


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_access_check_written_as_a_case_decides_the_same(scenario) -> None:  # type: ignore[no-untyped-def]
    """The case file a what-if question becomes (shared/DESIGN.md, "The case file") is
    answered by `evaluate()` exactly as the resolver answers the question."""
    resolver = resolver_for(scenario)
    for check in scenario.checks():
        if not isinstance(check, AccessCheck):
            continue
        item = parse_script(check.expect).items[0]
        assert isinstance(item, Assertion)
        exported = export_case(resolver, item.question)
        again = parse_case_value(json.loads(json.dumps(exported.value)))
        assert evaluate(again.request, again.policies).decision is exported.result.decision
        assert item.accepts(exported.result.decision.value), check.name


def test_the_example_organization_assertions_export_as_cases() -> None:
    """SCPs and RCPs by level (RCPFullAWSAccess included), S3 Block Public Access, VPC
    endpoint policies and KMS grants all survive the trip to a case file."""
    resolver = Resolver(load_snapshot([EXAMPLE / "snapshot.yaml"]))
    items = [i for i in parse_script((EXAMPLE / "assertions.whatif").read_text()).items
             if isinstance(i, Assertion)]
    assert len(items) >= 30
    for item in items:
        exported = export_case(resolver, item.question)
        assert item.accepts(exported.result.decision.value), item.question.text
        assert exported.case.request.action == item.question.action


def run(capsys, monkeypatch, *args: str, stdin: str = ""):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out, err


def test_a_quiz_on_a_scenario_topic_shows_recomputable_cases(capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "quiz", "--topic", "kms-grants", "--count",
                         "30", "--seed", "3", "--format", "json", stdin="A\n" * 30)
    assert code == 0, err
    asked = [q for q in json.loads(out)["questions"] if q.get("ask")]
    assert {q["id"] for q in asked} >= {"kms-envelope-grant-constraint",
                                         "kms-envelope-grant-allows"}
    for question in asked:
        case = parse_case_value(question["case"])
        decision = evaluate(case.request, case.policies).decision
        assert DECISION_OPTIONS[question["correct"][0]] is decision


BANK_WITH_ASK = {"title": "asked over the example organization", "questions": [{
    "id": "example-carol-reads", "kind": "decision", "topic": "evaluation-same-account",
    "domains": ["scs-c02:iam"], "difficulty": "easy",
    "stem": "Can carol read q1.csv over TLS?",
    "references": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                   "reference_policies_evaluation-logic.html"],
    "ask": "111122223333:user/carol s3:GetObject arn:aws:s3:::example-prod-analytics/q1.csv "
           "when aws:SecureTransport = true",
    "snapshot_file": "snapshot.yaml"}]}


def test_a_bank_question_asked_over_a_snapshot_file() -> None:
    bank = parse_bank_value(BANK_WITH_ASK, source="bank.yaml", base=EXAMPLE)
    case = bank.cases["example-carol-reads"]
    assert bank.case_values["example-carol-reads"]["request"]["action"] == "s3:GetObject"
    assert evaluate(case.request, case.policies).decision.value == "allowed"


@pytest.mark.parametrize(("change", "message"), [
    ({"snapshot_file": None}, "needs the `snapshot_file`"),
    ({"ask": "user/carol s3:GetObject"}, "question `example-carol-reads`"),
    ({"case": {"request": {}}}, "exactly one of `case`, `case_file` and `ask`"),
    ({"ask": "user/nobody s3:GetObject arn:aws:s3:::example-prod-analytics/x"},
     "user/nobody"),
])
def test_bad_ask_questions_are_one_located_line(change: dict, message: str) -> None:
    question = {k: v for k, v in {**BANK_WITH_ASK["questions"][0], **change}.items()
                if v is not None}
    with pytest.raises(BankError) as error:
        parse_bank_value({**BANK_WITH_ASK, "questions": [question]}, source="bank.yaml",
                         base=EXAMPLE)
    line = error.value.one_line()
    assert line.startswith("bank.yaml") and message in line and "\n" not in line


class _Broken:
    name = "broken-questions"
    title = "Questions that break the bank rules"
    topic = "sts"
    summary = "x"

    def snapshot(self):  # type: ignore[no-untyped-def]
        return {"format": "policy-engine-snapshot/1", "accounts": []}

    def checks(self):  # type: ignore[no-untyped-def]
        return []

    def questions(self):  # type: ignore[no-untyped-def]
        return [{"id": "broken-one", "kind": "single"}]

    def run(self, narrate):  # type: ignore[no-untyped-def]
        narrate("nothing")


def test_a_plugin_with_broken_questions_is_one_warning(monkeypatch, capsys) -> None:
    from policy_engine.scenario import registry

    found = registry.discover()
    monkeypatch.setattr("quizzes.scenario_bank.discover", lambda: registry.Discovered(
        (*found.scenarios, _Broken()), found.broken))
    loaded = load_quiz_banks()
    assert len(loaded.warnings) == 1
    assert loaded.warnings[0].startswith("scenario plugin `broken-questions`: its quiz")
    assert {q.id for q in loaded.banks.questions} >= {"kms-envelope-grant-allows"}
    code, _, err = run(capsys, monkeypatch, "quiz", "--count", "2", "--seed", "1",
                       "--format", "json", stdin="A\nA\n")
    assert code == 0
    assert "warning: scenario plugin `broken-questions`" in err

"""Invalid bank files: each gives one clear line naming the file, the path of the bad
element and the problem, raised as the project's error type (a `PolicyEngineError`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_engine.errors import PolicyEngineError, ProblemCode
from quizzes.bank import BankError, load_bank, load_banks

GOOD = """\
title: test bank
questions:
  - id: sample-question
    kind: single
    topic: sts
    domains: [scs-c02:iam]
    difficulty: easy
    stem: Which STS operation returns credentials for a role?
    options:
      A: {text: AssumeRole, why: It returns temporary credentials for the role.}
      B: {text: GetCallerIdentity, why: It only says who the caller is.}
      C: {text: ListRoles, why: That is an IAM operation that lists roles.}
    answer: [A]
    references: [https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html]
"""

DECISION = """\
title: decisions
questions:
  - id: sample-decision
    kind: decision
    topic: evaluation-same-account
    domains: [scs-c02:iam]
    difficulty: easy
    stem: What is the decision?
    references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html]
    case:
      request:
        principal: arn:aws:iam::111122223333:user/ana
        action: s3:GetObject
        resource: arn:aws:s3:::example-bucket/a.txt
        resource_account: "111122223333"
      identity_policies:
        - Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: s3:GetObject, Resource: "*"}
"""


def _write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path: Path) -> BankError:
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert isinstance(caught.value, PolicyEngineError)
    assert "\n" not in caught.value.one_line()
    return caught.value


def test_a_good_bank_loads(tmp_path: Path) -> None:
    bank = load_bank(_write(tmp_path, GOOD))
    assert [q.id for q in bank.questions] == ["sample-question"]


def test_malformed_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("answer: [A]", "answer: [A"))
    error = _error(path)
    assert error.problems[0].code == ProblemCode.INVALID_YAML
    assert error.one_line().startswith(f"{path}:")


def test_malformed_json(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"title": "t", "questions": [}', "bank.json")
    error = _error(path)
    assert error.problems[0].code == ProblemCode.INVALID_JSON
    assert error.one_line().startswith(f"{path}:1:")


def test_unknown_key(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("    difficulty: easy", "    difficulty: easy\n"
                                         "    dificulty: easy"))
    line = _error(path).one_line()
    assert line == (f"{path}:8:5: questions[0].dificulty: unknown key `dificulty`; "
                    "did you mean `difficulty`?")


def test_wrong_type(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("stem: Which", "stem: 7 #"))
    line = _error(path).one_line()
    assert line.startswith(f"{path}:8:11: questions[0].stem: `stem` must be text")


def test_unknown_topic(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("topic: sts", "topic: stss"))
    line = _error(path).one_line()
    assert line.startswith(f"{path}:5:12: questions[0].topic: `topic` must be ")
    assert "`sts`" in line


def test_answer_letter_not_among_options(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("answer: [A]", "answer: [D]"))
    error = _error(path)
    assert error.one_line() == (f"{path}:13:14: questions[0].answer[0]: question "
                                "`sample-question`: answer `D` is not one of the options "
                                "(A, B, C)")


def test_single_with_two_answers(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("answer: [A]", "answer: [A, B]"))
    assert "a single question has exactly one answer, not 2" in _error(path).one_line()


def test_multiple_with_one_answer(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("kind: single", "kind: multiple"))
    assert "at least two answers" in _error(path).one_line()


def test_letters_out_of_order(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("      C: {", "      D: {"))
    assert "options must be lettered A, B, C in order" in _error(path).one_line()


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    body = GOOD.split("questions:\n", 1)[1]
    path = _write(tmp_path, GOOD + body)
    error = _error(path)
    assert error.problems[0].code == ProblemCode.DUPLICATE_QUESTION
    assert error.one_line() == (f"{path}:15:9: questions[1].id: question id "
                                "`sample-question` is already used by question 0")


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    first = _write(tmp_path, GOOD, "a.yaml")
    second = _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(BankError) as caught:
        load_banks(tmp_path)
    assert caught.value.one_line() == (f"{second}: questions[0].id: question id "
                                       f"`sample-question` is already used in {first}")


def test_reference_must_be_aws_documentation(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("https://docs.aws.amazon.com/STS",
                                         "https://example.com/STS"))
    assert "questions[0].references[0]" in _error(path).one_line()


def test_decision_question_loads_and_never_stores_an_answer(tmp_path: Path) -> None:
    bank = load_bank(_write(tmp_path, DECISION))
    assert list(bank.cases) == ["sample-decision"]
    path = _write(tmp_path, DECISION.replace("    case:", "    answer: [A]\n    case:"))
    assert "unknown key `answer`" in _error(path).one_line()


def test_decision_case_problem_is_placed_in_the_bank(tmp_path: Path) -> None:
    path = _write(tmp_path, DECISION.replace("Effect: Allow", "Effect: Alow"))
    line = _error(path).one_line()
    assert line.startswith(f"{path}:")
    assert "questions[0].case.identity_policies[0].Statement[0].Effect" in line
    assert "question `sample-decision`" in line


def test_decision_case_with_an_unknown_key(tmp_path: Path) -> None:
    path = _write(tmp_path, DECISION.replace("      identity_policies:",
                                             "      identity_policy:"))
    line = _error(path).one_line()
    assert "questions[0].case.identity_policy: question `sample-decision`: unknown key" in line

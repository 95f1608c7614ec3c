"""An `ask` question's `snapshot_file` that cannot be read is one line naming the bank,
the question's `snapshot_file` and the snapshot's own problem with its file (and line
where it has one): the reader has two files to look at, so the line names both
(shared/STYLE.md: one clear line naming file, path and problem)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.bank import BankError, parse_bank_value

QUESTION = {
    "id": "asked-over-a-snapshot", "kind": "decision", "topic": "evaluation-same-account",
    "domains": ["scs-c02:iam"], "difficulty": "easy", "stem": "Can alice read it?",
    "references": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                   "reference_policies_evaluation-logic.html"],
    "ask": "111122223333:user/alice s3:GetObject arn:aws:s3:::b/k"}


@pytest.mark.parametrize(("snapshot", "content", "problem"), [
    ("missing.yaml", None, "cannot read the file"),
    ("not-yaml.yaml", "a: [1,\n", "not-yaml.yaml:"),
    ("not-a-snapshot.yaml", "hello: world\n", "neither a policy-engine snapshot"),
])
def test_an_unreadable_snapshot_file_names_both_files(tmp_path: Path, snapshot: str,
                                                      content: str | None,
                                                      problem: str) -> None:
    if content is not None:
        (tmp_path / snapshot).write_text(content, encoding="utf-8")
    with pytest.raises(BankError) as error:
        parse_bank_value({"title": "t", "questions": [{**QUESTION, "snapshot_file": snapshot}]},
                         source="bank.yaml", base=tmp_path)
    line = error.value.one_line()
    assert line.startswith("bank.yaml: questions[0].snapshot_file: ") and "\n" not in line
    assert str(tmp_path / snapshot) in line and problem in line

"""`policy-engine validate --kind aws-managed`: valid, with the warnings shown and located.

The corpus file holds strings AWS stored in AWS managed policy versions (named in the
manifest entry of `good/aws-managed/stored-oddities.json`).
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from policy_engine.cli.app import app

ODDITIES = Path(__file__).parents[1] / "corpus" / "good" / "aws-managed" / "stored-oddities.json"


def test_aws_managed_kind_is_valid_and_warns() -> None:
    result = CliRunner().invoke(app, ["validate", str(ODDITIES), "--kind", "aws-managed"],
                                env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "valid    " in result.output
    assert f"warning {ODDITIES}:7:9: Statement[0].Action[0]: `lambda:ListFunctions `" in \
        result.output
    assert result.output.count("warning ") == 6


def test_json_lists_the_warnings_and_identity_refuses() -> None:
    runner = CliRunner()
    body = json.loads(runner.invoke(app, ["validate", str(ODDITIES), "--kind", "aws-managed",
                                          "--format", "json"]).output)
    assert body[0]["valid"] and [w["code"] for w in body[0]["warnings"]] == [
        "unusual-action"] * 5 + ["unusual-condition-key"]
    refused = runner.invoke(app, ["validate", str(ODDITIES), "--kind", "identity"])
    assert refused.exit_code == 2

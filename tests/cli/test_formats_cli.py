"""Every `--format` value of every command prints output in that format (an enum member
without a branch of its own would fall through to another format's output)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from policy_engine.cli.accounts import CheckFormat, OutputFormat
from policy_engine.cli.app import app
from policy_engine.cli.demo import DemoFormat
from policy_engine.cli.simulate import SimulateFormat
from policy_engine.formatters.problems import ReportFormat

AUTHZ = Path(__file__).parents[1] / "data" / "one-account-authz.json"
ACCOUNT = "111122223333"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
CASE = {"request": {"principal": f"arn:aws:iam::{ACCOUNT}:user/john",
                    "action": "s3:GetObject", "resource": "arn:aws:s3:::mybucket/a.txt",
                    "resource_account": ACCOUNT},
        "identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]}


def _inputs(folder: Path) -> dict[str, list[str]]:
    """The arguments of each command, before `--format`."""
    case = folder / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    policy = folder / "policy.json"
    policy.write_text(json.dumps(CASE["identity_policies"][0]), encoding="utf-8")
    checks = folder / "checks.whatif"
    checks.write_text(f"expect allowed: user/alice sts:AssumeRole {DEPLOYER}\n",
                      encoding="utf-8")
    env = ["--env", str(AUTHZ)]
    return {
        "simulate": ["simulate", str(case)],
        "validate": ["validate", str(policy), "--kind", "identity"],
        "ask": ["ask", f"user/alice sts:AssumeRole {DEPLOYER}", *env],
        "who-can": ["who-can", "sts:AssumeRole", DEPLOYER, *env],
        "what-can": ["what-can", "user/alice", "--service", "sts", *env],
        "assume-paths": ["assume-paths", "user/alice", *env],
        "check": ["check", str(checks), *env],
        "demo": ["demo"],
    }


FORMATS: dict[str, type[StrEnum]] = {
    "simulate": SimulateFormat, "validate": ReportFormat, "ask": OutputFormat,
    "who-can": OutputFormat, "what-can": OutputFormat, "assume-paths": OutputFormat,
    "check": CheckFormat, "demo": DemoFormat,
}
CASES = [(command, member.value) for command, enum in FORMATS.items() for member in enum]


def _is_json(text: str) -> bool:
    """One JSON document, or one per line (demo prints a stream)."""
    try:
        json.loads(text)
    except ValueError:
        try:
            return all(json.loads(line) is not None for line in text.splitlines()) and \
                bool(text.strip())
        except ValueError:
            return False
    return True


@pytest.mark.parametrize(("command", "value"), CASES)
def test_each_format_prints_its_own_kind_of_output(tmp_path: Path, command: str,
                                                   value: str) -> None:
    args = _inputs(tmp_path)[command]
    result = CliRunner().invoke(app, [*args, "--format", value], catch_exceptions=False,
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.strip()
    if value == "json":
        assert _is_json(out)
    elif value == "junit":
        assert ElementTree.fromstring(out.strip().encode()).tag == "testsuite"
    else:
        assert not _is_json(out)
        assert not out.lstrip().startswith("<?xml")

"""`policy-engine simulate`: the CLI contract of shared/DESIGN.md and its bad-input handling."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policy_engine.cli.app import app

RUNNER = CliRunner()

ALLOW_S3 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mybucket/*"}]}


def _case(**overrides: object) -> dict:
    case: dict = {"request": {"principal": "arn:aws:iam::111122223333:user/john",
                              "action": "s3:GetObject",
                              "resource": "arn:aws:s3:::mybucket/photo.jpg",
                              "resource_account": "111122223333"},
                  "identity_policies": [ALLOW_S3]}
    case.update(overrides)
    return case


def _write(tmp_path: Path, value: object, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return path


def _run(*args: str):
    from policy_engine.errors import PolicyEngineError

    try:
        return RUNNER.invoke(app, list(args), catch_exceptions=False)
    except PolicyEngineError as error:  # main() maps these to exit 2; emulate it
        return type("R", (), {"exit_code": 2, "stdout": "", "stderr": error.one_line()})()


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def test_json_output_has_decision_and_explanation(tmp_path: Path) -> None:
    """DESIGN: `--format json` prints one object with at least decision and explanation."""
    result = _run("simulate", str(_write(tmp_path, _case())), "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["decision"] == "allowed"
    assert body["explanation"]["decided_by"] == "identity"
    assert body["explanation"]["policies"][0]["statements"][0]["matched"] is True


def test_expect_sets_exit_code(tmp_path: Path) -> None:
    """DESIGN: `--expect DECISION` makes the exit code 1 when the decision differs."""
    path = str(_write(tmp_path, _case()))
    assert _run("simulate", path, "--expect", "allowed").exit_code == 0
    assert _run("simulate", path, "--expect", "explicitDeny").exit_code == 1


def test_table_output_names_the_decision(tmp_path: Path) -> None:
    result = _run("simulate", str(_write(tmp_path, _case())))
    assert result.exit_code == 0
    assert "allowed" in result.stdout


def test_batch_prints_one_result_per_line_in_order(tmp_path: Path) -> None:
    """DESIGN: `--batch FILE.jsonl` prints one JSON result per line, in order."""
    denied = _case()
    denied["request"] = {**denied["request"], "action": "s3:PutObject"}
    lines = "\n".join(json.dumps(c) for c in [_case(), denied, _case()]) + "\n"
    result = _run("simulate", "--batch", str(_write(tmp_path, lines, "b.jsonl")))
    assert result.exit_code == 0
    decisions = [json.loads(line)["decision"] for line in result.stdout.splitlines()]
    assert decisions == ["allowed", "implicitDeny", "allowed"]


BAD_CASES = {
    "unknown top-level key": (_case(identity_policy=[]), "unknown key `identity_policy`"),
    "unknown request key": ({"request": {**_case()["request"], "princpal": "x"}},
                            "unknown key `princpal`"),
    "malformed principal ARN": (
        _case(request={**_case()["request"], "principal": "arn:aws:iam::12:user/john"}),
        "invalid account"),
    "malformed resource": (
        _case(request={**_case()["request"], "resource": "mybucket/photo.jpg"}),
        "is not a resource ARN"),
    "context value of the wrong type": (
        _case(request={**_case()["request"], "context": {"aws:SourceIp": {"ip": "1.2.3.4"}}}),
        "context value"),
    "policy with a typo in Effect": (
        _case(identity_policies=[{"Version": "2012-10-17", "Statement": [
            {"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}]), "Effect"),
    "S3 resource without resource_account": (
        _case(request={k: v for k, v in _case()["request"].items() if k != "resource_account"}),
        "resource_account"),
    "session policy for a user": (_case(session_policy=ALLOW_S3), "session policy"),
}


@pytest.mark.parametrize("name", list(BAD_CASES))
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    """Bad input: one clear line naming file and element, exit code 2, no traceback."""
    value, fragment = BAD_CASES[name]
    path = _write(tmp_path, value)
    done = subprocess.run([_script(), "simulate", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    assert fragment in lines[0]
    assert "Traceback" not in done.stderr


def test_unreadable_and_malformed_files_exit_2(tmp_path: Path) -> None:
    """A missing file and invalid JSON get one line with the location and exit 2."""
    missing = subprocess.run([_script(), "simulate", str(tmp_path / "nope.json")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert "nope.json" in missing.stderr and "Traceback" not in missing.stderr
    broken = _write(tmp_path, '{"request": {"principal": "x",\n  "action": }', "broken.json")
    done = subprocess.run([_script(), "simulate", str(broken)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "broken.json:2:" in done.stderr and "Traceback" not in done.stderr


def test_batch_bad_line_is_reported_and_others_still_run(tmp_path: Path) -> None:
    lines = json.dumps(_case()) + "\n{not json\n" + json.dumps(_case()) + "\n"
    done = subprocess.run([_script(), "simulate", "--batch",
                           str(_write(tmp_path, lines, "b.jsonl"))],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert out[0]["decision"] == "allowed" and out[1]["error"] and \
        out[2]["decision"] == "allowed"
    assert "b.jsonl:2" in done.stderr


def test_batch_workers_give_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    """`--jobs 3` splits the file between forked workers; output order, line numbers of
    bad cases and decisions must equal the single-process run."""
    denied = _case()
    denied["request"] = {**denied["request"], "action": "s3:PutObject"}
    rows = []
    for i in range(60):
        rows.append(json.dumps(denied if i % 3 else _case()))
        if i % 17 == 5:
            rows.append("{broken")
        if i % 23 == 7:
            rows.append("")
    path = _write(tmp_path, "\n".join(rows) + "\n", "many.jsonl")
    runs = [subprocess.run([_script(), "simulate", "--batch", str(path), "--jobs", jobs],
                           capture_output=True, text=True, timeout=120)
            for jobs in ("1", "3")]
    assert runs[0].returncode == runs[1].returncode == 2
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr
    assert runs[0].stdout.count('"error"') == rows.count("{broken")


def test_demo_runs_and_every_decision_matches(tmp_path: Path) -> None:
    """README's first command: every bundled check agrees with the documented answer."""
    done = subprocess.run([_script(), "demo"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "21/21 decisions match" in done.stdout
    assert "33/33 assertions hold" in done.stdout

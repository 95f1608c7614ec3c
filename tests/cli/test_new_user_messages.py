"""Messages a new user meets first (issue 13, item 10), through the installed CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "policy_engine" / "examples" / "org"
ACCOUNT = "111122223333"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_an_empty_file_says_it_is_empty(tmp_path: Path):
    path = tmp_path / "policy.json"
    path.write_text("\n", encoding="utf-8")
    done = _run("validate", str(path))
    assert done.returncode == 2
    assert "the input is empty: expected a JSON or YAML document" in done.stdout
    assert "trailing comma" not in done.stdout


def test_a_yaml_anchor_in_a_snapshot_does_not_speak_of_policies(tmp_path: Path):
    path = tmp_path / "snapshot.yaml"
    path.write_text("format: policy-engine-snapshot/1\naccounts: &all []\n", encoding="utf-8")
    done = _run("who-can", "s3:GetObject", "*", "--env", str(path))
    assert done.returncode == 2
    assert "YAML anchors (`&all`) are not supported" in done.stderr
    assert "in policies" not in done.stderr


def test_validate_names_a_case_file_for_what_it_is(tmp_path: Path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"request": {"principal": "*", "action": "s3:GetObject",
                                            "resource": "*"}}), encoding="utf-8")
    done = _run("validate", str(path))
    assert done.returncode == 2
    assert "this is a case file (it has `request`), not a policy" in done.stdout
    assert "policy-engine simulate" in done.stdout
    assert "not an element" not in done.stdout


def test_validate_names_snapshots_and_authorization_details():
    done = _run("validate", str(EXAMPLE / "snapshot.yaml"),
                str(EXAMPLE / "authz-111122223333.json"))
    assert done.returncode == 2
    assert "this is an account snapshot, not a policy" in done.stdout
    assert "get-account-authorization-details` output, not a policy" in done.stdout


def test_a_bucket_policy_naming_a_canonical_user_is_guessed_as_a_bucket_policy(tmp_path: Path):
    """IAM-UG/reference_policies_elements_principal.html: canonical user IDs are S3's, and
    the validator accepts `CanonicalUser` only in S3 bucket policies."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
        "Principal": {"CanonicalUser": "a" * 64}}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy), encoding="utf-8")
    done = _run("validate", str(path))
    assert done.returncode == 0, done.stdout
    assert "s3-bucket" in done.stdout


def test_all_problems_lists_every_problem(tmp_path: Path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"request": {"principal": 5}}), encoding="utf-8")
    short = _run("simulate", str(path))
    assert short.returncode == 2
    assert short.stderr.strip().endswith("(and 2 more problems; --all-problems lists them)")
    full = _run("simulate", str(path), "--all-problems")
    assert full.returncode == 2
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines)
    assert any("`action` is required" in line for line in lines)


def test_batch_result_lines_name_their_line(tmp_path: Path):
    case = {"request": {"principal": f"arn:aws:iam::{ACCOUNT}:user/a", "action": "s3:GetObject",
                        "resource": "arn:aws:s3:::b/x", "resource_account": ACCOUNT}}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case) + "\n\n" + json.dumps(case) + "\n", encoding="utf-8")
    done = _run("simulate", "--batch", str(path))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["line"] for line in done.stdout.splitlines()] == [1, 3]

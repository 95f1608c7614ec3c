"""Input that can hurt (issue 13, item 6): every file is read with a bound, and a device
or pipe that never ends is refused before it is read. Through the installed CLI, each
with a time limit far above what a correct refusal takes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "policy_engine" / "examples" / "org"
ACCOUNT = "111122223333"
CASE = {"request": {"principal": f"arn:aws:iam::{ACCOUNT}:user/a", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::b/x", "resource_account": ACCOUNT}}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **(env or {})})


def _one_error(done: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert fragment in lines[0]
    assert "Traceback" not in done.stderr


def test_a_snapshot_that_is_a_device_is_refused():
    _one_error(_run("who-can", "s3:GetObject", "*", "--env", "/dev/zero"),
               "/dev/zero: not a regular file (a character device)")


def test_a_snapshot_naming_a_device_as_its_authorization_details_is_refused(tmp_path: Path):
    snapshot = tmp_path / "snapshot.yaml"
    snapshot.write_text("format: policy-engine-snapshot/1\naccounts:\n"
                        f"  - id: \"{ACCOUNT}\"\n    authorization_details: /dev/zero\n",
                        encoding="utf-8")
    _one_error(_run("who-can", "s3:GetObject", "*", "--env", str(snapshot)),
               "accounts[0].authorization_details: `/dev/zero`: not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_validate_and_simulate_refuse_a_named_pipe(tmp_path: Path):
    pipe = tmp_path / "policy.json"
    os.mkfifo(pipe)
    done = _run("validate", str(pipe))
    assert done.returncode == 2
    assert "not a regular file (a named pipe)" in done.stdout
    _one_error(_run("simulate", str(pipe)), "not a regular file (a named pipe)")


def test_the_snapshot_size_bound_is_configurable():
    done = _run("who-can", "s3:GetObject", "arn:aws:s3:::example-dev-scratch/x",
                "--env", str(EXAMPLE / "snapshot.yaml"),
                env={"POLICY_ENGINE_MAX_SNAPSHOT_BYTES": "1000"})
    _one_error(done, "at most 1,000 are read; set POLICY_ENGINE_MAX_SNAPSHOT_BYTES")
    ok = _run("who-can", "s3:GetObject", "arn:aws:s3:::example-dev-scratch/x",
              "--env", str(EXAMPLE / "snapshot.yaml"), "--format", "json")
    assert ok.returncode == 0, ok.stderr


def test_a_batch_from_a_device_is_refused():
    _one_error(_run("simulate", "--batch", "/dev/zero"), "not a regular file or a pipe")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_overlong_batch_line_is_its_own_error(tmp_path: Path, jobs: str):
    path = tmp_path / "cases.jsonl"
    good = json.dumps(CASE)
    path.write_text(good + "\n" + '{"request": "' + "x" * (17 << 20) + '"}\n' + good + "\n",
                    encoding="utf-8")
    done = _run("simulate", "--batch", str(path), "--jobs", jobs)
    assert done.returncode == 2
    assert [json.loads(line).get("error") for line in done.stdout.splitlines()] == \
        [None, "invalid case", None]
    assert done.stderr.strip() == (f"error: {path}:2: the line is 17,825,808 bytes long; a "
                                   "case is at most 16,777,216")


@pytest.mark.parametrize("value", ["1G", "-1", "abc", "0"])
def test_a_bad_snapshot_size_setting_is_an_error(value: str):
    done = _run("who-can", "s3:GetObject", "*", "--env", str(EXAMPLE / "snapshot.yaml"),
                env={"POLICY_ENGINE_MAX_SNAPSHOT_BYTES": value})
    _one_error(done, f"POLICY_ENGINE_MAX_SNAPSHOT_BYTES is `{value}`: give a number of bytes")

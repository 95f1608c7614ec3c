"""The installed `policy-engine` at 80 and 200 columns: text output never cuts an identifier
short, and names every principal one way (`ACCOUNT:role/NAME`, `ACCOUNT:root`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

AssertWhole = Callable[[list[str], str], None]
EXAMPLES = Path(__file__).parents[2] / "policy_engine" / "examples"
ENV = ["--env", str(EXAMPLES / "org" / "snapshot.yaml")]
REPOSITORY = "arn:aws:ecr:us-east-1:111122223333:repository/report-generator"


def _run(width: int, *args: str) -> str:
    script = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    done = subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": str(width)}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("width", [80, 200])
def test_who_can(width: int, assert_whole: AssertWhole) -> None:
    args = ["who-can", "ecr:BatchGetImage", REPOSITORY, *ENV]
    allowed = json.loads(_run(200, *args, "--format", "json"))["allowed"]
    text = _run(width, *args)
    assert_whole(["111122223333:role/OrganizationAccountAccessRole",
                  "444455556666:role/OrganizationAccountAccessRole",
                  "111122223333:root", "444455556666:root",
                  *(s["policy"] for grant in allowed for s in grant["granting_statements"])],
                 text)
    assert "arn:aws:iam::" not in text
    # JSON keeps full ARNs
    assert {g["principal"] for g in allowed} >= {"arn:aws:iam::111122223333:root",
                                                 "arn:aws:iam::444455556666:root"}


@pytest.mark.parametrize("width", [80, 200])
def test_simulate(width: int, assert_whole: AssertWhole) -> None:
    cases = [str(EXAMPLES / "demo" / name) for name in
             ("admin-in-unapproved-region.json", "anonymous-reads-website.json",
              "key-admin-schedules-deletion.json")]
    results = [json.loads(line) for line in
               _run(200, "simulate", *cases, "--format", "json").splitlines()]
    text = _run(width, "simulate", *cases)
    assert_whole([*cases, *(r["explanation"]["request"][k] for r in results
                            for k in ("principal", "action", "resource"))], text)


@pytest.mark.parametrize("width", [80, 200])
def test_what_can(width: int, assert_whole: AssertWhole) -> None:
    args = ["what-can", "111122223333:role/OrganizationAccountAccessRole", "--service", "s3",
            *ENV]
    allowed = json.loads(_run(200, *args, "--format", "json"))["allowed"]
    text = _run(width, *args)
    assert len(allowed) > 50
    assert_whole([a["action"] for a in allowed], text)
    assert all(len(line) <= width for line in text.splitlines())

"""Empty answers say why (issue 13, item 5): assume-paths names the hop that blocked the
nearest chain, check says a file has no `expect` lines. Through a subprocess of the
installed `policy-engine`, on the bundled example organization."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"
DEPLOYER = "arn:aws:iam::444455556666:role/deployer"
PROD_DEPLOYER = "arn:aws:iam::111122223333:role/prod-deployer"


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([_script(), *args, "--env", str(EXAMPLE)], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"COLUMNS": "400", "PATH": ""})
    assert "Traceback" not in done.stderr, done.stderr
    return done


# ------------------------------------------------------------------ assume-paths


def test_no_chain_names_the_blocking_hop_json() -> None:
    """The third hop is blocked by the Prod OU's SCP: an explicit Deny in any SCP on the
    caller's path denies, whatever the trust and identity policies allow.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    (an explicit deny in any policy is final) and
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    (each AssumeRole hop is evaluated on the caller's side and on the role's trust policy).
    """
    done = _run("assume-paths", "user/dev-alice", "--to", "role/break-glass",
                "--format", "json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["paths"] == []
    blocked = body["blocked"]
    assert blocked["hop"] == 3
    assert [h["role"] for h in blocked["reached"]] == [DEPLOYER, PROD_DEPLOYER]
    assert blocked["principal"].startswith("111122223333:role/prod-deployer")
    assert blocked["role"] == BREAK_GLASS
    assert blocked["action"] == "sts:AssumeRole"
    assert blocked["decision"] == "explicitDeny"
    assert blocked["decided_by"] == "explicit-deny"
    assert blocked["policy_role"] == "scp"
    assert blocked["policy"] == "DenyBreakGlassFromWorkloads"
    assert blocked["statement"] == "DenyAssumeBreakGlass"


def test_no_chain_names_the_blocking_hop_text() -> None:
    """reference_policies_evaluation-logic_policy-eval-denyallow.html (explicit deny wins)."""
    done = _run("assume-paths", "user/dev-alice", "--to", "role/break-glass")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "no chain of role assumptions found" in text
    assert "blocked at hop 3" in text
    # Text names principals as questions do (ACCOUNT:role/NAME); JSON keeps the ARN.
    assert "111122223333:role/prod-deployer" in text and "111122223333:role/break-glass" in text
    assert "explicitDeny" in text
    assert "scp `DenyBreakGlassFromWorkloads` statement DenyAssumeBreakGlass" in text


def test_chains_found_print_no_block() -> None:
    """reference_policies_evaluation-logic-cross-account.html: both hops are allowed."""
    done = _run("assume-paths", "user/dev-alice", "--to", "role/prod-deployer",
                "--format", "json")
    body = json.loads(done.stdout)
    assert len(body["paths"]) == 1 and "blocked" not in body


# ------------------------------------------------------------------ check


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_check_without_expect_lines_says_so(tmp_path: Path, output_format: str) -> None:
    """A file of bare questions asserts nothing: it answers them and says so, exit 0 (DESIGN:
    1 only when a check failed). Hop 1 is allowed by the trust policy naming the user:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    path = tmp_path / "questions.whatif"
    path.write_text(f"can user/dev-alice do sts:AssumeRole on {DEPLOYER}\n"
                    f"can user/dev-alice do sts:AssumeRole on {PROD_DEPLOYER}\n",
                    encoding="utf-8")
    done = _run("check", str(path), "--format", output_format)
    assert done.returncode == 0, done.stderr
    if output_format == "json":
        body = json.loads(done.stdout)
        assert body["assertions"] == 0
        assert body["note"] == f"{path} has no `expect` lines: 2 questions answered, " \
            "nothing asserted"
    else:
        text = " ".join(done.stdout.split())
        assert "0/0" not in text
        assert f"{path} has no `expect` lines: 2 questions answered, nothing asserted" in text


def test_without_to_no_hop_is_blamed_when_no_trust_policy_admits_the_caller() -> None:
    """kms-admin is named by no trust policy and may not call sts:AssumeRole: no hop came
    near, so none is named (reference_policies_evaluation-logic-cross-account.html)."""
    body = json.loads(_run("assume-paths", "role/kms-admin", "--format", "json").stdout)
    assert body == {"from": "111122223333:role/kms-admin", "paths": []}

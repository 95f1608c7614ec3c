"""A permissions boundary the snapshot references but does not hold (issue 13, item 1).

Through a subprocess of the installed `policy-engine`, on a copy of the bundled example
organization whose dev account's authorization details lack `DevBoundary`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org"
BOUNDARY = "arn:aws:iam::444455556666:policy/DevBoundary"
QUESTION = ("can user/dev-bob do s3:GetObject on arn:aws:s3:::example-dev-scratch/x "
            "when aws:SecureTransport = true")


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([_script(), *args], capture_output=True, text=True, timeout=120,
                          check=False, env={"COLUMNS": "250", "PATH": ""})
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example organization without the `DevBoundary` managed policy."""
    copy = tmp_path_factory.mktemp("org") / "org"
    shutil.copytree(EXAMPLE, copy)
    authz_path = copy / "authz-444455556666.json"
    authz = json.loads(authz_path.read_text(encoding="utf-8"))
    authz["Policies"] = [p for p in authz["Policies"] if p["PolicyName"] != "DevBoundary"]
    authz_path.write_text(json.dumps(authz, indent=2), encoding="utf-8")
    return copy / "snapshot.yaml"


def test_missing_boundary_is_an_implicit_deny_not_an_invented_deny(snapshot: Path) -> None:
    """A boundary must allow an action for it to be allowed; one that allows nothing gives
    an implicit deny, never an explicit one.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    ("allows it to perform only the actions that are allowed by both its identity-based
    policies and its permissions boundaries") and
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
    (an explicit deny needs an applicable Deny statement).
    """
    done = _run("ask", "--format", "json", "--env", str(snapshot), QUESTION)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "implicitDeny"
    explanation = body["explanation"]
    assert explanation["decided_by"] == "permissions-boundary"
    assert "missing-permissions-boundary" not in done.stdout
    boundary = [p for p in explanation["policies"] if p["role"] == "permissions-boundary"]
    assert len(boundary) == 1
    assert boundary[0]["statements"] == []  # nothing in it: it can neither allow nor deny
    assert "DevBoundary" in boundary[0]["name"]
    assert "not in the snapshot" in boundary[0]["name"]
    assert explanation["deciding_policy"] == boundary[0]["name"]
    assert any(BOUNDARY in note and "not in the snapshot" in note
               for note in explanation["notes"])


def test_missing_boundary_text_output_and_warning(snapshot: Path) -> None:
    """The text answer names the missing boundary; the load warning says what is done with
    it (access_policies_boundaries.html: the boundary must allow)."""
    done = _run("ask", "--env", str(snapshot), QUESTION)
    assert done.returncode == 0, done.stderr
    assert "implicitDeny" in done.stdout and "explicitDeny" not in done.stdout
    assert "DevBoundary (not in the snapshot)" in done.stdout
    assert "over-state" not in done.stderr
    warning = next(line for line in done.stderr.splitlines() if "DevBoundary" in line)
    assert "allows nothing" in warning and "implicitly denied" in warning


def test_missing_boundary_what_can_has_no_explicit_denies(snapshot: Path) -> None:
    """No Deny exists in the snapshot for dev-bob on S3 (and the RCP's TLS Deny does not
    apply without `aws:SecureTransport = false`), so what-can reports none.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
    """
    done = _run("what-can", "user/dev-bob", "arn:aws:s3:::example-dev-scratch/x",
                "--format", "json", "--env", str(snapshot))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["allowed"] == []
    assert body["explicitly_denied"] == 0


def test_missing_boundary_does_not_limit_a_direct_user_grant(snapshot: Path) -> None:
    """A boundary does not limit what a same-account resource policy grants a user by its
    ARN, so a boundary missing from the snapshot cannot take that away either.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    (within one account, a resource-based policy naming an IAM user's ARN is not limited
    by an implicit deny in a permissions boundary)
    """
    text = snapshot.read_text(encoding="utf-8")
    anchor = ('    - name: example-dev-scratch\n      account: "444455556666"\n'
              "      region: us-east-1\n")
    assert anchor in text
    bucket_policy = (
        "      policy:\n"
        "        Version: \"2012-10-17\"\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Principal: {AWS: arn:aws:iam::444455556666:user/dev-bob}\n"
        "            Action: s3:DeleteObject\n"
        "            Resource: arn:aws:s3:::example-dev-scratch/*\n")
    granted = snapshot.with_name("granted.yaml")
    granted.write_text(text.replace(anchor, anchor + bucket_policy), encoding="utf-8")
    done = _run("ask", "--format", "json", "--env", str(granted),
                "can user/dev-bob do s3:DeleteObject on arn:aws:s3:::example-dev-scratch/x")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "allowed"
    assert body["explanation"]["decided_by"] == "resource-policy"
    # The unknown boundary could still hold a matching Deny, which overrides this Allow
    # (access_policies_boundaries.html: an explicit deny in any of these policies
    # overrides the allow), so the answer says what it rests on.
    notes = body["explanation"]["notes"]
    assert any(note.startswith(f"allowed only if the permissions boundary {BOUNDARY}, "
                               "missing from the snapshot, has no Deny") for note in notes)

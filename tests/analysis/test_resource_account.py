"""Resource ARNs that name no account (S3, Route 53, ...) against snapshots (issue 13, item 11).

Through a subprocess of the installed `policy-engine`. With exactly one account in the
snapshot, that account is assumed to own the resource, and a note says so; with several,
the error says how to name it (`--resource-account ACCOUNT` on the command line, `in
account ACCOUNT` in an expression). Same-account and cross-account access are decided
differently, so the account cannot be left unknown:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ORG = Path(__file__).parent / "fixtures" / "org.yaml"  # three accounts
ONLY = "555566667777"
OBJECT = "arn:aws:s3:::team-bucket/report.csv"
ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABC"


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([_script(), *args], capture_output=True, text=True, timeout=120,
                          check=False, env={"COLUMNS": "250", "PATH": ""})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _fails(*args: str) -> str:
    done = _run(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: ")
    return first


@pytest.fixture(scope="module")
def one_account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`get-account-authorization-details` of one account: `reader` may read S3 objects
    and Route 53 zones, `idle` may do nothing."""
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "route53:GetHostedZone"],
         "Resource": "*"}]}

    def user(name: str, policies: list[dict]) -> dict:
        return {"Path": "/", "UserName": name, "UserId": f"AIDA{name.upper():0<17}"[:21],
                "Arn": f"arn:aws:iam::{ONLY}:user/{name}",
                "CreateDate": "2026-01-01T00:00:00Z", "GroupList": [],
                "AttachedManagedPolicies": [], "Tags": [], "UserPolicyList": policies}

    authz = {"UserDetailList": [user("reader", [{"PolicyName": "read",
                                                 "PolicyDocument": policy}]),
                                user("idle", [])],
             "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = tmp_path_factory.mktemp("one") / f"authz-{ONLY}.json"
    path.write_text(json.dumps(authz, indent=2), encoding="utf-8")
    return path


def _assumed_note(stderr: str, resource: str) -> None:
    notes = [line for line in stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1, stderr
    assert f"`{resource}` names no account" in notes[0]
    assert f"the snapshot's only account, {ONLY}" in notes[0]


# ------------------------------------------------------------------ one account: assumed


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_who_can_assumes_the_only_account(one_account: Path, output_format: str) -> None:
    """reference_policies_evaluation-logic.html: within one account an identity-based
    Allow is enough, so with the account assumed, `reader` is allowed."""
    done = _run("who-can", "s3:GetObject", OBJECT, "--env", str(one_account),
                "--format", output_format)
    assert done.returncode == 0, done.stderr
    _assumed_note(done.stderr, OBJECT)
    if output_format == "json":
        allowed = [g["display"] for g in json.loads(done.stdout)["allowed"]]
        assert f"{ONLY}:user/reader" in allowed and f"{ONLY}:user/idle" not in allowed
    else:
        assert f"{ONLY}:user/reader" in done.stdout


def test_what_can_assumes_the_only_account(one_account: Path) -> None:
    """reference_policies_evaluation-logic.html (same-account identity Allow)."""
    done = _run("what-can", "user/reader", ZONE, "--env", str(one_account),
                "--format", "json")
    assert done.returncode == 0, done.stderr
    _assumed_note(done.stderr, ZONE)
    assert "route53:GetHostedZone" in {a["action"] for a in json.loads(done.stdout)["allowed"]}


def test_ask_assumes_the_only_account(one_account: Path) -> None:
    """reference_policies_evaluation-logic.html (same-account identity Allow)."""
    question = f"can user/reader do s3:GetObject on {OBJECT}"
    done = _run("ask", question, "--env", str(one_account), "--format", "json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "allowed"
    assert body["explanation"]["request"]["resource_account"] == ONLY
    assert any(f"the snapshot's only account, {ONLY}" in note
               for note in body["explanation"]["notes"])
    text = _run("ask", question, "--env", str(one_account))
    assert text.returncode == 0 and "note:" in text.stdout and ONLY in text.stdout


# ------------------------------------------------------------------ several accounts: name it


@pytest.mark.parametrize("command", ["who-can", "what-can"])
@pytest.mark.parametrize("resource", [OBJECT, ZONE])
def test_several_accounts_the_error_names_the_option(command: str, resource: str) -> None:
    """reference_policies_evaluation-logic-cross-account.html: whether the request is
    cross-account depends on the resource's account, so it must be given."""
    args = ("s3:GetObject", resource) if command == "who-can" else ("user/erin", resource)
    line = _fails(command, *args, "--env", str(ORG))
    assert "<expr>" not in line
    assert f"`{resource}` names no account" in line
    assert "--resource-account ACCOUNT" in line
    assert "123456789012" in line  # the accounts it could be


def test_several_accounts_ask_names_the_expression_syntax() -> None:
    """reference_policies_evaluation-logic-cross-account.html."""
    line = _fails("ask", f"can user/erin do s3:GetObject on {OBJECT}", "--env", str(ORG))
    assert line.startswith("error: <expr>:1:")
    assert f"`{OBJECT}` names no account" in line
    assert "`in account ACCOUNT`" in line
    assert "--resource-account" not in line


def test_several_accounts_the_account_given_is_used() -> None:
    """reference_policies_evaluation-logic-cross-account.html: once the account is named
    the question is answered."""
    done = _run("who-can", "s3:GetObject", OBJECT, "--resource-account", "123456789012",
                "--env", str(ORG), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "note:" not in done.stderr
    asked = _run("ask", f"can user/erin do s3:GetObject on {OBJECT} in account 123456789012",
                 "--env", str(ORG), "--format", "json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["explanation"]["request"]["resource_account"] == \
        "123456789012"


def test_resource_account_option_must_be_an_account_id() -> None:
    """An account id is 12 digits (reference_policies_elements_principal.html)."""
    line = _fails("who-can", "s3:GetObject", OBJECT, "--resource-account", "12345",
                  "--env", str(ORG))
    assert line == "error: --resource-account: `12345` is not an account id (12 digits " \
        "expected)"


# ------------------------------------------------------------------ `arn:aws:s3:::` alone


EMPTY = "`arn:aws:s3:::` has an empty resource part (expected a resource ARN or `*`)"


@pytest.mark.parametrize("snapshot", ["one", "several"])
@pytest.mark.parametrize("command", ["ask", "who-can", "what-can"])
def test_bare_s3_arn_gets_one_clear_message(one_account: Path, snapshot: str,
                                            command: str) -> None:
    """An ARN's resource part is never empty (reference_identifiers.html#identifiers-arns)."""
    env = one_account if snapshot == "one" else ORG
    user = "user/reader" if snapshot == "one" else "user/erin"
    args = {"ask": (f"can {user} do s3:GetObject on arn:aws:s3:::",),
            "who-can": ("s3:GetObject", "arn:aws:s3:::"),
            "what-can": (user, "arn:aws:s3:::")}[command]
    line = _fails(command, *args, "--env", str(env))
    assert line.endswith(EMPTY), line
    assert ("<expr>" in line) == (command == "ask")


def test_rcps_apply_to_a_resource_outside_the_snapshot_whose_arn_names_its_account() -> None:
    """RCPs restrict every request to a member account's resources, whoever makes it; the
    account is in an access point's ARN even when the snapshot does not list the access
    point (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
    The example root's `EnforceTlsForS3` denies S3 requests without TLS."""
    example = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"
    done = _run("ask", "--format", "json", "--env", str(example),
                "can * do s3:GetObject on arn:aws:s3:us-east-1:111122223333:accesspoint/"
                "reports/object/x when aws:SecureTransport = false")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "explicitDeny"
    assert body["explanation"]["deciding_policy"] == "EnforceTlsForS3"

"""What a question names is checked against AWS's vocabulary (issue 13, items 2 and 3).

Through the installed CLI, as a user meets it: an unknown action is one located error
with the closest real name, a context value that does not fit its key's documented type
is one error (never read as `false`), and a resource of a type the action does not act on
is a warning beside the answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ACCOUNT = "111122223333"
ALLOW_ALL_S3 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
# Allows only over TLS: reading `ture` as false would silently deny, `true` allows.
ALLOW_OVER_TLS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}


def _case(action: str = "s3:GetObject", resource: str = "arn:aws:s3:::bucket/key",
          context: dict[str, Any] | None = None,
          policy: dict[str, Any] = ALLOW_ALL_S3) -> dict[str, Any]:
    return {"request": {"principal": f"arn:aws:iam::{ACCOUNT}:user/john", "action": action,
                        "resource": resource, "resource_account": ACCOUNT,
                        "context": context or {}},
            "identity_policies": [policy]}


def _script() -> str:
    found = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    return found


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_script(), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def _simulate(tmp_path: Path, case: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, indent=2), encoding="utf-8")
    return _run("simulate", str(path), "--format", "json")


def _batch(tmp_path: Path, *cases: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return _run("simulate", "--batch", str(path))


@pytest.mark.parametrize(("action", "hint"), [
    ("s3:GetObjekt", "did you mean `s3:GetObject`?"),
    ("s3:GetÖbject", "did you mean `s3:GetObject`?"),
    ("s3:NoSuchAction", "is not an action of `s3`"),
    ("s4:GetObject", "no AWS service has the prefix `s4`"),
])
def test_an_action_the_catalogue_lacks_is_an_error(tmp_path: Path, action: str, hint: str):
    """The service authorization reference lists every action a service has; a request
    names exactly one, so an unlisted name is a typo, not a question."""
    done = _simulate(tmp_path, _case(action=action))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "request.action" in lines[0] and hint in lines[0]


def test_action_names_match_case_insensitively(tmp_path: Path):
    """IAM-UG/reference_policies_elements_action.html: action names are not case
    sensitive, so `s3:getobject` is `s3:GetObject`."""
    done = _simulate(tmp_path, _case(action="s3:getobject"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "allowed"


def test_a_batch_line_with_an_unknown_action_is_its_own_error(tmp_path: Path):
    done = _batch(tmp_path, _case(), _case(action="s3:GetObjekt"), _case())
    assert done.returncode == 2
    assert [json.loads(line).get("decision") for line in done.stdout.splitlines()] == \
        ["allowed", None, "allowed"]
    assert "cases.jsonl:2: request.action: `s3:GetObjekt`" in done.stderr


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("aws:SecureTransport", "ture", "`true` or `false`"),
    ("aws:SecureTransport", "yes", "`true` or `false`"),
    ("aws:SecureTransport", "1", "`true` or `false`"),
    ("aws:SecureTransport", 1, "`true` or `false`"),
    ("aws:MultiFactorAuthAge", "an hour", "an integer or a decimal number"),
    ("aws:CurrentTime", "yesterday", "a date"),
    ("aws:SourceIp", "10.0.0.300", "an IP address"),
    ("aws:PrincipalArn", "bob", "an ARN"),
    ("s3:signatureAge", "old", "an integer or a decimal number"),
])
def test_a_context_value_of_the_wrong_type_is_an_error(tmp_path: Path, key: str, value: Any,
                                                       expected: str):
    """reference_policies_condition-keys.html gives each global key's data type
    (aws:SecureTransport Boolean, aws:MultiFactorAuthAge Numeric, aws:CurrentTime Date,
    aws:SourceIp IP address, aws:PrincipalArn ARN); the service authorization reference
    types service keys (s3:signatureAge Numeric)."""
    done = _simulate(tmp_path, _case(context={key: value}, policy=ALLOW_OVER_TLS))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"request.context.{key}: `{key}` takes {expected}" in lines[0]


def test_typed_values_that_fit_are_answered(tmp_path: Path):
    """`true` in any case and JSON booleans fit a Boolean key; epoch seconds fit a Date."""
    context = {"aws:SecureTransport": "TRUE", "aws:MultiFactorAuthPresent": True,
               "aws:EpochTime": 1700000000, "aws:SourceIp": "2001:db8::1",
               "aws:PrincipalTag/team": "x", "s3:signatureAge": 5}
    done = _simulate(tmp_path, _case(context=context, policy=ALLOW_OVER_TLS))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "allowed"


def test_a_batch_line_with_a_mistyped_value_is_its_own_error(tmp_path: Path):
    good = _case(context={"aws:SecureTransport": "true"}, policy=ALLOW_OVER_TLS)
    bad = _case(context={"aws:SecureTransport": "ture"}, policy=ALLOW_OVER_TLS)
    done = _batch(tmp_path, good, bad)
    assert done.returncode == 2
    assert [json.loads(line).get("decision") for line in done.stdout.splitlines()] == \
        ["allowed", None]
    assert "cases.jsonl:2: request.context.aws:SecureTransport:" in done.stderr


@pytest.mark.parametrize(("action", "resource"), [
    ("s3:GetObject", "arn:aws:s3:::bucket"),
    ("s3:ListBucket", "arn:aws:s3:::bucket/key"),
    ("s3:GetObject", f"arn:aws:iam::{ACCOUNT}:role/x"),
])
def test_a_resource_the_action_does_not_act_on_is_a_warning(tmp_path: Path, action: str,
                                                            resource: str):
    """The service authorization reference: s3:GetObject acts on objects, s3:ListBucket on
    buckets. The answer is still given (exit 0), with the warning on stderr."""
    done = _simulate(tmp_path, _case(action=action, resource=resource))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "allowed"
    assert "warning: " in done.stderr and f"is not a resource `{action}` acts on" in done.stderr
    batch = _batch(tmp_path, _case(action=action, resource=resource))
    assert batch.returncode == 0
    assert f"cases.jsonl:1: `{resource}` is not a resource `{action}` acts on" in batch.stderr


def test_a_resource_of_the_right_type_gets_no_warning(tmp_path: Path):
    done = _simulate(tmp_path, _case())
    assert done.returncode == 0 and done.stderr == ""


# ------------------------------------------------------------ the account commands

EXAMPLE = Path(__file__).resolve().parents[1] / "policy_engine" / "examples" / "org"
SNAPSHOT = str(EXAMPLE / "snapshot.yaml")
SCRATCH = "arn:aws:s3:::example-dev-scratch/x"


@pytest.mark.parametrize("args", [
    ("ask", f"can user/dev-bob do s3:GetObjekt on {SCRATCH}"),
    ("who-can", "s3:GetObjekt", SCRATCH),
])
def test_account_commands_refuse_an_unknown_action(args: tuple[str, ...]):
    done = _run(*args, "--env", SNAPSHOT)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean `s3:GetObject`?" in lines[0]


def test_who_can_refuses_an_action_no_service_has():
    done = _run("who-can", "s3:NoSuchAction", SCRATCH, "--env", SNAPSHOT)
    assert done.returncode == 2
    assert "`s3:NoSuchAction` is not an action of `s3`" in done.stderr


def test_ask_refuses_a_mistyped_context_value():
    """`ture` must not be read as false: reference_policies_condition-keys.html types
    aws:SecureTransport as Boolean."""
    done = _run("ask", f"can user/dev-bob do s3:GetObject on {SCRATCH} when "
                "aws:SecureTransport = ture", "--env", SNAPSHOT)
    assert done.returncode == 2
    assert "`aws:SecureTransport` takes `true` or `false`, not `ture`" in done.stderr


def test_check_refuses_a_mistyped_context_value(tmp_path: Path):
    path = tmp_path / "assertions.whatif"
    path.write_text(f"expect allowed: can user/dev-bob do s3:GetObject on {SCRATCH} when "
                    "aws:SecureTransport = yes\n", encoding="utf-8")
    done = _run("check", str(path), "--env", SNAPSHOT)
    assert done.returncode == 2
    assert "`aws:SecureTransport` takes `true` or `false`, not `yes`" in done.stderr


def test_who_can_warns_about_a_resource_the_action_does_not_act_on():
    done = _run("who-can", "s3:GetObject", "arn:aws:iam::111122223333:role/x",
                "--env", SNAPSHOT, "--format", "json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    assert "warning: `arn:aws:iam::111122223333:role/x` is not a resource `s3:GetObject` " \
        "acts on" in done.stderr


def test_ask_notes_a_resource_the_action_does_not_act_on():
    done = _run("ask", "can user/dev-bob do s3:GetObject on arn:aws:s3:::example-dev-scratch "
                "when aws:SecureTransport = true", "--env", SNAPSHOT, "--format", "json")
    assert done.returncode == 0, done.stderr
    notes = json.loads(done.stdout)["explanation"]["notes"]
    assert any("is not a resource `s3:GetObject` acts on" in note for note in notes)


def test_a_service_key_the_catalogue_types_as_arn_takes_any_text(tmp_path: Path):
    """ec2:InstancePlatform holds platform names (`Windows`) though the catalogue types it
    ARN: only the global keys' ARN type, from AWS's page, is enforced."""
    done = _simulate(tmp_path, _case(action="ec2:RunInstances",
                                     resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
                                     context={"ec2:InstancePlatform": "Windows"},
                                     policy={"Version": "2012-10-17", "Statement": [
                                         {"Effect": "Allow", "Action": "ec2:*",
                                          "Resource": "*"}]}))
    assert done.returncode == 0, done.stderr

"""Bad input to the account commands, through a subprocess of the installed `policy-engine`.

Malformed snapshot files, unknown principals in an expression and syntax errors in
assertion files each give exit code 2 and one `error:` line on stderr that says where
(`FILE:LINE:COLUMN: PATH:` or `<expr>`), in words, without a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ORG = FIXTURES / "org.yaml"
DATA = "123456789012"


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _fails(*args: str, cwd: Path | None = None) -> str:
    """Run the script, check exit 2 and the one-line contract; return the error line."""
    done = subprocess.run([_script(), *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, check=False)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines, "nothing on stderr"
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == [lines[0]], f"expected one error line first, got {lines!r}"
    assert "internal error" not in lines[0]
    return lines[0]


def _where(text: str, needle: str, offset: int = 0, start: int = 0) -> str:
    """`LINE:COLUMN` (1-based) of the first `needle` in `text` from `start`, plus `offset`
    columns."""
    index = text.index(needle, start)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1 + offset
    return f"{line}:{column}"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _authz(**changes: object) -> dict:
    """The ci account's fixture, with its first user changed."""
    authz = json.loads((FIXTURES / "authz-234567890123.json").read_text())
    authz["UserDetailList"][0].update(changes)
    return authz


SNAPSHOT_HEAD = """\
format: policy-engine-snapshot/1
accounts:
  - id: "123456789012"
    name: data
"""


# ------------------------------------------------------------------------------ snapshots


def test_snapshot_value_of_the_wrong_type(tmp_path: Path) -> None:
    text = SNAPSHOT_HEAD + """\
resources:
  s3_buckets:
    - name: acme-logs
      account: "123456789012"
      region: [eu-west-1]
"""
    path = _write(tmp_path, "wrong-type.yaml", text)
    line = _fails("who-can", "s3:GetObject", "*", "--env", str(path))
    assert line == (f"error: {path}:{_where(text, '[eu-west-1]')}: resources.s3_buckets[0]."
                    "region: `region` must be text, not a list")


def test_snapshot_account_id_written_as_a_number(tmp_path: Path) -> None:
    text = "format: policy-engine-snapshot/1\naccounts:\n  - id: 123456789012\n"
    path = _write(tmp_path, "number.yaml", text)
    line = _fails("ask", "root s3:GetObject *", "--env", str(path))
    assert line.startswith(f"error: {path}:3:9: accounts[0].id: `id` must be text")


def test_snapshot_unknown_key(tmp_path: Path) -> None:
    text = SNAPSHOT_HEAD + "    identity_provider: []\n"
    path = _write(tmp_path, "unknown-key.yaml", text)
    line = _fails("who-can", "s3:GetObject", "*", "--env", str(path))
    assert line == (f"error: {path}:{_where(text, 'identity_provider')}: "
                    "accounts[0].identity_provider: unknown key `identity_provider`; "
                    "did you mean `identity_providers`?")


def test_snapshot_bad_policy_inside(tmp_path: Path) -> None:
    text = SNAPSHOT_HEAD + """\
resources:
  s3_buckets:
    - name: acme-logs
      account: "123456789012"
      policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Permit
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::acme-logs/*
"""
    path = _write(tmp_path, "bad-policy.yaml", text)
    line = _fails("who-can", "s3:GetObject", "arn:aws:s3:::acme-logs/x", "--env", str(path))
    assert line == (f"error: {path}:{_where(text, 'Permit')}: resources.s3_buckets[0].policy."
                    "Statement[0].Effect: `Permit` is not Allow or Deny")


def test_authorization_details_wrong_type(tmp_path: Path) -> None:
    text = json.dumps(_authz(GroupList="deployers"), indent=4)
    path = _write(tmp_path, "authz.json", text)
    line = _fails("what-can", "user/ci-bot", "--env", str(path))
    where = _where(text, '"deployers"')
    assert line == (f"error: {path}:{where}: UserDetailList[0]."
                    "GroupList: `GroupList` must be a list, not the text `deployers`")


def test_authorization_details_bad_policy_inside(tmp_path: Path) -> None:
    authz = _authz()
    statement = authz["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = 5
    text = json.dumps(authz, indent=4)
    path = _write(tmp_path, "authz.json", text)
    line = _fails("ask", "user/ci-bot sts:GetCallerIdentity *", "--env", str(path))
    where = _where(text, "5\n")
    assert line == (f"error: {path}:{where}: UserDetailList[0].UserPolicyList[0]."
                    "PolicyDocument.Statement[0].Resource: `Resource` must be text or a list "
                    "of text, not the number `5`")


def test_authorization_details_unknown_statement_key(tmp_path: Path) -> None:
    authz = _authz()
    statement = authz["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]
    statement["Conditon"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    text = json.dumps(authz, indent=4)
    path = _write(tmp_path, "authz.json", text)
    line = _fails("who-can", "sts:AssumeRole", "*", "--env", str(path))
    where = _where(text, '"Conditon"')
    assert line.startswith(f"error: {path}:{where}: UserDetailList[0]."
                           "UserPolicyList[0].PolicyDocument.Statement[0].Conditon: `Conditon`")
    assert "did you mean `Condition`?" in line
    assert "more problem" not in line


def test_snapshot_names_a_missing_file(tmp_path: Path) -> None:
    text = SNAPSHOT_HEAD + "    authorization_details: authz-gone.json\n"
    path = _write(tmp_path, "missing.yaml", text)
    line = _fails("who-can", "s3:GetObject", "*", "--env", str(path))
    assert line == (f"error: {path}:{_where(text, 'authz-gone.json')}: accounts[0]."
                    f"authorization_details: cannot read `{tmp_path / 'authz-gone.json'}`: "
                    "no such file or directory")


@pytest.mark.parametrize(("name", "text", "where"), [
    ("truncated.json", '{"format": "policy-engine-snapshot/1", "accounts": [', "1:53"),
    ("neither.json", "[1, 2]", "1:1"),
    ("broken.yaml", "format: [policy-engine-snapshot/1\n", "2:1"),
])
def test_snapshot_not_readable_as_a_snapshot(tmp_path: Path, name: str, text: str,
                                             where: str) -> None:
    path = _write(tmp_path, name, text)
    line = _fails("who-can", "s3:GetObject", "*", "--env", str(path))
    assert line.startswith(f"error: {path}:{where}: ")


# ------------------------------------------------------------------------------ principals


@pytest.mark.parametrize(("expression", "message"), [
    ("user/nobody s3:GetObject *", "`user/nobody` is not a user in the snapshot"),
    ("can role/ghost do s3:GetObject on *", "`role/ghost` is not a role in the snapshot"),
    (f"arn:aws:iam::{DATA}:user/ghost s3:GetObject *",
     f"`arn:aws:iam::{DATA}:user/ghost` is not in account {DATA}'s snapshot"),
    ("root s3:GetObject *", "`root`: the snapshot holds several accounts; write ACCOUNT:root"),
])
def test_unknown_principal_in_an_expression(expression: str, message: str) -> None:
    line = _fails("ask", expression, "--env", str(ORG))
    assert line == f"error: <expr>:1:1: {message}"


def test_unknown_principal_in_an_assertion_file(tmp_path: Path) -> None:
    text = ("# the second assertion names a user that does not exist\n"
            "expect allowed: user/erin s3:GetObject arn:aws:s3:::acme-data-lake/a\n"
            "expect denied: user/nobody s3:GetObject arn:aws:s3:::acme-data-lake/a\n")
    path = _write(tmp_path, "checks.whatif", text)
    line = _fails("check", str(path), "--env", str(ORG))
    assert line == (f"error: {path}:{_where(text, 'user/nobody')}: `user/nobody` is not a "
                    "user in the snapshot")


def test_unknown_principal_in_what_can_and_assume_paths() -> None:
    for command in ("what-can", "assume-paths"):
        line = _fails(command, "role/ghost", "--env", str(ORG))
        assert line == "error: <expr>: `role/ghost` is not a role in the snapshot"


# ------------------------------------------------------------------------------ syntax


SYNTAX_ERRORS = [
    pytest.param("expect allowed: can user/erin do s3:GetObject o arn:aws:s3:::x\n",
                 " o ", 1, "expected `on`, found `o`", id="missing-on"),
    pytest.param("expect permitted: user/erin s3:GetObject arn:aws:s3:::x\n", "permitted", 0,
                 "unknown expectation `permitted`: expected allowed, denied, explicitDeny "
                 "or implicitDeny", id="bad-expectation"),
    pytest.param("user/erin s3:Get* arn:aws:s3:::x\n", "s3:Get*", 0,
                 "wildcards are not allowed in a question's action: `s3:Get*` stands for many "
                 "actions; ask about one, like `s3:GetObject`", id="wildcard-action"),
    pytest.param('user/erin s3:GetObject "arn:aws:s3:::x\n', '"arn', 0,
                 'unterminated string: the closing `"` is missing before the end of the line',
                 id="unterminated-string"),
    pytest.param("user/erin s3:GetObject arn:aws:s3:::x when aws:SourceIp 10.0.0.1\n",
                 "10.0.0.1", 0, "expected `=`, found `10.0.0.1`", id="missing-equals"),
    pytest.param("  expect allowed user/erin s3:GetObject arn:aws:s3:::x\n", "user/erin", 0,
                 "expected `:`, found `user/erin`", id="missing-colon"),
]


def _assertions(tmp_path: Path, bad_line: str) -> tuple[Path, str]:
    text = ("# a valid line, a blank line, then the bad one\n"
            "expect allowed: user/erin s3:GetObject arn:aws:s3:::acme-data-lake/a\n"
            "\n" + bad_line)
    return _write(tmp_path, "assertions.whatif", text), text


@pytest.mark.parametrize(("bad_line", "needle", "offset", "message"), SYNTAX_ERRORS)
def test_syntax_error_in_an_assertion_file(tmp_path: Path, bad_line: str, needle: str,
                                           offset: int, message: str) -> None:
    path, text = _assertions(tmp_path, bad_line)
    line = _fails("check", str(path), "--env", str(ORG))
    where = _where(text, needle, offset, text.index(bad_line))
    assert where.startswith("4:")
    assert line == f"error: {path}:{where}: {message}"


@pytest.mark.parametrize(("bad_line", "needle", "offset", "message"), SYNTAX_ERRORS[:2])
def test_syntax_error_shows_the_line_and_a_caret(tmp_path: Path, bad_line: str, needle: str,
                                                 offset: int, message: str) -> None:
    path, text = _assertions(tmp_path, bad_line)
    done = subprocess.run([_script(), "check", str(path), "--env", str(ORG)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    column = int(_where(text, needle, offset, text.index(bad_line)).split(":")[1])
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"error: {path}:4:{column}: ")
    assert bad_line.rstrip("\n") in lines[1:]
    caret = lines[lines.index(bad_line.rstrip("\n")) + 1]
    assert caret.rstrip() == " " * (column - 1) + "^"


def test_syntax_error_in_an_ask_expression() -> None:
    line = _fails("ask", "can user/erin do s3:GetObject o arn:aws:s3:::x", "--env", str(ORG))
    assert line == "error: <expr>:1:31: expected `on`, found `o`"

"""`policy-engine diff OLD NEW [--kind K] [--must-not-grant A,…] [--on R] [--format F]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policy_engine.cli.app import main

BUCKET = "arn:aws:s3:::bucket"


def write(folder: Path, name: str, *statements: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)},
                               indent=2), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out, captured.err


READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": BUCKET + "/public/*"}
WIDE = {**READ, "Resource": BUCKET + "/*"}


def test_new_access_exits_1_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    old, new = write(tmp_path, "old.json", READ), write(tmp_path, "new.json", WIDE)
    code, out, err = run(capsys, "diff", old, new)
    assert code == 1 and err == ""
    assert f"{new}:4: statement 0 (Read)" in out
    assert "s3:GetObject" in out and "only on `arn:aws:s3:::bucket/public/*`" in out


def test_no_new_access_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path, "old.json", WIDE), write(tmp_path, "new.json", READ)
    code, out, _ = run(capsys, "diff", old, new)
    assert code == 0 and "grants no access" in out


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path, "old.json", READ), write(tmp_path, "new.json", WIDE)
    code, out, _ = run(capsys, "diff", old, new, "--format", "json")
    value = json.loads(out)
    assert code == 1 and value["result"] == "FAIL" and value["kind"] == "identity"
    assert value["new_access"][0]["actions"] == ["s3:getobject"]
    assert value["new_access"][0]["line"] == 4


def test_must_not_grant_hit_and_miss(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    policy = write(tmp_path, "p.json", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    code, out, _ = run(capsys, "diff", policy, policy, "--must-not-grant",
                       "iam:PassRole,s3:GetObject")
    assert code == 1 and "forbidden grant" in out and "iam:PassRole" in out
    code, out, _ = run(capsys, "diff", policy, policy, "--must-not-grant", "s3:Get*",
                       "--on", BUCKET + "/x", "--format", "json")
    assert code == 0 and json.loads(out)["must_not_grant"]["grants"] == []


@pytest.mark.parametrize("case", ["missing", "invalid-json", "invalid-policy", "kinds",
                                  "unknown-action"])
def test_bad_input_is_one_line_and_exit_2(case: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.json", READ)
    args: list[object] = ["diff", good, good]
    expected = ""
    if case == "missing":
        args[2], expected = tmp_path / "nope.json", "nope.json"
    elif case == "invalid-json":
        (tmp_path / "bad.json").write_text('{"Version": ', encoding="utf-8")
        args[2], expected = tmp_path / "bad.json", "bad.json:1"
    elif case == "invalid-policy":
        args[2] = write(tmp_path, "bad.json", {**READ, "Effect": "Alow"})
        expected = "Effect"
    elif case == "kinds":
        args[2] = write(tmp_path, "bucket.json", {**READ, "Principal": "*"})
        expected = "the kinds differ"
    else:
        args += ["--must-not-grant", "iam:PassRol"]
        expected = "did you mean `iam:PassRole`?"
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err
    assert "Traceback" not in err

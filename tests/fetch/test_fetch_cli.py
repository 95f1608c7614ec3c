"""`policy-engine fetch` as a command: its bad-input lines, its progress, and a file that
is whole or absent.

Sources: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/credentials.html
(the credential chain; a missing profile), https://docs.python.org/3/library/os.html#os.replace
(atomic rename).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policy_engine.fetch import write_atomically
from tests.fetch import seed as S
from tests.fetch.helpers import run


def test_without_boto3_one_line_tells_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` raises ImportError
    ran = run("fetch", "-o", str(tmp_path / "s.json"))
    assert ran.exit_code == 2
    assert ran.stderr == "error: policy-engine fetch needs boto3: pip install " \
                         "'policy-engine[aws]'\n"
    assert not (tmp_path / "s.json").exists()


def test_the_base_cli_does_not_import_boto3_or_the_fetchers() -> None:
    code = ("import sys, policy_engine.cli.app; "
            "print(sorted(m for m in ('boto3', 'botocore', 'policy_engine.fetch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.aws
def test_an_unknown_service_is_one_line(server: str, tmp_path: Path) -> None:
    ran = run("fetch", "-o", str(tmp_path / "s.json"), "--endpoint-url", server,
              "--services", "iam,dynamo")
    assert ran.exit_code == 2
    assert ran.stderr.startswith("error: --services: unknown service `dynamo` (expected")
    assert ran.stderr.count("\n") == 1


@pytest.mark.aws
def test_no_credentials_is_one_line(server: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    ran = run("fetch", "-o", str(tmp_path / "s.json"), "--endpoint-url", server)
    assert ran.exit_code == 2
    assert ran.stderr.startswith("error: fetch: no AWS credentials found")
    assert not (tmp_path / "s.json").exists()


@pytest.mark.aws
def test_an_unknown_profile_is_one_line(aws_env: None, tmp_path: Path) -> None:
    ran = run("fetch", "-o", str(tmp_path / "s.json"), "--profile", "nosuchprofile")
    assert ran.exit_code == 2
    assert ran.stderr == ("error: --profile: the AWS profile `nosuchprofile` is not in your "
                          "AWS config or credentials file\n")


@pytest.mark.aws
def test_progress_is_one_plain_line_per_task_off_a_terminal(server: str,
                                                            tmp_path: Path) -> None:
    ran = run("fetch", "-o", str(tmp_path / "s.json"), "--endpoint-url", server,
              "--regions", S.REGION, "--services", "iam,kms,sqs")
    assert ran.exit_code == 0, ran.stderr
    lines = ran.stderr.splitlines()
    assert lines[0] == "fetching: 3 tasks"
    assert sorted(lines[1:]) == [
        "fetched iam: 2 users, 1 groups, 2 roles, 1 managed policies",
        "fetched kms us-east-1: 1 kms_keys",
        "fetched sqs us-east-1: 1 sqs_queues"]
    assert ran.stdout.startswith(f"wrote {tmp_path / 's.json'}: account {S.MANAGEMENT} as "
                                 f"arn:aws:sts::{S.MANAGEMENT}:")


@pytest.mark.aws
def test_ctrl_c_during_the_fetch_leaves_the_old_file(server: str,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from policy_engine.cli import fetch as command

    target = tmp_path / "s.json"
    target.write_text('{"old": true}')

    def interrupted(self, task, summary, warnings) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command._PlainLines, "finished", interrupted)
    ran = run("fetch", "-o", str(target), "--endpoint-url", server, "--regions", S.REGION)
    assert ran.exit_code == 130  # 128 + SIGINT, as for any interrupted command
    assert json.loads(target.read_text()) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_an_interrupted_write_leaves_no_half_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after half the text is written: the target is the old file, and the
    temporary file is gone."""
    target = tmp_path / "snapshot.json"
    target.write_text("old\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new\n" * 10_000)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]
    monkeypatch.undo()
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    from policy_engine.fetch import FetchError

    with pytest.raises(FetchError, match="cannot write in"):
        write_atomically(tmp_path / "missing" / "s.json", "{}")


@pytest.mark.aws
def test_after_ctrl_c_the_running_tasks_send_nothing_more(server: str) -> None:
    """The threads still running stop at their next call instead of finishing their
    task."""
    from policy_engine.fetch import FetchSession
    from policy_engine.fetch.session import FetchCancelled
    from tests.fetch.inject import Counter

    session = FetchSession(endpoint_url=server)
    sent = Counter()
    session.events.register("before-send", sent)
    session.cancelled.set()
    with pytest.raises(FetchCancelled):
        session.client("sqs").list_queues()
    assert sent.sent == 0

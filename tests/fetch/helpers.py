"""Running `policy-engine` in-process the way `main()` does, and fetching into a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from policy_engine.cli.app import app
from policy_engine.errors import PolicyEngineError

RUNNER = CliRunner()


@dataclass(frozen=True, slots=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def run(*args: str, env: dict[str, str] | None = None) -> Ran:
    """The command's exit code and output; a `PolicyEngineError` is exit 2 with its one
    line on stderr, as `policy_engine.cli.app.main` prints it."""
    try:
        result = RUNNER.invoke(app, list(args), env=env, catch_exceptions=False)
    except PolicyEngineError as error:
        return Ran(2, "", f"error: {error.one_line()}\n")
    return Ran(result.exit_code, result.stdout, result.stderr)


def fetch_into(path: Path, url: str, *extra: str, env: dict[str, str] | None = None
               ) -> tuple[Ran, dict[str, Any]]:
    """`policy-engine fetch -o PATH --endpoint-url URL --regions us-east-1,eu-west-1`
    (those Regions unless `extra` names others)."""
    regions = () if "--regions" in extra else ("--regions", "us-east-1,eu-west-1")
    ran = run("fetch", "-o", str(path), "--endpoint-url", url, *regions, *extra, env=env)
    assert ran.exit_code == 0, ran.stderr
    return ran, json.loads(path.read_text(encoding="utf-8"))


def member_env(credentials: dict[str, str]) -> dict[str, str]:
    """The member account's credentials as environment variables."""
    return {"AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": credentials["aws_session_token"]}

"""Results to render, built by the library from small hand-written inputs."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from policy_engine.analysis.check import CheckReport, run_checks
from policy_engine.analysis.resolve import Resolver
from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import EvaluationResult, evaluate

ACCOUNT = "111122223333"
JOHN = f"arn:aws:iam::{ACCOUNT}:user/john"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
# One account: user alice may read s3://reports and assume role deployer, which may write
# there; written in the shape `aws iam get-account-authorization-details` prints.
AUTHZ = Path(__file__).parents[1] / "data" / "one-account-authz.json"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
CHECK_QUESTIONS = (f"user/alice sts:AssumeRole {DEPLOYER}", f"user/alice iam:PassRole {DEPLOYER}",
                   f"user/alice iam:GetRole {DEPLOYER}")

READ = {"name": "read", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::mybucket/*"}]}}
GUARD = {"name": "guard", "document": {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoPhotos", "Effect": "Deny", "Action": "s3:*",
     "Resource": "arn:aws:s3:::mybucket/*.jpg"}]}}
RESOURCES = {"allowed": ("s3:GetObject", "arn:aws:s3:::mybucket/notes.txt"),
             "explicitDeny": ("s3:GetObject", "arn:aws:s3:::mybucket/photo.jpg"),
             "implicitDeny": ("s3:PutObject", "arn:aws:s3:::mybucket/notes.txt")}


def _result(action: str, resource: str) -> EvaluationResult:
    case: dict[str, Any] = {
        "request": {"principal": JOHN, "action": action, "resource": resource,
                    "resource_account": ACCOUNT},
        "identity_policies": [READ, GUARD]}
    parsed = parse_case_value(case, source="case.json", now=NOW)
    return evaluate(parsed.request, parsed.policies)


@pytest.fixture(scope="session")
def results() -> dict[str, EvaluationResult]:
    """One result per decision, keyed by the decision's value."""
    built = {decision: _result(*where) for decision, where in RESOURCES.items()}
    assert {key: r.decision.value for key, r in built.items()} == {k: k for k in built}
    return built


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    from policy_engine.snapshot import load_snapshot

    return Resolver(load_snapshot([AUTHZ], strict=True), now=NOW)


@pytest.fixture(scope="session")
def checks(resolver: Resolver) -> CheckReport:
    """Two assertions (the first holds, the second fails) and a bare question."""
    from policy_engine.whatif import parse_script

    text = (f"expect allowed: {CHECK_QUESTIONS[0]}\n"
            f"expect allowed: {CHECK_QUESTIONS[1]}\n"
            f"{CHECK_QUESTIONS[2]}\n")
    return run_checks(resolver, parse_script(text, source="checks.whatif"))


@pytest.fixture(scope="session")
def plain() -> Callable[[object], str]:
    """A renderable as the text a terminal 200 columns wide would show, without colour."""

    def render(renderable: object) -> str:
        console = Console(file=io.StringIO(), width=200, color_system=None)
        console.print(renderable)
        return console.file.getvalue()  # type: ignore[attr-defined]

    return render

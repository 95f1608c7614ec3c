"""s3-cloudfront-hosting: its checks pass and really depend on the snapshot, Block Public
Access is the engine's decision, the walk-through performs what the engine allows, `show`
renders the topic's objects, and the quiz answers come from the engine and the models."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from policy_engine.analysis.resolve import Resolver
from policy_engine.scenario.api import AccessCheck, ModelCheck
from policy_engine.scenario.checks import run_checks
from policy_engine.scenario.registry import discover
from policy_engine.snapshot.load import load_snapshot_value
from policy_engine.whatif import parse_question
from quizzes.model import ChoiceQuestion, DecisionQuestion
from quizzes.scenario_bank import scenario_bank
from scenarios.s3_hosting import (
    CAMPAIGN,
    LEGACY,
    ORIGIN,
    SCENARIO,
    WEBSITE,
    hosting_snapshot,
    objects,
)

NAME = "s3-cloudfront-hosting"


@pytest.fixture(autouse=True)
def quiz_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_ENGINE_QUIZ_DB", str(tmp_path / "quiz.sqlite3"))


def _ask(snapshot: dict[str, Any], question: str) -> str:
    resolver = Resolver(load_snapshot_value(snapshot, source="test"))
    return resolver.ask(parse_question(question)).decision.value


def _bucket(snapshot: dict[str, Any], name: str) -> dict[str, Any]:
    return next(b for b in snapshot["resources"]["s3_buckets"] if b["name"] == name)


def test_the_scenario_registers_and_every_check_passes() -> None:
    """Each check's expected result cites its AWS page (the module docstring lists the
    rules); at least ten access checks, among them denials, and model checks."""
    assert discover().get(NAME) is SCENARIO
    results = run_checks(SCENARIO)
    assert all(r.passed and not r.error for r in results), [r for r in results if not r.passed]
    checks = SCENARIO.checks()
    access = [c for c in checks if isinstance(c, AccessCheck)]
    assert len(access) >= 10 and len([c for c in checks if isinstance(c, ModelCheck)]) >= 10
    denials = [r for r in results if r.expected in ("implicitDeny", "explicitDeny")]
    assert len(denials) >= 6
    assert all(r.doc.startswith("https://docs.aws.amazon.com/") for r in results)


def test_block_public_access_is_decided_by_the_engine_from_the_snapshot() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html:
    RestrictPublicBuckets at either level blocks a public policy; turning both levels off
    makes the same policy serve anonymous readers."""
    page = "index.html"
    snapshot = hosting_snapshot()
    assert _ask(snapshot, f"anonymous s3:GetObject {objects(WEBSITE, page)}") == "allowed"
    assert _ask(snapshot, f"anonymous s3:GetObject {objects(LEGACY, page)}") == "implicitDeny"
    assert _ask(snapshot, f"anonymous s3:GetObject {objects(CAMPAIGN, page)}") == \
        "implicitDeny"
    opened = copy.deepcopy(snapshot)
    _bucket(opened, LEGACY)["public_access_block"]["RestrictPublicBuckets"] = False
    assert _ask(opened, f"anonymous s3:GetObject {objects(LEGACY, page)}") == "allowed"
    opened["accounts"][1]["s3_public_access_block"] = None
    assert _ask(opened, f"anonymous s3:GetObject {objects(CAMPAIGN, page)}") == "allowed"
    closed = copy.deepcopy(snapshot)
    closed["accounts"][0]["s3_public_access_block"] = {"RestrictPublicBuckets": True}
    assert _ask(closed, f"anonymous s3:GetObject {objects(WEBSITE, page)}") == "implicitDeny"


def test_the_oac_condition_is_what_admits_the_distribution() -> None:
    """https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html:
    without the AWS:SourceArn condition any distribution (any account's) could read."""
    snapshot = hosting_snapshot()
    other = "arn:aws:cloudfront::444455556666:distribution/E5OTHER6ACCOUNT"
    question = (f"cloudfront.amazonaws.com s3:GetObject {objects(ORIGIN, 'site/index.html')} "
                f"when AWS:SourceArn = {other}")
    assert _ask(snapshot, question) == "implicitDeny"
    loose = copy.deepcopy(snapshot)
    del _bucket(loose, ORIGIN)["policy"]["Statement"][0]["Condition"]
    assert _ask(loose, question) == "allowed"


def test_the_walk_through_performs_what_the_engine_allows() -> None:
    """The narrated run: deploy, serve through OAC, delete by mistake, restore, age."""
    lines: list[str] = []
    SCENARIO.run(lines.append)
    assert len(lines) == 14
    assert all(line.endswith("[green]ok[/green]") for line in lines), lines
    assert any("404 NoSuchKey" in line for line in lines)
    assert any("-> DEEP_ARCHIVE" in line for line in lines)
    assert "gone" in lines[-1]


def test_describe_renders_buckets_distribution_versions_and_lifecycle() -> None:
    console = Console(record=True, width=120)
    console.print(SCENARIO.describe())
    text = console.export_text()
    for expected in ("Block Public Access: all off", "BucketOwnerEnforced",
                     "origin access control", "delete marker (current)",
                     "archive-media (Enabled", "day 181: DEEP_ARCHIVE"):
        assert expected in text


def test_the_questions_are_valid_and_answered_by_engine_and_models() -> None:
    bank = scenario_bank(SCENARIO)
    assert len(bank.questions) >= 10
    decisions = [q for q in bank.questions if isinstance(q, DecisionQuestion)]
    choices = {q.id: q for q in bank.questions if isinstance(q, ChoiceQuestion)}
    assert len(decisions) >= 6 and len(choices) >= 6
    assert all(q.id.startswith(NAME) for q in bank.questions)
    video = choices[f"{NAME}-video-class-day-95"]
    assert [video.options[a].text for a in video.answer] == ["GLACIER_IR"]
    small = choices[f"{NAME}-small-object-class"]
    assert [small.options[a].text for a in small.answer] == ["STANDARD"]
    accepted = choices[f"{NAME}-accepted-configurations"]
    assert {accepted.options[a].text for a in accepted.answer} == {
        "Standard-IA at 30, Glacier Flexible Retrieval at 60, expire at 365",
        "Glacier Instant Retrieval on the day of upload"}
    assert any(q.changed for q in bank.questions)


def test_the_cli_checks_shows_runs_and_exports(tmp_path: Path) -> None:
    entry = [sys.executable, "-c", "from policy_engine.cli.app import main; main()"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*entry, *args], capture_output=True, text=True, timeout=120)

    checked = run("scenario", "check", NAME, "--format", "json")
    assert checked.returncode == 0, checked.stderr
    records = json.loads(checked.stdout)
    assert len(records) == len(SCENARIO.checks()) and all(r["passed"] for r in records)
    shown = run("scenario", "show", NAME)
    assert shown.returncode == 0 and "lifecycle configuration" in shown.stdout
    out = tmp_path / "s3.json"
    assert run("scenario", "export", NAME, "-o", str(out)).returncode == 0
    asked = run("ask", f"can anonymous do s3:GetObject on {objects(ORIGIN, 'site/x')}",
                "--env", str(out), "--format", "json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["decision"] == "implicitDeny"

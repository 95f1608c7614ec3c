"""Scenario plugins: discovery through entry points (the built-ins and a third-party
plugin installed as a temporary distribution), the checks, the JSON records, export to
the account commands, the narrated run, and broken plugins reported one line each."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policy_engine.scenario.api import AccessCheck, ModelCheck
from policy_engine.scenario.checks import run_checks
from policy_engine.scenario.registry import discover

BUILT_INS = {
    "iam-sts-federation",
    "kms-envelope-encryption",
    "lex-comprehend-chatbot",
    "s3-cloudfront-hosting",
}


def test_the_built_ins_register_through_the_entry_point_group() -> None:
    found = discover()
    assert set(found.names) >= BUILT_INS
    assert not found.broken


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_every_check_of_a_built_in_passes_with_enough_denials(name: str) -> None:
    scenario = discover().get(name)
    assert scenario is not None
    results = run_checks(scenario)
    assert len(results) >= 8
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    access_denials = [c for c in scenario.checks() if isinstance(c, AccessCheck)
                      and c.expect.split(":", 1)[0].split()[-1] != "allowed"]
    assert len(access_denials) >= 2, "at least two denials decided by the engine"
    assert all(r.doc.startswith("https://docs.aws.amazon.com/") for r in results)
    assert all(isinstance(c, AccessCheck | ModelCheck) for c in scenario.checks())


@pytest.fixture(scope="module")
def cli_entry() -> list[str]:
    return [sys.executable, "-c", "from policy_engine.cli.app import main; main()"]


def _run(cli_entry: list[str], *args: str, env: dict[str, str] | None = None,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli_entry, *args], capture_output=True, text=True, env=env,
                          timeout=120, input=stdin)


def test_check_json_has_one_record_per_check(cli_entry: list[str]) -> None:
    done = _run(cli_entry, "scenario", "check", "kms-envelope-encryption", "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert len(records) >= 8
    for record in records:
        assert {"name", "expected", "actual", "doc", "passed"} <= set(record)
        assert record["expected"] == record["actual"] or record["expected"] == "denied"


def test_an_exported_snapshot_answers_the_account_commands(cli_entry: list[str],
                                                           tmp_path: Path) -> None:
    out = tmp_path / "kms.json"
    assert _run(cli_entry, "scenario", "export", "kms-envelope-encryption", "-o",
                str(out)).returncode == 0
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    done = _run(cli_entry, "ask", f"can role/key-admin do kms:Decrypt on {key} when "
                "kms:EncryptionContext:project = alpha", "--env", str(out),
                "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "implicitDeny"


def test_the_envelope_walk_through_turns_out_as_documented() -> None:
    scenario = discover().get("kms-envelope-encryption")
    assert scenario is not None
    lines: list[str] = []
    scenario.run(lines.append)
    assert len(lines) == 7 and all(line.endswith("[green]ok[/green]") for line in lines)
    assert any("4,096 bytes" in line for line in lines)


def test_show_and_list(cli_entry: list[str]) -> None:
    listed = _run(cli_entry, "scenario", "list")
    assert listed.returncode == 0 and "kms-envelope-encryption" in listed.stdout
    shown = _run(cli_entry, "scenario", "show", "iam-sts-federation")
    assert shown.returncode == 0 and "role/partner-audit" in shown.stdout
    missing = _run(cli_entry, "scenario", "show", "nope")
    assert missing.returncode == 2 and "no scenario named `nope`" in missing.stderr


PLUGIN = '''
from policy_engine.scenario.api import AccessCheck
from policy_engine.scenario.build import authorization_details, document, inline, user

class Tiny:
    name = "tiny-bucket"
    title = "One user, one bucket"
    topic = "evaluation-same-account"
    summary = "A third-party scenario."

    def snapshot(self):
        reader = user("111122223333", "reader", inline("read", {
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::tiny/*"}))
        return {"format": "policy-engine-snapshot/1", "accounts": [
            {"id": "111122223333", "authorization_details":
             authorization_details(users=[reader])}]}

    def checks(self):
        return [AccessCheck("reader reads", "expect allowed: user/reader s3:GetObject "
                            "arn:aws:s3:::tiny/a in account 111122223333",
                            "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                            "reference_policies_evaluation-logic.html"),
                AccessCheck("reader cannot delete", "expect implicitDeny: user/reader "
                            "s3:DeleteObject arn:aws:s3:::tiny/a in account "
                            "111122223333", "https://docs.aws.amazon.com/IAM/latest/"
                            "UserGuide/reference_policies_evaluation-logic.html")]

    def questions(self):
        return [{"id": "tiny-reader-deletes", "kind": "decision",
                 "topic": "evaluation-same-account", "domains": ["saa-c03:secure"],
                 "difficulty": "easy", "stem": "The reader may only read. It deletes a.",
                 "references": ["https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                                "reference_policies_evaluation-logic.html"],
                 "ask": "user/reader s3:DeleteObject arn:aws:s3:::tiny/a in account "
                        "111122223333"}]

    def run(self, narrate):
        narrate("nothing to do")

SCENARIO = Tiny()

class BadSnapshot(Tiny):
    name = "bad-snapshot"
    def snapshot(self):
        return {"format": "policy-engine-snapshot/1", "accounts": [{"id": "12"}]}

BAD_SNAPSHOT = BadSnapshot()

class BadExpression(Tiny):
    name = "bad-expression"
    def checks(self):
        return [AccessCheck("typo", "expect allowed user/reader s3:GetObject *", "x")]

BAD_EXPRESSION = BadExpression()
'''


@pytest.fixture()
def plugin_env(tmp_path: Path) -> dict[str, str]:
    """A temporary distribution on PYTHONPATH: a module and a dist-info whose
    entry_points.txt registers three scenarios and one that cannot be imported."""
    (tmp_path / "tiny_scenarios.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = tmp_path / "tiny_scenarios-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-scenarios\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[policy_engine.scenarios]\n"
        "tiny-bucket = tiny_scenarios:SCENARIO\n"
        "bad-snapshot = tiny_scenarios:BAD_SNAPSHOT\n"
        "bad-expression = tiny_scenarios:BAD_EXPRESSION\n"
        "missing-module = no_such_module_here:SCENARIO\n", encoding="utf-8")
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_a_third_party_plugin_is_found_and_broken_ones_are_named(
        cli_entry: list[str], plugin_env: dict[str, str], tmp_path: Path) -> None:
    listed = _run(cli_entry, "scenario", "list", env=plugin_env)
    assert "tiny-bucket" in listed.stdout and "kms-envelope-encryption" in listed.stdout
    broken = [line for line in listed.stderr.splitlines() if line.startswith("error:")]
    assert len(broken) == 1 and "`missing-module`" in broken[0]
    assert "ModuleNotFoundError" in broken[0]
    one = _run(cli_entry, "scenario", "check", "tiny-bucket", "--format", "json",
               env=plugin_env)
    assert one.returncode == 0, one.stdout + one.stderr
    assert [r["passed"] for r in json.loads(one.stdout)] == [True, True]
    every = _run(cli_entry, "scenario", "check", "--format", "json", env=plugin_env)
    assert every.returncode == 1  # the broken ones fail; the others still ran
    records = json.loads(every.stdout)
    by_scenario = {r["scenario"] for r in records}
    assert {"tiny-bucket", "kms-envelope-encryption", "iam-sts-federation"} <= by_scenario
    errors = {r["scenario"]: r["reason"] for r in records if r["error"]}
    assert set(errors) == {"bad-snapshot", "bad-expression"}
    assert "scenario bad-snapshot" in errors["bad-snapshot"]
    assert "typo" in errors["bad-expression"]
    quiz = _run(cli_entry, "quiz", "--topic", "evaluation-same-account", "--count", "400",
                "--seed", "1", "--format", "json", env={**plugin_env,
                                                        "POLICY_ENGINE_QUIZ_DB": str(
                                                            tmp_path / "quiz.sqlite3")},
                stdin="skip\n" * 400)
    assert quiz.returncode == 0, quiz.stderr
    asked = {q["id"]: q for q in json.loads(quiz.stdout)["questions"]}
    assert asked["tiny-reader-deletes"]["correct"] == ["C"]  # implicitDeny, by the engine
    warned = [line for line in quiz.stderr.splitlines() if line.startswith("warning:")]
    assert any("`bad-snapshot`" in line for line in warned)  # its ask cannot be answered


def test_an_identity_provider_the_account_lists_can_start_a_federated_assumption() -> None:
    """A SAML/OIDC provider has no identity policy: the role's trust policy alone decides
    AssumeRoleWithSAML / AssumeRoleWithWebIdentity
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html); a provider
    the account does not list is refused as unknown."""
    from policy_engine.analysis.resolve import ResolutionError, Resolver
    from policy_engine.snapshot.load import load_snapshot_value
    from policy_engine.whatif import parse_question

    scenario = discover().get("iam-sts-federation")
    assert scenario is not None
    resolver = Resolver(load_snapshot_value(scenario.snapshot()))
    role = "arn:aws:iam::111122223333:role/okta-admins"
    allowed = resolver.ask(parse_question(
        f"can arn:aws:iam::111122223333:saml-provider/Okta do sts:AssumeRoleWithSAML on "
        f"{role} when SAML:aud = https://signin.aws.amazon.com/saml"))
    assert allowed.decision.value == "allowed"
    with pytest.raises(ResolutionError, match="not an identity provider of account"):
        resolver.ask(parse_question(
            f"can arn:aws:iam::111122223333:saml-provider/Other do sts:AssumeRoleWithSAML on "
            f"{role}"))

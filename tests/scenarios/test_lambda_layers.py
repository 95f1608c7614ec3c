"""The lambda-layers scenario: its snapshot holds the policies AddLayerVersionPermission
writes, the engine decides who may use which version, the walk-through performs the
layer actions, and `show`, `check` and the exported snapshot work from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from policy_engine.analysis.resolve import Resolver
from policy_engine.scenario.api import AccessCheck, ModelCheck
from policy_engine.scenario.checks import run_checks
from policy_engine.scenario.registry import discover
from policy_engine.snapshot.load import load_snapshot_value
from policy_engine.whatif import parse_question
from scenarios.lambda_layers import SCENARIO
from scenarios.layer_world import (
    COMMON_UTILS,
    DEPS_V1,
    DEPS_V2,
    JQ_CLI,
    MEMBER,
    NODE_TRACING,
    ORG_ID,
    OUTSIDER,
    PARTNER,
    SHARED,
)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_snapshot_value(SCENARIO.snapshot()))


def _decision(resolver: Resolver, caller: str, action: str, arn: str) -> str:
    return resolver.ask(parse_question(f"can {caller} do {action} on {arn}")).decision.value


def test_it_registers_and_every_check_passes() -> None:
    """Each check cites its AWS page; at least two are engine denials."""
    assert discover().get("lambda-layers") is not None
    results = run_checks(SCENARIO)
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    checks = SCENARIO.checks()
    assert sum(isinstance(c, AccessCheck) for c in checks) >= 10
    assert sum(isinstance(c, ModelCheck) for c in checks) >= 10
    assert sum(isinstance(c, AccessCheck) and "implicitDeny" in c.expect for c in checks) >= 2
    assert all(r.doc.startswith("https://docs.aws.amazon.com/") for r in results)


def test_each_version_policy_is_what_add_layer_version_permission_writes() -> None:
    """Account, organization and public grants have the documented shapes
    (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html)."""
    entries = {e["arn"]: e.get("policy") for e in
               SCENARIO.snapshot()["resources"]["lambda_layer_versions"]}
    assert set(entries) == {COMMON_UTILS, DEPS_V1, DEPS_V2, NODE_TRACING, JQ_CLI}
    principal = {arn: [s["Principal"] for s in policy["Statement"]]
                 for arn, policy in entries.items()}
    assert principal[COMMON_UTILS] == [{"AWS": f"arn:aws:iam::{SHARED}:root"}]
    assert principal[DEPS_V1] == [{"AWS": f"arn:aws:iam::{PARTNER}:root"}]
    assert principal[JQ_CLI] == ["*"] and "Condition" not in entries[JQ_CLI]["Statement"][0]
    org = entries[DEPS_V2]["Statement"][0]
    assert org["Principal"] == "*" and org["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    assert all(s["Action"] == "lambda:GetLayerVersion" and s["Resource"] == arn
               for arn, policy in entries.items() for s in policy["Statement"])


@pytest.mark.parametrize(("caller", "arn", "expected"), [
    (f"{PARTNER}:role/deployer", DEPS_V1, "allowed"),
    (f"{PARTNER}:role/deployer", DEPS_V2, "implicitDeny"),
    (f"{PARTNER}:role/deployer", NODE_TRACING, "implicitDeny"),
    (f"{PARTNER}:role/deployer", JQ_CLI, "allowed"),
    (f"{MEMBER}:role/deployer", DEPS_V2, "allowed"),
    (f"{MEMBER}:role/deployer", NODE_TRACING, "allowed"),
    (f"{MEMBER}:role/deployer", DEPS_V1, "implicitDeny"),
    (f"{MEMBER}:role/deployer", COMMON_UTILS, "implicitDeny"),
    (f"{OUTSIDER}:role/deployer", DEPS_V2, "implicitDeny"),
    (f"{OUTSIDER}:role/deployer", NODE_TRACING, "implicitDeny"),
    (f"{OUTSIDER}:role/deployer", JQ_CLI, "allowed"),
    (f"{SHARED}:role/app-deployer", DEPS_V1, "allowed"),
    (f"{SHARED}:role/intern", COMMON_UTILS, "implicitDeny"),
])
def test_who_can_use_which_version(resolver: Resolver, caller: str, arn: str,
                                   expected: str) -> None:
    """Cross-account use needs the version's policy and the caller's IAM policy; `*` with
    aws:PrincipalOrgID admits only the organization's accounts; `*` admits every account
    (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""
    assert _decision(resolver, caller, "lambda:GetLayerVersion", arn) == expected


def test_an_org_wide_statement_also_admits_identities_of_the_owner_account(
        resolver: Resolver) -> None:
    """`Principal: *` with the organization condition matches any principal of a member
    account, the owner's own intern included: a resource policy that allows a same-account
    principal needs no identity policy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    assert _decision(resolver, f"{SHARED}:role/intern", "lambda:GetLayerVersion",
                     DEPS_V2) == "allowed"


def test_the_walk_through_publishes_grants_attaches_and_refuses() -> None:
    lines: list[str] = []
    SCENARIO.run(lines.append)
    text = "\n".join(lines)
    assert "PublishLayerVersion python-deps:3" in text and "DeleteLayerVersion" in text
    assert '"aws:PrincipalOrgID": "o-k3layers01"' in text
    assert "/opt/python/urllib3/__init__.py (22 bytes) from python-deps:2, replacing " \
           "common-utils:1's copy" in text
    created = [line for line in lines if line.startswith("CreateFunction") and
               "created" in line]
    assert len(created) == 4  # report-builder, ingest, etl, forecast-15mb
    refused = [line for line in lines if ": refused, " in line]
    assert [line.split(": refused, ")[1].split(":")[0] for line in refused] == [
        "AccessDeniedException", "AccessDeniedException", "ResourceNotFoundException",
        "InvalidParameterValueException", "InvalidParameterValueException"]
    assert "over the 250 MB quota" in text and "at most 5" in text
    assert "runtime-incompatible" in text and "UNEXPECTED" not in text


def test_describe_renders_versions_permissions_and_the_merged_opt() -> None:
    console = Console(record=True, width=160)
    console.print(SCENARIO.describe())
    text = console.export_text()
    assert "engineering-org: lambda:GetLayerVersion for every account of organization " \
           f"{ORG_ID}" in text
    assert "public: lambda:GetLayerVersion for every AWS account (public)" in text
    assert f"partner-etl: lambda:GetLayerVersion for account {PARTNER}" in text
    assert "/opt/python/urllib3/__init__.py from python-deps:2 (replaces common-utils:1)" \
        in text


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from policy_engine.cli.app import main; "
                           "main()", *args], capture_output=True, text=True, timeout=120)


def test_check_json_and_the_exported_snapshot(tmp_path: Path) -> None:
    done = _cli("scenario", "check", "lambda-layers", "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert len(records) == len(SCENARIO.checks()) and all(r["passed"] for r in records)
    out = tmp_path / "layers.json"
    assert _cli("scenario", "export", "lambda-layers", "-o", str(out)).returncode == 0
    asked = _cli("ask", f"can {OUTSIDER}:role/deployer do lambda:GetLayerVersion on "
                 f"{DEPS_V2}", "--env", str(out), "--format", "json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["decision"] == "implicitDeny"


def test_the_quiz_answers_come_from_the_model_and_the_engine(resolver: Resolver) -> None:
    """Choice answers are computed by the limit checker and the layout model; decision
    questions are answered by the engine over the snapshot."""
    questions = {q["id"]: q for q in SCENARIO.questions()}
    assert len(questions) >= 10
    assert questions["lambda-layers-quota-which-fit"]["answer"] == ["A", "B"]  # 10, 15 MB
    assert questions["lambda-layers-merge-order"]["answer"] == ["A"]
    assert questions["lambda-layers-node-paths"]["answer"] == ["A", "C"]
    assert questions["lambda-layers-python-paths"]["answer"] == ["A", "B"]
    assert questions["lambda-layers-java-paths"]["answer"] == ["A"]
    assert questions["lambda-layers-six-layers"]["answer"] == ["B"]  # False
    decided = {qid: resolver.ask(parse_question(q["ask"])).decision.value
               for qid, q in questions.items() if q["kind"] == "decision"}
    assert decided == {
        "lambda-layers-partner-granted-version": "allowed",
        "lambda-layers-partner-next-version": "implicitDeny",
        "lambda-layers-org-member": "allowed",
        "lambda-layers-outside-org": "implicitDeny",
        "lambda-layers-public-layer": "allowed",
        "lambda-layers-same-account-statement": "implicitDeny",
        "lambda-layers-partner-deletes": "implicitDeny"}
    assert all(q["references"] and all(r.startswith("https://docs.aws.amazon.com/")
                                       for r in q["references"])
               for q in questions.values())

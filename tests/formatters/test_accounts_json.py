"""`formatters.accounts_json`: who-can, what-can, assume-paths and check reports as JSON
(and check reports as JUnit XML)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from policy_engine.analysis.assume_paths import assume_paths
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.analysis.who_can import who_can
from policy_engine.formatters import accounts_json

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
REPORT = "arn:aws:s3:::reports/q1.csv"


def test_who_can(resolver: Resolver) -> None:
    grants = who_can(resolver, "s3:GetObject", REPORT, ACCOUNT)
    body = json.loads(accounts_json.render_who_can("s3:GetObject", REPORT, grants))
    assert list(body) == ["action", "resource", "allowed"]
    assert (body["action"], body["resource"]) == ("s3:GetObject", REPORT)
    by_principal = {entry["principal"]: entry for entry in body["allowed"]}
    assert set(by_principal) == {ALICE, f"arn:aws:iam::{ACCOUNT}:root"}
    alice = by_principal[ALICE]
    assert list(alice) == ["principal", "display", "decided_by", "reason",
                           "granting_statements"]
    assert alice["display"] == f"{ACCOUNT}:user/alice"
    assert alice["decided_by"] == "identity"
    assert alice["granting_statements"] == [
        {"role": "identity", "policy": "alice-inline", "statement": "ReadReports"}]


def test_who_can_nobody(resolver: Resolver) -> None:
    body = json.loads(accounts_json.render_who_can("s3:GetObject", REPORT, []))
    assert body == {"action": "s3:GetObject", "resource": REPORT, "allowed": []}


def test_what_can(resolver: Resolver) -> None:
    report = what_can(resolver, "user/alice", REPORT, service="s3", resource_account=ACCOUNT)
    body = json.loads(accounts_json.render_what_can(report))
    assert list(body) == ["principal", "resource", "considered", "explicitly_denied",
                          "allowed"]
    assert body["principal"] == f"{ACCOUNT}:user/alice"
    assert body["considered"] == report.considered > 1
    assert body["explicitly_denied"] == 0
    assert body["allowed"] == [
        {"action": "s3:GetObject", "access_level": "Read", "decided_by": "identity"}]


def test_assume_paths(resolver: Resolver) -> None:
    start = resolver.caller("user/alice")
    body = json.loads(accounts_json.render_assume_paths(start.display,
                                                        assume_paths(resolver, start)))
    assert body["from"] == f"{ACCOUNT}:user/alice"
    (path,) = body["paths"]
    (hop,) = path["hops"]
    assert list(hop) == ["from", "role", "action", "decided_by", "reason"]
    assert (hop["from"], hop["role"], hop["action"], hop["decided_by"]) == (
        f"{ACCOUNT}:user/alice", DEPLOYER, "sts:AssumeRole", "trust-policy")
    assert json.loads(accounts_json.render_assume_paths("x", [])) == {"from": "x", "paths": []}


def test_check(checks: CheckReport) -> None:
    body = json.loads(accounts_json.render_check(checks))
    assert (body["source"], body["passed"]) == ("checks.whatif", False)
    assert [list(r) for r in body["results"]] == [
        ["line", "question", "expected", "decision", "passed", "decided_by", "reason"]] * 3
    assert [(r["line"], r["expected"], r["decision"], r["passed"]) for r in body["results"]] \
        == [(1, "allowed", "allowed", True), (2, "allowed", "implicitDeny", False),
            (3, None, "implicitDeny", True)]
    assert body["results"][0]["question"] == f"user/alice sts:AssumeRole {DEPLOYER}"


def test_check_junit(checks: CheckReport) -> None:
    text = accounts_json.render_check_junit(checks)
    assert text.startswith("<?xml")
    suite = ElementTree.fromstring(text)
    assert suite.tag == "testsuite"
    assert suite.attrib == {"name": "checks.whatif", "tests": "3", "failures": "1"}
    cases = suite.findall("testcase")
    assert [case.attrib["name"] for case in cases] == [
        f"line 1: user/alice sts:AssumeRole {DEPLOYER}",
        f"line 2: user/alice iam:PassRole {DEPLOYER}",
        f"line 3: user/alice iam:GetRole {DEPLOYER}"]
    assert [case.find("failure") is not None for case in cases] == [False, True, False]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "expected allowed, got implicitDeny"
    assert failure.text == "no identity-based policy allows the request"

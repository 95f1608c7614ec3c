"""The lint driver: parse each document as `validate` does, report the parser's problems
as findings, run every enabled rule that applies to the kind on a valid policy, then
place, configure and sort the findings. Pure: no files, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.lint.config import LintConfig
from policy_engine.lint.document import LintDocument
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.registry import Registry
from policy_engine.lint.rule import Hit, LintRule, LintTarget
from policy_engine.lint.rules.grammar import rule_for_problem
from policy_engine.lint.severity import Severity
from policy_engine.parse import ParsedPolicy, parse_policy


@dataclass(frozen=True)
class Linter:
    """The rules in force: the registry filtered by the configuration, grouped by kind."""

    registry: Registry
    config: LintConfig

    def rules_for(self, document: LintDocument) -> tuple[LintRule, ...]:
        return tuple(found for found in self.registry.rules
                     if found.applies_to(document.kind) and self.config.enabled(found))

    def lint(self, document: LintDocument) -> list[LintFinding]:
        findings = list(_findings(document, self))
        kept = [finding for finding in findings if not self.config.ignored(finding)
                and not (document.placeholders and document.hides(finding.pointer))]
        return sorted(kept, key=LintFinding.sort_key)

    def lint_all(self, documents: Iterable[LintDocument]) -> list[LintFinding]:
        return [finding for document in documents for finding in self.lint(document)]


def _parse(document: LintDocument) -> ParsedPolicy:
    if document.text is not None and not document.pointer:
        # A whole policy file: parse the text itself, so size quotas count it as written.
        return parse_policy(document.text, kind=document.kind, source=document.source,
                            name=document.name, stored=document.stored)
    return parse_policy(document.value, kind=document.kind, source=document.source,
                        pointer_prefix=document.pointer, locations=document.origin,
                        name=document.name, stored=document.stored)


def _findings(document: LintDocument, linter: Linter) -> Iterator[LintFinding]:
    try:
        policy = _parse(document)
    except PolicyEngineError as error:
        for problem in error.problems:
            yield from _problem_finding(problem, document, linter)
        return
    for warning in policy.warnings:
        yield from _problem_finding(warning, document, linter)
    target = LintTarget(policy, document.subject)
    for found in linter.rules_for(document):
        yield from _run_rule(found, target, document, linter)


def _run_rule(found: LintRule, target: LintTarget, document: LintDocument,
              linter: Linter) -> Iterator[LintFinding]:
    try:
        hits = list(found.check(target))
    except Exception as error:  # a rule's bug: one finding naming it, the run goes on
        hits = [Hit(f"rule {found.code} failed on this policy ({type(error).__name__}: "
                    f"{error}); please report it with the policy", "")]
        yield _finding(found, Severity.ERROR, hits[0], document)
        return
    severity = linter.config.severity_of(found)
    for hit in hits:
        yield _finding(found, severity, hit, document)


def _problem_finding(problem: Problem, document: LintDocument,
                     linter: Linter) -> Iterator[LintFinding]:
    found = rule_for_problem(problem.code, problem.pointer)
    if not linter.config.enabled(found):
        return
    pointer = problem.pointer
    relative = pointer[len(document.pointer):] if pointer.startswith(document.pointer) else pointer
    line, column = problem.line, problem.column
    if line is None:
        line, column = _place(document, pointer)
    yield LintFinding(
        code=found.code, name=found.name, severity=linter.config.severity_of(found),
        message=problem.message, source=document.source, pointer=pointer, line=line,
        column=column, kind=document.kind.value, subject=document.subject,
        sid=_sid(document.value, relative))


def _finding(found: LintRule, severity: Severity, hit: Hit,
             document: LintDocument) -> LintFinding:
    pointer = document.pointer + hit.pointer
    line, column = _place(document, pointer)
    return LintFinding(
        code=found.code, name=found.name, severity=severity, message=hit.message,
        source=document.source, pointer=pointer, line=line, column=column,
        kind=document.kind.value, subject=document.subject,
        sid=_sid(document.value, hit.pointer))


def _place(document: LintDocument, pointer: str) -> tuple[int | None, int | None]:
    found = document.origin.nearest(pointer, within=document.pointer)
    if found is None:
        found = document.origin.locate(document.pointer)
    return (found[0], found[1]) if found else (None, None)


def _sid(value: object, relative: str) -> str | None:
    """The Sid of the statement the pointer is in, when it has one."""
    parts = relative.split("/")
    if len(parts) < 2 or parts[1] != "Statement" or not isinstance(value, dict):
        return None
    statement = value.get("Statement")
    if isinstance(statement, list):
        if len(parts) < 3 or not parts[2].isdigit() or int(parts[2]) >= len(statement):
            return None
        statement = statement[int(parts[2])]
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return sid if isinstance(sid, str) and sid else None


def worst(findings: Iterable[LintFinding]) -> Severity | None:
    ranked = sorted((finding.severity for finding in findings), key=lambda s: s.rank)
    return ranked[0] if ranked else None


def failing(findings: Iterable[LintFinding], threshold: Severity) -> list[LintFinding]:
    return [finding for finding in findings if finding.severity.at_least(threshold)]

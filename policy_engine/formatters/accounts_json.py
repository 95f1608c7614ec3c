"""JSON and JUnit renderings of the account commands' results."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from policy_engine.analysis.assume_paths import AssumePath, BlockedHop
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.what_can import WhatCanReport
from policy_engine.analysis.who_can import Grant


def render_who_can(action: str, resource: str, grants: list[Grant]) -> str:
    return json.dumps({"action": action, "resource": resource, "allowed": [
        {"principal": g.caller.request_principal, "display": g.caller.display,
         "decided_by": g.result.verdict.gate.value, "reason": g.result.verdict.reason,
         "granting_statements": [{"role": r, "policy": n, "statement": s}
                                 for r, n, s in g.granting_statements],
         # outside the snapshot: allowed only if its own account allows it
         **({"outside_snapshot": True, "allowed_if": g.caller.allowed_if}
            if g.caller.allowed_if else {})}
        for g in grants]}, indent=2)


def render_what_can(report: WhatCanReport) -> str:
    return json.dumps({"principal": report.principal, "resource": report.resource,
                       "considered": report.considered,
                       "explicitly_denied": report.explicitly_denied,
                       "allowed": [{"action": a.action.full_name,
                                    "access_level": a.action.access_level,
                                    "decided_by": a.verdict.gate.value}
                                   for a in report.allowed],
                       **({"outside_snapshot": True, "allowed_if": report.allowed_if}
                          if report.allowed_if else {})}, indent=2)


def render_assume_paths(start: str, paths: list[AssumePath],
                        blocked: BlockedHop | None = None, *,
                        allowed_if: str | None = None) -> str:
    body: dict[str, object] = {"from": start, "paths": [
        {"hops": [{"from": h.from_display, "role": h.role.arn, "action": h.action,
                   "decided_by": h.result.verdict.gate.value, "reason": h.result.verdict.reason}
                  for h in path.hops]} for path in paths]}
    if not paths and blocked is not None:
        body["blocked"] = blocked.to_dict()
    if allowed_if is not None:  # a start outside the snapshot: its first hop depends on it
        body["outside_snapshot"] = True
        body["allowed_if"] = allowed_if
    return json.dumps(body, indent=2)


def render_check(report: CheckReport) -> str:
    body: dict[str, object] = {"source": report.source, "passed": report.passed,
                               "assertions": report.asserted}
    if report.note is not None:
        body["note"] = report.note
    return json.dumps({**body, "results": [
        {"line": o.line, "question": o.text, "expected": o.expected,
         "decision": o.result.decision.value, "passed": o.passed,
         "decided_by": o.result.verdict.gate.value, "reason": o.result.verdict.reason,
         **({"allowed_if": o.allowed_if} if o.allowed_if else {})}
        for o in report.outcomes]}, indent=2)


def render_check_junit(report: CheckReport) -> str:
    suite = ElementTree.Element("testsuite", name=report.source,
                                tests=str(len(report.outcomes)),
                                failures=str(len(report.failures)))
    for outcome in report.outcomes:
        case = ElementTree.SubElement(suite, "testcase", classname=report.source,
                                      name=f"line {outcome.line}: {outcome.text}")
        if not outcome.passed:
            failure = ElementTree.SubElement(
                case, "failure", message=f"expected {outcome.expected}, got "
                f"{outcome.result.decision.value}")
            failure.text = outcome.result.verdict.reason
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)

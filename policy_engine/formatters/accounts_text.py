"""Rich renderings of who-can, what-can, assume-paths and check reports."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from policy_engine.analysis.assume_paths import AssumePath, BlockedHop
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.what_can import WhatCanReport
from policy_engine.analysis.who_can import Grant
from policy_engine.formatters.decision_text import DECISION_STYLE


def render_who_can(action: str, resource: str, grants: list[Grant]) -> Table:
    table = Table(title=f"who can {action} on {resource}")
    table.add_column("principal")
    table.add_column("decided by")
    table.add_column("granting statements")
    for grant in grants:
        statements = "\n".join(f"{role} {name} {sid}"
                               for role, name, sid in grant.granting_statements)
        who = grant.caller.display
        if grant.caller.allowed_if:
            who += f"\n(outside the snapshot: allowed if {grant.caller.allowed_if})"
        table.add_row(who, grant.result.verdict.gate.value,
                      statements or grant.result.verdict.reason)
    if not grants:
        table.caption = "nobody in the snapshot is allowed"
    return table


def render_what_can(report: WhatCanReport) -> Table:
    table = Table(title=f"what {report.principal} can do on {report.resource}")
    table.add_column("action")
    table.add_column("access level")
    table.add_column("decided by")
    for item in report.allowed:
        table.add_row(item.action.full_name, item.action.access_level, item.verdict.gate.value)
    table.caption = (f"{len(report.allowed)} of {report.considered} catalogue actions allowed; "
                     f"{report.explicitly_denied} explicitly denied")
    if report.allowed_if:
        table.caption += (f"\n{report.principal} is outside the snapshot: each action is "
                          f"allowed only if {report.allowed_if}")
    return table


def render_assume_paths(start: str, paths: list[AssumePath]) -> Table:
    table = Table(title=f"role assumption paths from {start}")
    table.add_column("hops", justify="right")
    table.add_column("path")
    table.add_column("how each hop is allowed")
    for path in paths:
        chain = " → ".join([start, *(hop.role.arn for hop in path.hops)])
        how = "\n".join(f"{hop.action}: {hop.result.verdict.reason}" for hop in path.hops)
        table.add_row(str(len(path.hops)), chain, how)
    if not paths:
        table.caption = "no chain of role assumptions found"
    return table


def describe_blocked(start: str, blocked: BlockedHop) -> str:
    """One line under an empty table: the hop that blocked the nearest chain, and why."""
    verdict = blocked.result.verdict
    chain = " → ".join([start, *(hop.role.arn for hop in blocked.reached)])
    by = ""
    if blocked.deciding_statement is not None:
        role, name, sid = blocked.deciding_statement
        by = f" by {role} `{name}`" + (f" statement {sid}" if sid else "")
    return (f"nearest chain: {chain} ✗ {blocked.role}, blocked at hop {blocked.number}: "
            f"{blocked.caller} {blocked.action} → {verdict.decision.value}{by} "
            f"({verdict.gate.value}: {verdict.reason})")


def render_check(report: CheckReport) -> Table:
    table = Table(title=f"checks in {report.source}")
    for column in ("line", "question", "expected", "decision", "result"):
        table.add_column(column)
    for outcome in report.outcomes:
        decision = outcome.result.decision
        result = Text("pass", style="green") if outcome.passed else Text("FAIL", style="bold red")
        if outcome.expected is None:
            result = Text("-", style="dim")
        shown = Text(decision.value, style=DECISION_STYLE[decision])
        if outcome.allowed_if:
            shown.append(f" if {outcome.allowed_if}")
        table.add_row(str(outcome.line), outcome.text, outcome.expected or "", shown, result)
    failed = len(report.failures)
    asserted = sum(o.expected is not None for o in report.outcomes)
    table.caption = report.note or f"{asserted - failed}/{asserted} assertions hold"
    return table

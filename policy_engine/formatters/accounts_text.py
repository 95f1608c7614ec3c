"""Rich renderings of who-can, what-can, assume-paths and check reports.

No identifier is ever cut short, whatever the terminal's width (`formatters.tables`).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from policy_engine.analysis.assume_paths import AssumePath
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.what_can import WhatCanReport
from policy_engine.analysis.who_can import Grant
from policy_engine.formatters import tables
from policy_engine.formatters.decision_text import DECISION_STYLE


def render_who_can(action: str, resource: str, grants: list[Grant]) -> Table:
    table = tables.table(f"who can {action} on {resource}",
                         "principal", "decided by", "granting statements")
    for grant in grants:
        statements = "\n".join(f"{role} {name} {sid}"
                               for role, name, sid in grant.granting_statements)
        tables.add_row(table, grant.caller.display,
                       grant.result.verdict.gate.value,
                       statements or grant.result.verdict.reason)
    if not grants:
        table.caption = "nobody in the snapshot is allowed"
    return table


def render_what_can(report: WhatCanReport) -> Table:
    table = tables.table(f"what {report.principal} can do on {report.resource}",
                         "action", "access level", "decided by")
    for item in report.allowed:
        tables.add_row(table, item.action.full_name, item.action.access_level,
                       item.verdict.gate.value)
    table.caption = (f"{len(report.allowed)} of {report.considered} catalogue actions allowed; "
                     f"{report.explicitly_denied} explicitly denied")
    return table


def render_assume_paths(start: str, paths: list[AssumePath]) -> Table:
    table = tables.table(f"role assumption paths from {start}",
                         "hops", "path", "how each hop is allowed")
    table.columns[0].justify = "right"
    for path in paths:
        chain = " → ".join([start, *(hop.role.arn for hop in path.hops)])
        how = "\n".join(f"{hop.action}: {hop.result.verdict.reason}" for hop in path.hops)
        tables.add_row(table, str(len(path.hops)), chain, how)
    if not paths:
        table.caption = "no chain of role assumptions found"
    return table


def render_check(report: CheckReport) -> Table:
    table = tables.table(f"checks in {report.source}",
                         "line", "question", "expected", "decision", "result")
    for outcome in report.outcomes:
        decision = outcome.result.decision
        result = Text("pass", style="green") if outcome.passed else Text("FAIL", style="bold red")
        if outcome.expected is None:
            result = Text("-", style="dim")
        tables.add_row(table, str(outcome.line), outcome.text, outcome.expected or "",
                       Text(decision.value, style=DECISION_STYLE[decision]), result)
    failed = len(report.failures)
    asserted = sum(o.expected is not None for o in report.outcomes)
    table.caption = f"{asserted - failed}/{asserted} assertions hold"
    return table

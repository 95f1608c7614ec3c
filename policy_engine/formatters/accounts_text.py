"""Rich renderings of who-can, what-can, assume-paths and check reports.

No identifier is ever cut short, whatever the terminal's width (`formatters.tables`).
Principals are named one way in all of them: `ACCOUNT:user/NAME`, `ACCOUNT:role/NAME` and
`ACCOUNT:root` (`principal_name`); the JSON output keeps full ARNs.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from policy_engine.analysis.assume_paths import AssumePath, BlockedHop
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.what_can import WhatCanReport
from policy_engine.analysis.who_can import Grant
from policy_engine.formatters import tables
from policy_engine.formatters.decision_text import DECISION_STYLE


def principal_name(name: str) -> str:
    """The text output's name for a principal given as an IAM or STS ARN, else `name` as is.

    `arn:aws:iam::111122223333:root` -> `111122223333:root`; an IAM user or role ARN ->
    `ACCOUNT:user/NAME` or `ACCOUNT:role/NAME` (its path left out, as for the snapshot's
    principals); an assumed-role ARN -> `ACCOUNT:role/NAME as session SESSION`.
    """
    parts = name.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[3] or not parts[4]:
        return name
    service, account, rest = parts[2], parts[4], parts[5]
    kind, _, path_and_name = rest.partition("/")
    if service == "iam" and rest == "root":
        return f"{account}:root"
    if service == "iam" and kind in ("user", "role") and path_and_name:
        return f"{account}:{kind}/{path_and_name.rsplit('/', 1)[-1]}"
    if service == "sts" and kind == "assumed-role" and path_and_name.count("/") == 1:
        role, session = path_and_name.split("/")
        return f"{account}:role/{role} as session {session}"
    return name


def render_who_can(action: str, resource: str, grants: list[Grant]) -> Table:
    table = tables.table(f"who can {action} on {resource}",
                         "principal", "decided by", "granting statements")
    for grant in grants:
        statements = "\n".join(f"{role} {name} {sid}"
                               for role, name, sid in grant.granting_statements)
        who = principal_name(grant.caller.display)
        if grant.caller.allowed_if:
            who += f"\n(outside the snapshot: allowed if {grant.caller.allowed_if})"
        tables.add_row(table, who, grant.result.verdict.gate.value,
                       statements or grant.result.verdict.reason)
    if not grants:
        table.caption = "nobody in the snapshot is allowed"
    return table


# Catalogue access levels in the order a reader scans them, least power first.
_ACCESS_LEVELS = ("List", "Read", "Write", "Tagging, Write", "Permissions management, Write")


def render_what_can(report: WhatCanReport) -> Group:
    """The actions allowed, by service, then by access level and deciding gate.

    A principal with `"Action": "*"` is allowed some 20,000 catalogue actions: one table
    row each is slow to render and long to read. Here each service gets a heading with its
    count, and each access level one paragraph of action names, packed to the terminal's
    width. Names are kept whole (`s3:GetObject`), so they can be searched for.
    """
    services: dict[str, dict[tuple[str, str], list[str]]] = {}
    for item in report.allowed:
        action = item.action
        levels = services.setdefault(action.service, {})
        levels.setdefault((action.access_level, item.verdict.gate.value), []).append(
            action.full_name)
    order = {level: index for index, level in enumerate(_ACCESS_LEVELS)}
    parts: list[RenderableType] = [
        Text(f"what {principal_name(report.principal)} can do on {report.resource}",
             style="bold"),
        Text(f"{len(report.allowed)} of {report.considered} catalogue actions allowed; "
             f"{report.explicitly_denied} explicitly denied")]
    if report.allowed_if:
        parts.append(Text(f"{principal_name(report.principal)} is outside the snapshot: each "
                          f"action is allowed only if {report.allowed_if}"))
    for service, levels in sorted(services.items()):
        count = sum(len(names) for names in levels.values())
        parts.append(Text(f"\n{service}: {count} allowed", style="bold"))
        for (level, gate), names in sorted(
                levels.items(), key=lambda g: (order.get(g[0][0], len(order)), g[0])):
            parts.append(tables.PackedWords(
                f"  {level} — decided by {gate} ({len(names)}): ", sorted(names)))
    return Group(*parts)


def render_assume_paths(start: str, paths: list[AssumePath]) -> Table:
    start = principal_name(start)
    table = tables.table(f"role assumption paths from {start}",
                         "hops", "path", "how each hop is allowed")
    table.columns[0].justify = "right"
    for path in paths:
        chain = " → ".join([start, *(principal_name(hop.role.arn) for hop in path.hops)])
        how = "\n".join(f"{hop.action}: {hop.result.verdict.reason}" for hop in path.hops)
        tables.add_row(table, str(len(path.hops)), chain, how)
    if not paths:
        table.caption = "no chain of role assumptions found"
    return table


def describe_blocked(start: str, blocked: BlockedHop) -> str:
    """One line under an empty table: the hop that blocked the nearest chain, and why."""
    verdict = blocked.result.verdict
    chain = " → ".join([principal_name(start),
                        *(principal_name(hop.role.arn) for hop in blocked.reached)])
    by = ""
    if blocked.deciding_statement is not None:
        role, name, sid = blocked.deciding_statement
        by = f" by {role} `{name}`" + (f" statement {sid}" if sid else "")
    return (f"nearest chain: {chain} ✗ {principal_name(blocked.role)}, blocked at hop "
            f"{blocked.number}: {principal_name(blocked.caller)} {blocked.action} → "
            f"{verdict.decision.value}{by} "
            f"({verdict.gate.value}: {verdict.reason})")


def render_check(report: CheckReport) -> Table:
    table = tables.table(f"checks in {report.source}",
                         "line", "question", "expected", "decision", "result")
    for outcome in report.outcomes:
        decision = outcome.result.decision
        result = Text("pass", style="green") if outcome.passed else Text("FAIL", style="bold red")
        if outcome.expected is None:
            result = Text("-", style="dim")
        shown = Text(decision.value, style=DECISION_STYLE[decision])
        if outcome.allowed_if:
            shown.append(f" if {outcome.allowed_if}")
        tables.add_row(table, str(outcome.line), outcome.text, outcome.expected or "", shown,
                       result)
    failed = len(report.failures)
    asserted = sum(o.expected is not None for o in report.outcomes)
    table.caption = report.note or f"{asserted - failed}/{asserted} assertions hold"
    return table

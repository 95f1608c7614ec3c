"""A decision as a rich tree: the verdict, then every policy and statement with its reason."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from policy_engine.engine.evaluate import EvaluationResult
from policy_engine.engine.result import Decision, PolicyTrace, StatementTrace
from policy_engine.formatters import tables

DECISION_STYLE = {Decision.ALLOWED: "bold green", Decision.EXPLICIT_DENY: "bold red",
                  Decision.IMPLICIT_DENY: "bold yellow"}


def render(result: EvaluationResult, *, title: str | None = None) -> Tree:
    explanation = result.explanation
    verdict = explanation.verdict
    request = explanation.request
    heading = Text()
    if title:
        heading.append(f"{title}\n", style="bold")
    heading.append(f"{request['principal']} → {request['action']} on {request['resource']}\n")
    heading.append(verdict.decision.value, style=DECISION_STYLE[verdict.decision])
    heading.append(f"  decided by {verdict.gate.value}: {verdict.reason}")
    if verdict.service_rule is not None:
        heading.append(f"\n  service rule {verdict.service_rule.name}: "
                       f"{verdict.service_rule.doc}")
    tree = Tree(heading)
    for policy in explanation.policies:
        tree.add(_policy_node(policy, verdict.deciding_policy, verdict.deciding_statement))
    if explanation.s3 is not None:
        tree.add(_s3_node(explanation.s3))
    for grant in explanation.grants:
        text = Text("✔ " if grant.applies else "✘ ",
                    style="green" if grant.applies else "dim")
        text.append(f"grant {grant.label}", style="bold")
        text.append(f" to {grant.grantee} ({', '.join(grant.operations)})  {grant.detail}",
                    style="" if grant.applies else "dim")
        tree.add(text)
    for note in verdict.notes:
        tree.add(Text(f"note: {note}", style="dim"))
    return tree


def _policy_node(policy: PolicyTrace, deciding: str | None, deciding_at: int | None) -> Tree:
    label = Text(f"{policy.slot.label} ")
    label.append(policy.name, style="bold")
    if policy.level is not None:
        label.append(f" (level {policy.level})")
    if not policy.applies:
        label.append(f"  not applied: {policy.note}", style="dim")
    node = Tree(label)
    for statement in policy.statements:
        mark = policy.name == deciding and statement.index == deciding_at
        node.add(_statement_text(statement, mark))
    return node


def _s3_node(s3: dict[str, Any]) -> Tree:
    """S3 Block Public Access, Object Ownership and the ACL grants of the request."""
    on = [name for name, setting in s3["block_public_access"].items() if setting["on"]]
    label = Text("s3 ", style="")
    label.append("Block Public Access", style="bold")
    label.append(f" {', '.join(on) or 'off'}; bucket policy "
                 f"{'public' if s3['bucket_policy_public'] else 'not public'}; Object "
                 f"Ownership {s3['object_ownership'] or 'not configured'} (ACLs "
                 f"{'evaluated' if s3['acls_evaluated'] else 'disabled'})")
    node = Tree(label)
    for grant in s3["acl_grants"]:
        applies = grant["applies"] and grant["ignored_by"] is None
        text = Text("✔ " if applies else "✘ ", style="green" if applies else "dim")
        text.append(f"{grant['acl']}: {grant['permission']} to {grant['grantee']}")
        if grant["ignored_by"]:
            text.append(f"  ignored ({grant['ignored_by']})", style="dim")
        elif not grant["applies"]:
            text.append("  does not cover this caller and action", style="dim")
        node.add(text)
    return node


def _statement_text(statement: StatementTrace, deciding: bool) -> Text:
    name = statement.sid or f"#{statement.index}"
    text = Text("✔ " if statement.matched else "✘ ",
                style="green" if statement.matched else "dim")
    text.append(f"{statement.effect} {name}", style="bold" if deciding else "")
    if statement.matched:
        text.append("  applies")
        if statement.principal_via:
            text.append(f" (principal named as {statement.principal_via})")
    else:
        text.append(f"  {statement.mismatch.value if statement.mismatch else ''}: "
                    f"{statement.detail}", style="dim")
    if deciding:
        text.append("  ← decides", style="bold")
    for warning in statement.warnings:
        text.append(f"\n  warning: {warning}", style="yellow")
    return text


def render_table(results: list[tuple[str, EvaluationResult]]) -> Table:
    table = tables.table("simulation", "case", "principal", "action", "resource", "decision",
                         "decided by")
    for source, result in results:
        request = result.request
        verdict = result.verdict
        tables.add_row(table, source, request.principal.text, request.action,
                       request.resource,
                       Text(verdict.decision.value, style=DECISION_STYLE[verdict.decision]),
                       verdict.gate.value)
    return table

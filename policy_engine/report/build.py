"""The access report's data from the matrix: one row per cell with access, the most
exposed first (public, then outside the organization), each with the explanation trees
of its first actions (the engine's trace of that very decision), and the assume-role
edges as `analysis.assume_paths` finds them (one hop from every principal the matrix
shows assuming a role).

The page stays readable on a large organization: at most `max_rows` rows (the rest are
counted and the page says how to narrow), and at most `explained` trees per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from policy_engine.analysis.assume_paths import assume_paths
from policy_engine.analysis.who_can import decide_under_grant_constraints
from policy_engine.matrix.compute import REQUEST_CONTEXT, MatrixEngine
from policy_engine.matrix.model import Cell, MatrixPrincipal
from policy_engine.report.graph import Edge
from policy_engine.report.html import REACH_ORDER, ReportData
from policy_engine.report.tree import explanation_tree

MAX_ROWS = 5000
EXPLAINED = 3
ASSUME_ACTIONS = frozenset({"sts:AssumeRole", "sts:AssumeRoleWithSAML",
                            "sts:AssumeRoleWithWebIdentity"})


def rank(cell: Cell) -> tuple[int, str, str, str]:
    reach = REACH_ORDER.index(cell.reach) if cell.reach in REACH_ORDER else len(REACH_ORDER)
    return (reach, cell.resource, cell.principal, cell.level)


def _explanations(engine: MatrixEngine, principal: MatrixPrincipal, cell: Cell,
                  explained: int) -> list[dict[str, Any]]:
    resolver = engine.resolver
    found = []
    for action in cell.actions[:explained]:
        target = resolver.target(action, cell.resource, cell.resource_account)
        result = resolver.evaluate(principal.caller, action, target, REQUEST_CONTEXT)
        if not result.allowed and target.grants:
            result = decide_under_grant_constraints(resolver, principal.caller, action,
                                              target) or result
        found.append({"action": action, "tree": explanation_tree(result)})
    return found


def report_rows(engine: MatrixEngine, cells: Iterable[Cell], *, max_rows: int = MAX_ROWS,
                explained: int = EXPLAINED) -> tuple[list[dict[str, Any]], int]:
    """The rows shown and how many cells were left out."""
    ranked = sorted(cells, key=rank)
    principals = {p.key: p for p in engine.principals}
    rows = []
    for number, cell in enumerate(ranked[:max_rows]):
        rows.append({"id": number, "account": cell.resource_account,
                     "principal": cell.principal, "resource": cell.resource,
                     "level": cell.level, "reach": cell.reach, "actions": list(cell.actions),
                     "statements": [*cell.statements, *cell.conditions],
                     "explanations": _explanations(engine, principals[cell.principal], cell,
                                                   explained)})
    return rows, max(0, len(ranked) - max_rows)


def assume_edges(engine: MatrixEngine, cells: Iterable[Cell]) -> list[Edge]:
    """One-hop assume-role paths of every principal some cell shows assuming a role."""
    starting = {c.principal for c in cells
                if c.resource_type == "iam-role" and ASSUME_ACTIONS & set(c.actions)}
    edges: list[Edge] = []
    for principal in engine.principals:
        if principal.key not in starting:
            continue
        for path in assume_paths(engine.resolver, principal.caller, max_hops=1):
            hop = path.hops[0]
            edges.append(Edge(principal.key, hop.role.arn, hop.action))
    return edges


def build_report(engine: MatrixEngine, cells: Sequence[Cell], sources: Sequence[str], *,
                 max_rows: int = MAX_ROWS) -> ReportData:
    rows, left_out = report_rows(engine, cells, max_rows=max_rows)
    notes = ("Requests are taken to be made over TLS (aws:SecureTransport true). "
             f"Each cell explains its first {EXPLAINED} actions.",)
    return ReportData(rows, assume_edges(engine, cells), sources=sources,
                      generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                      left_out=left_out, notes=notes)

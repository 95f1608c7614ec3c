"""The access report as one self-contained HTML file: the styles and the script inlined,
the data as a JSON island, the assume-role graph as inline SVG. No server, no network.

Everything taken from snapshots is escaped: text in the page through `html.escape`, the
JSON island with `<`, `>` and `&` written as \\u escapes so no ARN, tag or policy text
can close the script element.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files
from typing import Any

from policy_engine.report.graph import Edge, assume_graph_svg

# The most exposed first: what the report lists before everything else.
REACH_ORDER = ("public", "outside-organization", "cross-account", "internal")
EXPOSED = ("public", "outside-organization")


@dataclass(frozen=True)
class ReportData:
    """`rows`: one allowed cell each (principal, resource, level), with `id`, `account`
    (the resource's), `principal`, `resource`, `level`, `reach`, `actions`, `statements`
    and `explanations` ([{action, tree}], trees from `report.tree.explanation_tree`)."""

    rows: Sequence[dict[str, Any]]
    edges: Sequence[Edge] = ()
    title: str = "Access report"
    sources: Sequence[str] = ()
    generated_at: str = ""
    left_out: int = 0  # cells beyond the report's limit, not shown
    notes: Sequence[str] = field(default_factory=tuple)


def _asset(name: str) -> str:
    return files("policy_engine.report").joinpath("assets", name).read_text(encoding="utf-8")


def json_island(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _summary(rows: Sequence[dict[str, Any]]) -> str:
    counts = Counter(row["reach"] for row in rows)
    boxes = [f'<div><strong>{len(rows)}</strong>cells with access</div>']
    boxes += [f'<div class="reach-{r}"><strong>{counts.get(r, 0)}</strong>{escape(r)}</div>'
              for r in REACH_ORDER]
    return f'<div class="summary">{"".join(boxes)}</div>'


def _exposed(rows: Iterable[dict[str, Any]]) -> str:
    ranked = sorted((r for r in rows if r["reach"] in EXPOSED),
                    key=lambda r: (REACH_ORDER.index(r["reach"]), r["resource"],
                                   r["principal"], r["level"]))
    if not ranked:
        return "<p>No resource is reachable from outside the organization.</p>"
    items = "".join(f'<li><span class="reach reach-{escape(r["reach"])}">{escape(r["reach"])}'
                    f"</span> {escape(r['principal'])} → {escape(r['resource'])} "
                    f"({escape(r['level'])}: {escape(', '.join(r['actions'][:4]))})</li>"
                    for r in ranked)
    return f'<ol class="exposed">{items}</ol>'


def render_report(data: ReportData) -> str:
    rows = list(data.rows)
    sources = ", ".join(data.sources) or "snapshot"
    notes = "".join(f"<p>{escape(note)}</p>" for note in data.notes)
    if data.left_out:
        notes += (f"<p>{data.left_out} more cells are not shown; narrow the report with "
                  "--resource, --principal, --level or --account.</p>")
    headings = "".join(f'<th data-key="{key}">{label}</th>' for key, label in (
        ("reach", "Reach"), ("account", "Account"), ("principal", "Principal"),
        ("resource", "Resource"), ("level", "Level"), ("actions", "Actions")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(data.title)}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header>
<h1>{escape(data.title)}</h1>
<p>From {escape(sources)}{", " + escape(data.generated_at) if data.generated_at else ""}.
Every cell is the engine's decision; "explain" shows its trace.</p>
</header>
{_summary(rows)}
{notes}
<section id="exposed-section">
<h2>Public and outside-the-organization access</h2>
{_exposed(rows)}
</section>
<section id="matrix-section">
<h2>Who can reach what</h2>
<div class="filters">
<input id="filter-text" type="search" placeholder="principal, resource or action">
<select id="filter-account"><option value="">every account</option></select>
<select id="filter-level"><option value="">every level</option></select>
<select id="filter-reach"><option value="">any reach</option></select>
<span id="shown"></span>
</div>
<div id="explanation" hidden></div>
<table id="matrix"><thead><tr>{headings}<th></th></tr></thead>
<tbody id="matrix-body"></tbody></table>
</section>
<section id="graph-section">
<h2>Assume-role paths</h2>
<div class="graph">{assume_graph_svg(data.edges)}</div>
</section>
<script type="application/json" id="report-data">{json_island({"rows": rows})}</script>
<script>{_asset("report.js")}</script>
</body>
</html>
"""

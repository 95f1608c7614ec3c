"""Who can assume which role, drawn as an SVG graph (no library, no script: the file
must open anywhere).

Nodes are laid out in columns by their distance from the principals nobody assumes (the
starting points: users, outside accounts, identity providers), so a chain of role
assumptions reads left to right. Every label is escaped: names come from the snapshot.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

COLUMN_WIDTH = 300
ROW_HEIGHT = 44
NODE_WIDTH = 240
NODE_HEIGHT = 28
MARGIN = 16
MAX_LABEL = 34  # characters shown in a node; the whole name is its tooltip


@dataclass(frozen=True)
class Edge:
    source: str  # principal ARN (or display name)
    target: str  # role ARN
    action: str  # sts:AssumeRole, ...WithWebIdentity, ...WithSAML


@dataclass(frozen=True)
class Placed:
    name: str
    column: int
    row: int

    @property
    def x(self) -> int:
        return MARGIN + self.column * COLUMN_WIDTH

    @property
    def y(self) -> int:
        return MARGIN + self.row * ROW_HEIGHT


def layout(edges: Sequence[Edge]) -> dict[str, Placed]:
    """Column: hops from the nearest node with no incoming edge (0 for nodes only on
    cycles); row: order of first appearance within the column, names sorted."""
    targets: dict[str, set[str]] = defaultdict(set)
    incoming: dict[str, int] = defaultdict(int)
    names: set[str] = set()
    for edge in edges:
        names.update((edge.source, edge.target))
        if edge.target not in targets[edge.source]:
            targets[edge.source].add(edge.target)
            incoming[edge.target] += 1
    column: dict[str, int] = {}
    queue = deque(sorted(n for n in names if incoming[n] == 0))
    for name in queue:
        column[name] = 0
    while queue:
        name = queue.popleft()
        for target in sorted(targets[name]):
            if target not in column:
                column[target] = column[name] + 1
                queue.append(target)
    for name in sorted(names - set(column)):  # only on cycles
        column[name] = 0
    rows: dict[int, int] = defaultdict(int)
    placed = {}
    for name in sorted(names, key=lambda n: (column[n], n)):
        placed[name] = Placed(name, column[name], rows[column[name]])
        rows[column[name]] += 1
    return placed


def _short(name: str) -> str:
    """The part of an ARN people recognise (`111122223333:role/deployer`)."""
    parts = name.split(":", 5)
    text = f"{parts[4]}:{parts[5]}" if len(parts) == 6 and parts[0] == "arn" else name
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _node(node: Placed) -> str:
    return (f'<g class="node" data-name="{escape(node.name)}"><title>{escape(node.name)}'
            f'</title><rect x="{node.x}" y="{node.y}" width="{NODE_WIDTH}" '
            f'height="{NODE_HEIGHT}" rx="6"/><text x="{node.x + 8}" y="{node.y + 18}">'
            f"{escape(_short(node.name))}</text></g>")


def _edge(source: Placed, target: Placed, action: str) -> str:
    x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT // 2
    x2, y2 = target.x, target.y + NODE_HEIGHT // 2
    if target.column <= source.column:  # back or same column: loop round below
        x1, x2 = source.x + NODE_WIDTH // 2, target.x + NODE_WIDTH // 2
        y1, y2 = source.y + NODE_HEIGHT, target.y + NODE_HEIGHT
        bend = max(y1, y2) + ROW_HEIGHT // 2
        path = f"M{x1},{y1} C{x1},{bend} {x2},{bend} {x2},{y2}"
    else:
        middle = (x1 + x2) // 2
        path = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
    return (f'<path class="edge" d="{path}" marker-end="url(#arrow)"><title>'
            f"{escape(source.name)} → {escape(target.name)} ({escape(action)})</title></path>")


def assume_graph_svg(edges: Iterable[Edge]) -> str:
    unique = sorted(set(edges), key=lambda e: (e.source, e.target, e.action))
    if not unique:
        return ('<svg xmlns="http://www.w3.org/2000/svg" class="assume-graph" width="320" '
                'height="40"><text x="8" y="24">No principal can assume a role.</text></svg>')
    placed = layout(unique)
    width = MARGIN * 2 + (max(p.column for p in placed.values()) + 1) * COLUMN_WIDTH
    height = MARGIN * 2 + (max(p.row for p in placed.values()) + 1) * ROW_HEIGHT + ROW_HEIGHT
    arrow = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="assume-graph" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">', arrow]
    parts.extend(_edge(placed[e.source], placed[e.target], e.action) for e in unique)
    parts.extend(_node(p) for p in placed.values())
    parts.append("</svg>")
    return "".join(parts)

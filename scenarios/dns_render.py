"""The zones of route53-subdomain-delegation as rich renderables, for `scenario show`:
the registrar's zone, the subdomain's hosted zone (alias records marked as such, with no
TTL of their own), where the .com zone delegates example.com, and the apex's hosted zone
of the what-if."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from scenarios.dns_model import HostedZone, Zone
from scenarios.route53_world import World


def render_zone(zone: Zone) -> Table:
    title = f"{zone.origin.to_text()} ({zone.label}"
    title += f", hosted zone {zone.zone_id})" if zone.zone_id else ")"
    table = Table(title=title, title_justify="left", show_edge=False)
    for column in ("name", "type", "TTL", "value"):
        table.add_column(column)
    for owner in zone.owners():
        node = zone.zone.get_node(owner)
        for rdataset in sorted(node.rdatasets if node is not None else [],
                               key=lambda r: r.rdtype):
            for rdata in sorted(rdataset, key=lambda r: r.to_text()):
                table.add_row(owner.to_text(), rdataset.rdtype.name, str(rdataset.ttl),
                              rdata.to_text())
        if isinstance(zone, HostedZone):
            for (at, kind), target in sorted(zone.aliases.items()):
                if at == owner:
                    table.add_row(owner.to_text(), f"{kind.name} (alias)", "-",
                                  f"{target.dns_name.to_text()} "
                                  f"(zone {target.hosted_zone_id})")
    return table


def render_world(world: World) -> RenderableType:
    delegation = Tree(Text("the .com zone delegates example.com. to", style="bold"))
    for server, glue in world.apex_servers().items():
        delegation.add(Text(f"{server}" + (f" (glue {glue})" if glue else "")))
    parts: list[RenderableType] = [delegation, render_zone(world.registrar),
                                   render_zone(world.app)]
    if world.apex is not None:
        parts.append(render_zone(world.apex))
    else:  # the what-if `run` performs: the apex moved, its MX records left behind
        moved = world.moved_to_route53(copy_mx=False).apex
        assert moved is not None
        parts += [Text("what-if: example.com moved to Route 53 without its MX records",
                       style="bold"), render_zone(moved)]
    return Group(*parts)

"""The narrated walk-through of route53-subdomain-delegation: resolve names step by step
down the delegation chain, try the record changes Route 53 accepts and refuses, ask the
engine what the deploy role may change, then move example.com itself to Route 53 with
and without its MX records (migrate-dns-domain-in-use.html) and resolve mail again."""

from __future__ import annotations

from typing import Any

import dns.rdatatype

from policy_engine.scenario.api import Narrate
from policy_engine.scenario.checks import resolver_for
from policy_engine.whatif import parse_question
from scenarios.dns_model import (
    AliasTarget,
    ChangeAction,
    Outcome,
    RecordError,
    RecordSet,
    name,
)
from scenarios.dns_resolver import Resolution
from scenarios.route53_delegation import APEX_ZONE, APP_ZONE, change_condition
from scenarios.route53_world import EB_ENVIRONMENT, EB_ZONE_ID, SUBDOMAIN, World


def _plain(text: str) -> str:
    """Text shown as is: a `[` would open rich markup."""
    return text.replace("[", "\\[")


def narrate_resolution(resolution: Resolution, narrate: Narrate) -> None:
    narrate(f"[bold]Resolve {resolution.qname} {resolution.qtype}[/bold]")
    for number, step in enumerate(resolution.steps, start=1):
        indent = "    " * (step.depth + 1)
        lookup = " (looking up a name server's address)" if step.depth else ""
        narrate(_plain(f"{indent}{number}. {step.describe()}{lookup}"))
    colour = "green" if resolution.outcome is Outcome.ANSWER else "red"
    narrate(f"    => [{colour}]{_plain(resolution.summary())}[/{colour}]")


def _try(world: World, title: str, record: RecordSet, narrate: Narrate) -> None:
    zone = world.app.copy()
    try:
        zone.change(ChangeAction.UPSERT, record)
    except RecordError as refused:
        narrate(f"- {title}: [red]rejected[/red], {_plain(str(refused))}")
        return
    narrate(f"- {title}: [green]accepted[/green]")


def _ask(scenario: Any, title: str, question: str, narrate: Narrate) -> None:
    result = resolver_for(scenario).ask(parse_question(question))
    narrate(f"- {title}: [bold]{result.decision.value}[/bold] "
            f"({_plain(result.verdict.reason)})")


def walk_through(scenario: Any, world: World, narrate: Narrate) -> None:
    resolver = world.resolver()
    narrate("1. The registrar's zone keeps example.com and delegates app.example.com "
            "to the Route 53 hosted zone's four name servers:")
    narrate_resolution(resolver.resolve(SUBDOMAIN, "A"), narrate)
    narrate("2. Mail is not delegated: the registrar's servers answer for example.com:")
    narrate_resolution(resolver.resolve("example.com.", "MX"), narrate)
    narrate("3. Alias versus CNAME at the hosted zone's apex, app.example.com:")
    target = AliasTarget(name(EB_ENVIRONMENT), EB_ZONE_ID)
    apex = name(SUBDOMAIN)
    _try(world, "CNAME app.example.com -> the environment", RecordSet(
        apex, dns.rdatatype.CNAME, ttl=300, values=(EB_ENVIRONMENT,)), narrate)
    _try(world, "alias A app.example.com -> the environment",
         RecordSet(apex, dns.rdatatype.A, alias=target), narrate)
    _try(world, "the same alias with TTL 300", RecordSet(
        apex, dns.rdatatype.A, ttl=300, alias=target), narrate)
    narrate("4. Who may change the app zone (the engine over the snapshot):")
    deploy = "role/app-deploy route53:ChangeResourceRecordSets"
    _ask(scenario, "app-deploy upserts the alias", f"{deploy} {APP_ZONE} "
         f"{change_condition('app.example.com', 'A')}", narrate)
    _ask(scenario, "app-deploy changes the NS records", f"{deploy} {APP_ZONE} "
         f"{change_condition('app.example.com', 'NS')}", narrate)
    _ask(scenario, "app-deploy changes the apex zone", f"{deploy} {APEX_ZONE} "
         f"{change_condition('example.com', 'A')}", narrate)
    narrate("5. What if example.com moves to Route 53: a new hosted zone gets the "
            "registrar's records except the MX ones, and the registration's name "
            "servers are replaced by the zone's four:")
    moved = world.moved_to_route53(copy_mx=False)
    assert moved.apex is not None
    narrate(_plain("   name servers now: " + ", ".join(
        s.to_text() for s in moved.apex.name_servers)))
    narrate_resolution(moved.resolver().resolve("example.com.", "MX"), narrate)
    narrate("   [red]Mail breaks: the zone now answering has no MX records.[/red]")
    narrate("6. The same move with the MX records copied before the name servers change:")
    fixed = world.moved_to_route53(copy_mx=True)
    narrate_resolution(fixed.resolver().resolve("example.com.", "MX"), narrate)
    narrate("   Resolvers that cached the old delegation keep asking the registrar's "
            "servers until it expires, so the registrar's zone keeps every record, MX "
            "included, until then.")

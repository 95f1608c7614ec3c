"""The quiz questions of route53-subdomain-delegation: decisions the engine answers over
the scenario's snapshot, and DNS questions whose answers the scenario's resolver and
hosted-zone model compute when the questions are built (never typed in)."""

from __future__ import annotations

from typing import Any

import dns.rdatatype

from policy_engine.scenario.questions import About, Option, choice, decision, true_false
from scenarios.dns_model import ChangeAction, Outcome, RecordError, RecordSet, name, needs_glue
from scenarios.route53_delegation import (
    ALIAS,
    CONDITIONS,
    DELEGATION,
    IAM,
    MIGRATION,
    MULTIVALUED,
    change_condition,
)
from scenarios.route53_world import EB_ENVIRONMENT, EB_TTL, SUBDOMAIN, World

IAM_ABOUT = About("route53-zones", ("scs-c02:iam", "saa-c03:secure"), (CONDITIONS,))
DNS_ABOUT = About("route53-zones", ("saa-c03:high-performing", "sap-c02:new-solutions"),
                  (DELEGATION,))
MIGRATION_ABOUT = About("route53-zones", ("sap-c02:migration-modernization",
                                         "saa-c03:resilient"), (MIGRATION,))
RECORD_LEVEL_CHANGE = (
    "Older material says Route 53 permissions stop at the hosted zone. A record still "
    "cannot be named as a resource, but the route53:ChangeResourceRecordSets* condition "
    "keys now narrow a change to record names, types and actions.")


def _decisions(app_zone: str, apex_zone: str) -> list[dict[str, Any]]:
    deploy = "role/app-deploy route53:ChangeResourceRecordSets"
    policy = ("Role app-deploy's policy allows route53:ChangeResourceRecordSets on "
              f"{app_zone} when ForAllValues of the batch's record names are app.example.com "
              "or www.app.example.com, its types A, AAAA or CNAME and its actions CREATE or "
              "UPSERT; a Deny statement refuses any batch with an NS or SOA record.")
    web = "app.example.com"
    return [
        decision(IAM_ABOUT, "route53-subdomain-delegation-deploy-upserts-alias",
                 f"{policy} The role UPSERTs the A alias app.example.com. Decision?",
                 f"{deploy} {app_zone} {change_condition(web, 'A')}"),
        decision(IAM_ABOUT, "route53-subdomain-delegation-deploy-other-zone",
                 f"{policy} The role sends the same change to the hosted zone {apex_zone} "
                 "(example.com). Decision?",
                 f"{deploy} {apex_zone} {change_condition(web, 'A')}",
                 references=(IAM, CONDITIONS)),
        decision(IAM_ABOUT, "route53-subdomain-delegation-developer-changes-records",
                 "Role web-developer may list hosted zones and read record sets "
                 "(ListHostedZones, GetHostedZone, ListResourceRecordSets on *). It calls "
                 f"ChangeResourceRecordSets on {app_zone}. Decision?",
                 f"role/web-developer route53:ChangeResourceRecordSets {app_zone} "
                 f"{change_condition(web, 'A')}", references=(IAM,)),
        decision(IAM_ABOUT, "route53-subdomain-delegation-deploy-changes-ns",
                 f"{policy} The role UPSERTs the NS records of app.example.com. Decision?",
                 f"{deploy} {app_zone} {change_condition(web, 'NS')}"),
        decision(IAM_ABOUT, "route53-subdomain-delegation-batch-with-extra-name",
                 f"{policy} One batch UPSERTs A records for app.example.com and "
                 "admin.app.example.com. Decision?",
                 f"{deploy} {app_zone} {change_condition(web + ', admin.app.example.com', 'A')}",
                 difficulty="hard", changed=RECORD_LEVEL_CHANGE),
        decision(IAM_ABOUT, "route53-subdomain-delegation-keys-missing",
                 f"{policy} The Allow statement also has a Null condition with the value "
                 "false on the three keys. A request arrives without any "
                 "route53:ChangeResourceRecordSets* keys. Decision?",
                 f"{deploy} {app_zone}", difficulty="hard",
                 references=(MULTIVALUED, CONDITIONS)),
        decision(IAM_ABOUT, "route53-subdomain-delegation-deploy-deletes",
                 f"{policy} The role DELETEs the A record app.example.com. Decision?",
                 f"{deploy} {app_zone} {change_condition(web, 'A', 'DELETE')}"),
    ]


def _mail_servers(world: World) -> dict[str, Any]:
    by = world.resolver().resolve("example.com.", "MX").answered_by.operator
    return choice(DNS_ABOUT, "route53-subdomain-delegation-who-answers-mx",
                  "example.com's DNS is at its registrar; only app.example.com is delegated "
                  "to a Route 53 hosted zone. Which servers answer a resolver's query for "
                  "the MX records of example.com?", [
                      Option("The four name servers of the app.example.com hosted zone",
                             "Wrong: a delegation covers the subdomain and the names below "
                             "it, never its parent.", by == "Route 53"),
                      Option("The registrar's name servers for example.com", "Right: only "
                             "names under app.example.com are delegated; the parent's "
                             "records stay where they are.", by == "registrar DNS"),
                      Option("The .com TLD servers", "Wrong: they only refer resolvers to "
                             "example.com's name servers.", by == "TLD registry"),
                  ])


def _registrar_referral(world: World) -> dict[str, Any]:
    steps = world.resolver().resolve(SUBDOMAIN, "A").steps
    at_registrar = next(s for s in steps if s.operator == "registrar DNS")
    referred = at_registrar.outcome is Outcome.REFERRAL
    return choice(DNS_ABOUT, "route53-subdomain-delegation-registrar-refers",
                  "A resolver asks the registrar's name server ns1.example.com for the A "
                  "record of app.example.com. What does it get back?", [
                      Option("The environment's addresses", "Wrong: the registrar's zone "
                             "holds no records below the cut, only the delegation.",
                             at_registrar.outcome is Outcome.ANSWER),
                      Option("NXDOMAIN", "Wrong: the name exists, in the delegated zone.",
                             at_registrar.outcome is Outcome.NXDOMAIN),
                      Option("A referral: the NS records of app.example.com naming the "
                             "hosted zone's four Route 53 name servers", "Right: the NS "
                             "records at the zone cut hand the name to Route 53.", referred),
                  ])


def _cname_at_apex(world: World) -> dict[str, Any]:
    zone = world.app.copy()
    try:
        zone.change(ChangeAction.UPSERT, RecordSet(name(SUBDOMAIN), dns.rdatatype.CNAME,
                                                   ttl=300, values=(EB_ENVIRONMENT,)))
        accepted = True
    except RecordError:
        accepted = False
    return true_false(DNS_ABOUT, "route53-subdomain-delegation-cname-at-apex",
                      "In the hosted zone app.example.com you can create a CNAME record "
                      f"named app.example.com pointing at {EB_ENVIRONMENT}.", accepted,
                      "Wrong: that name is the zone apex, which holds the SOA and NS "
                      "records, and a CNAME cannot share its name with other records.",
                      "Right: use an alias record at the apex; a CNAME may only be below "
                      "it.", topic="route53-alias", references=(ALIAS,))


def _alias_ttl(world: World) -> dict[str, Any]:
    final = world.resolver().resolve(SUBDOMAIN, "A").final
    seen = final.ttl if final is not None else None
    options = [(300, "a TTL you set on the alias record"),
               (EB_TTL, "the TTL of the environment's records: an alias has no TTL of its "
                        "own, Route 53 uses its target's"),
               (172800, "the TTL of the hosted zone's NS records")]
    return choice(DNS_ABOUT, "route53-subdomain-delegation-alias-ttl",
                  "app.example.com is an A alias to an Elastic Beanstalk environment. What "
                  "TTL does a resolver see on the answer?",
                  [Option(f"{ttl} seconds, {text}", ("Right: " if ttl == seen else "Wrong: ")
                          + ("Route 53 answers with the target's records and their TTL."
                             if ttl == seen else f"the answer's TTL is {seen}, the "
                             "target's."), ttl == seen) for ttl, text in options],
                  topic="route53-alias", references=(ALIAS,))


def _glue(world: World) -> dict[str, Any]:
    cuts = [("the root delegating com. to a.gtld-servers.net.", "com.",
             "a.gtld-servers.net."),
            ("example.com. delegating app.example.com. to ns-411.awsdns-51.com.",
             SUBDOMAIN, "ns-411.awsdns-51.com."),
            ("com. delegating example.com. to ns1.example.com.", "example.com.",
             "ns1.example.com.")]
    return choice(DNS_ABOUT, "route53-subdomain-delegation-which-need-glue",
                  "Which of these delegations needs glue (the name server's address in the "
                  "parent zone)?", [
                      Option(text, ("Right: the server's name is inside the zone it serves; "
                                    "without its address the lookup would loop."
                                    if needs_glue(name(cut), name(host)) else
                                    "Wrong: the server's name is outside the delegated zone, "
                                    "so a resolver can look it up separately."),
                             needs_glue(name(cut), name(host)))
                      for text, cut, host in cuts], difficulty="hard")


def _mail_after_move(world: World) -> dict[str, Any]:
    moved = world.moved_to_route53(copy_mx=False).resolver().resolve("example.com.", "MX")
    no_mx = moved.outcome is Outcome.NODATA
    return choice(MIGRATION_ABOUT, "route53-subdomain-delegation-move-without-mx",
                  "example.com moves to Route 53: a new hosted zone gets the registrar's "
                  "records except MX, then the registration's name servers are replaced by "
                  "the hosted zone's. What happens to mail for example.com?", [
                      Option("It keeps flowing: the registrar's zone still has the MX "
                             "records", "Wrong: no resolver asks the registrar's servers "
                             "once the delegation names Route 53's.",
                             moved.answered_by.operator == "registrar DNS"),
                      Option("It stops: resolvers now ask Route 53, whose zone has no MX "
                             "records", "Right: the name servers in the registration decide "
                             "which zone answers; copy every record, MX included, first.",
                             no_mx),
                      Option("It keeps flowing: Route 53 forwards what it lacks to the old "
                             "servers", "Wrong: an authoritative zone answers for itself; "
                             "it never forwards.", moved.outcome is Outcome.ANSWER),
                  ])


def _delegation_removed(world: World) -> dict[str, Any]:
    registrar = world.registrar.copy()
    registrar.remove(name(SUBDOMAIN), dns.rdatatype.NS)
    without = type(world)(registrar, world.app).resolver().resolve(SUBDOMAIN, "A")
    still = without.outcome is Outcome.ANSWER
    return true_false(DNS_ABOUT, "route53-subdomain-delegation-ns-records-removed",
                      "If the NS records for app in the registrar's zone are deleted, "
                      "app.example.com still resolves through its Route 53 hosted zone.",
                      still, "Wrong: without the NS records the registrar's zone answers "
                      "itself, and it has no such name (NXDOMAIN).", "Right: resolvers "
                      f"only reach a hosted zone through a delegation; now they get "
                      f"{without.outcome.value}.")


def questions(world: World, app_zone: str, apex_zone: str) -> list[dict[str, Any]]:
    return [*_decisions(app_zone, apex_zone), _mail_servers(world),
            _registrar_referral(world), _cname_at_apex(world), _alias_ttl(world),
            _glue(world), _mail_after_move(world), _delegation_removed(world)]

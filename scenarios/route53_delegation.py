"""route53-subdomain-delegation: example.com stays with its registrar's DNS service, which
delegates app.example.com to a Route 53 hosted zone; the hosted zone's apex is an alias to
an Elastic Beanstalk environment; a deploy role may change that zone's records and no
other.

The DNS side is answered by the scenario's own model (`scenarios.dns_model`, dnspython
zones and messages; `scenarios.dns_resolver`, an iterative resolver), the IAM side by the
engine over the snapshot. The AWS pages each check rests on:

- Delegating a subdomain without moving the parent: NS records for the subdomain, naming
  the hosted zone's four name servers, in the parent's DNS service
  (Route53/latest/DeveloperGuide/CreatingNewSubdomain.html).
- Alias versus CNAME: an alias answers with its target's records, may be at the zone
  apex where a CNAME may not, and has no TTL of its own
  (resource-record-sets-choosing-alias-non-alias.html); an alias to an Elastic
  Beanstalk environment (routing-to-beanstalk-environment.html).
- Moving a domain in use: create every record, MX included, in the new hosted zone
  before changing the name servers, or mail stops (migrate-dns-domain-in-use.html).
- IAM: a hosted zone's ARN is arn:aws:route53:::hostedzone/ID, and permissions cannot
  name single records (access-control-overview.html); hosted zones have no resource
  policy here, so the identity policy decides; ChangeResourceRecordSets is narrowed with
  the multivalued route53:ChangeResourceRecordSets* condition keys, used with
  ForAllValues (specifying-conditions-route53.html; service-authorization
  list_amazonroute53.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dns.rdatatype

from policy_engine.scenario.api import AccessCheck, Check, ModelCheck, Narrate
from policy_engine.scenario.build import (
    authorization_details,
    inline,
    role,
    trust_account,
    trust_service,
)
from scenarios.dns_model import AliasTarget, ChangeAction, RecordError, RecordSet, name
from scenarios.route53_world import (
    ACCOUNT,
    APEX_ZONE_ID,
    APP_ZONE_ID,
    EB_ADDRESSES,
    EB_ENVIRONMENT,
    EB_TTL,
    EB_ZONE_ID,
    SUBDOMAIN,
    World,
    initial_world,
)

_R53 = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/"
DELEGATION = _R53 + "CreatingNewSubdomain.html"
ALIAS = _R53 + "resource-record-sets-choosing-alias-non-alias.html"
BEANSTALK = _R53 + "routing-to-beanstalk-environment.html"
MIGRATION = _R53 + "migrate-dns-domain-in-use.html"
CONDITIONS = _R53 + "specifying-conditions-route53.html"
IAM = _R53 + "access-control-overview.html"
ACTIONS = ("https://docs.aws.amazon.com/service-authorization/latest/reference/"
           "list_amazonroute53.html")
MULTIVALUED = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
               "reference_policies_condition-single-vs-multi-valued-context-keys.html")

APP_ZONE = f"arn:aws:route53:::hostedzone/{APP_ZONE_ID}"
APEX_ZONE = f"arn:aws:route53:::hostedzone/{APEX_ZONE_ID}"
CHANGE = "arn:aws:route53:::change/C2682N5HXP0BZ4"
_NAMES = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
_TYPES = "route53:ChangeResourceRecordSetsRecordTypes"
_ACTIONS = "route53:ChangeResourceRecordSetsActions"
MAIL = "10 mail.example.com. 20 mail-backup.example.com."


def deploy_policy() -> dict[str, Any]:
    """The deploy role changes the app zone's web records, never its delegation.

    ForAllValues: every record of the batch must be one of these names and types
    (specifying-conditions-route53.html, names lower case without the final dot). An
    Allow with ForAllValues also holds when the key is missing, so a Null test requires
    the keys (reference_policies_condition-single-vs-multi-valued-context-keys.html)."""
    return inline(
        "deploy-app-records",
        {"Sid": "ChangeAppWebRecords", "Effect": "Allow",
         "Action": "route53:ChangeResourceRecordSets", "Resource": APP_ZONE,
         "Condition": {"ForAllValues:StringEquals": {
             _NAMES: ["app.example.com", "www.app.example.com"],
             _TYPES: ["A", "AAAA", "CNAME"], _ACTIONS: ["CREATE", "UPSERT"]},
             "Null": dict.fromkeys((_NAMES, _TYPES, _ACTIONS), "false")}},
        {"Sid": "ReadAppZone", "Effect": "Allow",
         "Action": ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
         "Resource": APP_ZONE},
        {"Sid": "FollowChanges", "Effect": "Allow", "Action": "route53:GetChange",
         "Resource": "arn:aws:route53:::change/*"},
        {"Sid": "NeverTouchDelegation", "Effect": "Deny",
         "Action": "route53:ChangeResourceRecordSets", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {_TYPES: ["NS", "SOA"]}}},
    )


def _roles() -> list[dict[str, Any]]:
    read_only = inline("read-dns", {
        "Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:GetHostedZone",
                                      "route53:ListResourceRecordSets"], "Resource": "*"})
    admin = inline("manage-dns", {"Effect": "Allow", "Action": "route53:*", "Resource": "*"})
    return [role(ACCOUNT, "app-deploy", trust_service("codebuild.amazonaws.com"),
                 deploy_policy()),
            role(ACCOUNT, "web-developer", trust_account(ACCOUNT), read_only),
            role(ACCOUNT, "dns-admin", trust_account(ACCOUNT), admin)]


def change_condition(names: str, types: str, action: str = "UPSERT") -> str:
    """The what-if condition of a ChangeResourceRecordSets batch: its names, types and
    actions as Route 53 sets the multivalued keys."""
    return f"when {_NAMES} = [{names}] and {_TYPES} = [{types}] and {_ACTIONS} = [{action}]"


def _attempt(world: World, action: ChangeAction, record: RecordSet) -> str:
    """Try a change on a copy of the app zone: "accepted" or "rejected"."""
    zone = world.app.copy()
    try:
        zone.change(action, record)
    except RecordError:
        return "rejected"
    return "accepted"


class Route53SubdomainDelegation:
    name = "route53-subdomain-delegation"
    title = "A subdomain delegated to Route 53, the apex left at the registrar"
    topic = "route53-zones"
    summary = ("example.com's DNS stays at the registrar, whose NS records delegate "
               "app.example.com to a Route 53 hosted zone; an alias at that zone's apex "
               "answers with an Elastic Beanstalk environment's addresses; a resolver "
               "walks the delegation chain; moving the apex to Route 53 without its MX "
               "records breaks mail; only the deploy role may change the app zone.")

    def __init__(self) -> None:
        self._world: World | None = None

    @property
    def world(self) -> World:
        if self._world is None:
            self._world = initial_world()
        return self._world

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": "policy-engine-snapshot/1",
            "description": "route53-subdomain-delegation: the account holding the hosted "
                           "zones for app.example.com and (in the what-if) example.com",
            "accounts": [{"id": ACCOUNT, "name": "web",
                          "authorization_details": authorization_details(roles=_roles())}],
        }

    def checks(self) -> Sequence[Check]:
        return (*self._dns_checks(), *self._access_checks())

    def _dns_checks(self) -> list[ModelCheck]:
        world = self.world
        alias = RecordSet(name(SUBDOMAIN), dns.rdatatype.A,
                          alias=AliasTarget(name(EB_ENVIRONMENT), EB_ZONE_ID))

        def resolved(w: Callable[[], World], qname: str, qtype: str) -> Callable[[], str]:
            return lambda: _answer(w(), qname, qtype)

        return [
            ModelCheck("app.example.com is referred from the registrar's zone to Route 53",
                       "root > TLD registry > registrar DNS > Route 53",
                       lambda: " > ".join(s.operator for s in world.resolver().resolve(
                           SUBDOMAIN, "A").steps if s.depth == 0), DELEGATION),
            ModelCheck("the apex alias answers with the environment's addresses and TTL",
                       f"A {EB_TTL} {' '.join(EB_ADDRESSES)} from Route 53",
                       resolved(lambda: world, SUBDOMAIN, "A"), ALIAS),
            ModelCheck("mail for example.com still resolves through the registrar",
                       f"MX 3600 {MAIL} from registrar DNS",
                       resolved(lambda: world, "example.com.", "MX"), DELEGATION),
            ModelCheck("www.app.example.com follows its CNAME to the alias",
                       f"A {EB_TTL} {' '.join(EB_ADDRESSES)} from Route 53",
                       resolved(lambda: world, "www." + SUBDOMAIN, "A"), ALIAS),
            ModelCheck("glue comes with the referral only where the servers are inside",
                       "example.com. with glue; app.example.com. without",
                       lambda: _glue(world), DELEGATION),
            ModelCheck("a CNAME at the hosted zone's apex is rejected", "rejected",
                       lambda: _attempt(world, ChangeAction.UPSERT, RecordSet(
                           name(SUBDOMAIN), dns.rdatatype.CNAME, ttl=300,
                           values=(EB_ENVIRONMENT,))), ALIAS),
            ModelCheck("an alias record at the zone apex is accepted", "accepted",
                       lambda: _attempt(world, ChangeAction.UPSERT, alias), ALIAS),
            ModelCheck("an alias record with a TTL of its own is rejected", "rejected",
                       lambda: _attempt(world, ChangeAction.UPSERT, RecordSet(
                           alias.name, alias.type, ttl=300, alias=alias.alias)), ALIAS),
            ModelCheck("moving example.com to Route 53 without its MX records breaks mail",
                       "no data from Route 53",
                       resolved(lambda: world.moved_to_route53(copy_mx=False),
                                "example.com.", "MX"), MIGRATION),
            ModelCheck("with the MX records copied first, mail resolves through Route 53",
                       f"MX 3600 {MAIL} from Route 53",
                       resolved(lambda: world.moved_to_route53(copy_mx=True),
                                "example.com.", "MX"), MIGRATION),
            ModelCheck("after the move the copied NS records still delegate the subdomain",
                       "root > TLD registry > Route 53 > Route 53",
                       lambda: " > ".join(s.operator for s in world.moved_to_route53(
                           copy_mx=True).resolver().resolve(SUBDOMAIN, "A").steps
                           if s.depth == 0), MIGRATION),
        ]

    @staticmethod
    def _access_checks() -> list[AccessCheck]:
        deploy = "role/app-deploy route53:ChangeResourceRecordSets"
        web = "app.example.com"
        return [
            AccessCheck("the deploy role upserts the alias in its hosted zone",
                        f"expect allowed: {deploy} {APP_ZONE} {change_condition(web, 'A')}",
                        CONDITIONS),
            AccessCheck("the same change in another hosted zone is refused",
                        f"expect implicitDeny: {deploy} {APEX_ZONE} {change_condition(web, 'A')}",
                        IAM),
            AccessCheck("another principal cannot change the app zone's records",
                        "expect implicitDeny: role/web-developer "
                        f"route53:ChangeResourceRecordSets {APP_ZONE} {change_condition(web, 'A')}",
                        IAM),
            AccessCheck("the deploy role cannot touch the zone's NS records (explicit Deny)",
                        f"expect denied: {deploy} {APP_ZONE} {change_condition(web, 'NS')}",
                        CONDITIONS),
            AccessCheck("a batch with a name outside the allowed ones is refused",
                        f"expect implicitDeny: {deploy} {APP_ZONE} "
                        f"{change_condition(web + ', admin.app.example.com', 'A')}", CONDITIONS),
            AccessCheck("the deploy role cannot delete records",
                        f"expect implicitDeny: {deploy} {APP_ZONE} "
                        f"{change_condition(web, 'A', 'DELETE')}", CONDITIONS),
            AccessCheck("without the record keys ForAllValues would pass; the Null test "
                        "refuses", f"expect implicitDeny: {deploy} {APP_ZONE}", MULTIVALUED),
            AccessCheck("the deploy role follows its change to INSYNC",
                        f"expect allowed: role/app-deploy route53:GetChange {CHANGE}",
                        ACTIONS),
            AccessCheck("the DNS administrator copies the MX records into the apex zone",
                        "expect allowed: role/dns-admin route53:ChangeResourceRecordSets "
                        f"{APEX_ZONE} {change_condition('example.com', 'MX', 'CREATE')}",
                        MIGRATION),
        ]

    def questions(self) -> Sequence[Mapping[str, Any]]:
        from scenarios.route53_delegation_questions import questions

        return questions(self.world, APP_ZONE, APEX_ZONE)

    def run(self, narrate: Narrate) -> None:
        from scenarios.route53_walkthrough import walk_through

        walk_through(self, self.world, narrate)

    def describe(self) -> Any:
        from scenarios.dns_render import render_world

        return render_world(self.world)


def _answer(world: World, qname: str, qtype: str) -> str:
    """`TYPE TTL VALUES from OPERATOR`, or the negative outcome and who gave it."""
    resolution = world.resolver().resolve(qname, qtype)
    final = resolution.final
    by = resolution.answered_by.operator
    if final is None:
        return f"{resolution.outcome.value} from {by}"
    return f"{final.rdtype.name} {final.ttl} {' '.join(resolution.values)} from {by}"


def _glue(world: World) -> str:
    """Which referrals on the way to app.example.com carried the servers' addresses."""
    steps = world.resolver().resolve(SUBDOMAIN, "A").steps
    referrals = [s for s in steps if s.depth == 0 and s.outcome.value == "referral"
                 and s.zone.endswith("example.com.")]
    return "; ".join(f"{s.zone} {'with' if s.glue else 'without'}" + (" glue" if s.glue
                                                                     else "")
                     for s in referrals)


SCENARIO = Route53SubdomainDelegation()

"""The DNS of route53-subdomain-delegation: example.com stays at its registrar's DNS
service, which delegates app.example.com to a Route 53 hosted zone whose apex is an alias
to an Elastic Beanstalk environment; the root and TLD zones above them, and the zones of
the name servers' own names, so that the resolver can walk the whole chain.

The what-if of the scenario moves example.com itself to Route 53 (a new hosted zone, the
registration's name servers replaced by the zone's four), copying the registrar's records
with or without the MX records, as "Making Amazon Route 53 the DNS service for a domain
that's in use" describes (Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html:
create the records first, then change the name servers at the registrar).

Addresses are from the documentation ranges (RFC 5737) except the name servers', which
follow Route 53's pattern (ns-N.awsdns-XX names, 205.251.192.0/21) and the real root and
TLD servers'. Zone ids are made up in Route 53's shape; Z117KPS5GTRQ2G is the hosted
zone id AWS publishes for Elastic Beanstalk in us-east-1 (general/latest/gr/elasticbeanstalk.html).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import dns.rdatatype
from dns.name import Name

from scenarios.dns_model import (
    AliasTarget,
    ChangeAction,
    HostedZone,
    NameServer,
    RecordSet,
    Zone,
    name,
)
from scenarios.dns_resolver import Network, Resolver

APEX = "example.com."
SUBDOMAIN = "app.example.com."
ACCOUNT = "111122223333"
APP_ZONE_ID = "Z0471122APPEXMPL1"
APEX_ZONE_ID = "Z0822133APEXEXMP2"
EB_ZONE_ID = "Z117KPS5GTRQ2G"  # Elastic Beanstalk, us-east-1
EB_ENVIRONMENT = "app-prod.us-east-1.elasticbeanstalk.com."
EB_ADDRESSES = ("198.51.100.20", "198.51.100.21")
EB_TTL = 60

APP_NAME_SERVERS = ("ns-1201.awsdns-22.org.", "ns-411.awsdns-51.com.",
                    "ns-778.awsdns-32.net.", "ns-1703.awsdns-20.co.uk.")
APEX_NAME_SERVERS = ("ns-1480.awsdns-57.org.", "ns-92.awsdns-11.com.",
                     "ns-620.awsdns-13.net.", "ns-1911.awsdns-46.co.uk.")
EB_NAME_SERVERS = ("ns-130.awsdns-16.com.", "ns-1000.awsdns-62.net.")
REGISTRAR_NAME_SERVERS = {"ns1.example.com.": "203.0.113.53",
                          "ns2.example.com.": "203.0.113.54"}

# The registrar's zone, as its DNS service exports it (master-file format). The NS
# records at `app` delegate the subdomain to the Route 53 hosted zone's four servers
# (CreatingNewSubdomain.html); their names are outside example.com, so no glue.
REGISTRAR_ZONE = f"""\
$TTL 3600
@        IN SOA  ns1.example.com. hostmaster.example.com. 2025011501 7200 900 1209600 3600
@        IN NS   ns1.example.com.
@        IN NS   ns2.example.com.
ns1      IN A    {REGISTRAR_NAME_SERVERS["ns1.example.com."]}
ns2      IN A    {REGISTRAR_NAME_SERVERS["ns2.example.com."]}
@        IN A    192.0.2.10
www      IN A    192.0.2.10
@        IN MX   10 mail.example.com.
@        IN MX   20 mail-backup.example.com.
mail     IN A    192.0.2.25
mail-backup IN A 192.0.2.26
@        IN TXT  "v=spf1 mx -all"
app      IN NS   {APP_NAME_SERVERS[0]}
app      IN NS   {APP_NAME_SERVERS[1]}
app      IN NS   {APP_NAME_SERVERS[2]}
app      IN NS   {APP_NAME_SERVERS[3]}
"""

ROOT_SERVER = ("a.root-servers.net.", "198.41.0.4")
TLD_SERVERS = {"com.": ("a.gtld-servers.net.", "192.5.6.30"),
               "net.": ("a.gtld-servers.net.", "192.5.6.30"),
               "org.": ("a0.org.afilias-nst.info.", "199.19.56.1"),
               "uk.": ("nsa.nic.uk.", "156.154.100.3")}
TLD_DELEGATION_TTL = 172800  # what the .com registry publishes for delegations


def registrar_zone() -> Zone:
    return Zone.from_text(REGISTRAR_ZONE, APEX, label="registrar DNS")


def app_zone() -> HostedZone:
    """The subdomain's hosted zone: an alias at its apex to the Elastic Beanstalk
    environment (routing-to-beanstalk-environment.html) and a CNAME below the apex."""
    zone = HostedZone.create(SUBDOMAIN, APP_ZONE_ID, APP_NAME_SERVERS)
    zone.change(ChangeAction.CREATE, RecordSet(
        name(SUBDOMAIN), dns.rdatatype.A,
        alias=AliasTarget(name(EB_ENVIRONMENT), EB_ZONE_ID)))
    zone.change(ChangeAction.CREATE, RecordSet(
        name("www." + SUBDOMAIN), dns.rdatatype.CNAME, ttl=300, values=(SUBDOMAIN,)))
    return zone


def beanstalk_zone() -> Zone:
    """What the environment's domain name answers (AWS runs this zone, not the user)."""
    text = "\n".join([f"@ 900 IN SOA {EB_NAME_SERVERS[0]} awsdns-hostmaster.amazon.com. "
                      "1 7200 900 1209600 86400",
                      *(f"@ 172800 IN NS {host}" for host in EB_NAME_SERVERS),
                      *(f"app-prod.us-east-1 {EB_TTL} IN A {a}" for a in EB_ADDRESSES)])
    return Zone.from_text(text, "elasticbeanstalk.com.", label="AWS (Elastic Beanstalk)")


def migrated_apex(registrar: Zone, *, copy_mx: bool) -> HostedZone:
    """A new hosted zone for example.com holding the registrar's records: every one but
    the apex SOA and NS (Route 53 writes its own), and the MX records only if asked."""
    zone = HostedZone.create(APEX, APEX_ZONE_ID, APEX_NAME_SERVERS)
    for owner, node in sorted(registrar.zone.nodes.items()):
        for rdataset in node.rdatasets:
            is_apex_own = owner == registrar.origin and rdataset.rdtype in (
                dns.rdatatype.SOA, dns.rdatatype.NS)
            if is_apex_own or (rdataset.rdtype == dns.rdatatype.MX and not copy_mx):
                continue
            zone.change(ChangeAction.CREATE, RecordSet(
                owner, rdataset.rdtype, ttl=rdataset.ttl,
                values=tuple(sorted(r.to_text() for r in rdataset))))
    return zone


@dataclass(frozen=True)
class World:
    """Who serves what: the registrar's zone, the subdomain's hosted zone and, in the
    what-if, the apex's hosted zone with the registration pointing at its servers."""

    registrar: Zone
    app: HostedZone
    apex: HostedZone | None = None  # example.com at Route 53, once created
    apex_at_route53: bool = False  # the registration names the hosted zone's servers

    def moved_to_route53(self, *, copy_mx: bool) -> World:
        return replace(self, apex=migrated_apex(self.registrar, copy_mx=copy_mx),
                       apex_at_route53=True)

    def apex_servers(self) -> dict[str, str | None]:
        """The name servers the .com zone lists for example.com, with glue when needed."""
        if self.apex_at_route53:
            assert self.apex is not None
            return dict.fromkeys(s.to_text() for s in self.apex.name_servers)
        return dict(REGISTRAR_NAME_SERVERS)

    def network(self) -> Network:
        route53 = _route53_servers(self.app, beanstalk_zone(), self.apex)
        registrar = [NameServer(name(host), address, "registrar DNS", [self.registrar])
                     for host, address in REGISTRAR_NAME_SERVERS.items()]
        delegations: dict[str, dict[str, str | None]] = {APEX: self.apex_servers()}
        delegations["elasticbeanstalk.com."] = dict.fromkeys(EB_NAME_SERVERS)
        for server in route53:
            domain = _registered_domain(server.host)
            delegations.setdefault(domain, {})[server.host.to_text()] = server.address
        servers = [*_registry_servers(delegations), *registrar, *route53]
        return Network(servers, (ROOT_SERVER[1],))

    def resolver(self) -> Resolver:
        return Resolver(self.network())


def initial_world() -> World:
    return World(registrar_zone(), app_zone())


def route53_address(host: str | Name) -> str:
    """ns-N.awsdns-XX.tld answers at 205.251.192.0 + N (Route 53's name server range)."""
    number = int(name(host).labels[0].decode().removeprefix("ns-"))
    return f"205.251.{192 + number // 256}.{number % 256}"


def _route53_servers(app: HostedZone, beanstalk: Zone, apex: HostedZone | None
                     ) -> list[NameServer]:
    """One server per Route 53 name server name, serving its hosted zone and the zone
    of its own name (awsdns-XX.tld, which holds the server's address)."""
    served = [(h, app) for h in app.name_servers]
    served += [(name(h), beanstalk) for h in EB_NAME_SERVERS]
    if apex is not None:
        served += [(h, apex) for h in apex.name_servers]
    servers = []
    for host, zone in served:
        address = route53_address(host)
        domain = _registered_domain(host)
        own = Zone.from_text(f"@ 900 IN SOA {host} awsdns-hostmaster.amazon.com. 1 7200 900 "
                             f"1209600 86400\n@ 172800 IN NS {host}\n"
                             f"{host} 172800 IN A {address}", domain, label="Route 53")
        servers.append(NameServer(host, address, "Route 53", [zone, own]))
    return servers


def _registry_servers(delegations: dict[str, dict[str, str | None]]) -> list[NameServer]:
    """The root and TLD servers, their zones holding each delegation with its glue."""
    tld_zones: dict[str, list[str]] = {tld: [] for tld in TLD_SERVERS}
    for domain, hosts in sorted(delegations.items()):
        tld = next(t for t in TLD_SERVERS if name(domain).is_subdomain(name(t)))
        lines = tld_zones[tld]
        for host, address in sorted(hosts.items()):
            lines.append(f"{domain} {TLD_DELEGATION_TTL} IN NS {host}")
            if address is not None:
                lines.append(f"{host} {TLD_DELEGATION_TTL} IN A {address}")
    root_lines = [f". 86400 IN SOA {ROOT_SERVER[0]} nstld.verisign-grs.com. 1 1800 900 "
                  "604800 86400", f". 518400 IN NS {ROOT_SERVER[0]}",
                  f"{ROOT_SERVER[0]} 518400 IN A {ROOT_SERVER[1]}"]
    by_host: dict[str, NameServer] = {}
    for tld, (host, address) in TLD_SERVERS.items():
        root_lines += [f"{tld} 172800 IN NS {host}", f"{host} 172800 IN A {address}"]
        text = "\n".join([f"{tld} 900 IN SOA {host} hostmaster.{tld} 1 1800 900 604800 86400",
                          f"{tld} 172800 IN NS {host}", *tld_zones[tld]])
        server = by_host.setdefault(host, NameServer(name(host), address, "TLD registry"))
        server.zones.append(Zone.from_text(text, tld, label=f"{tld} registry"))
    root = NameServer(name(ROOT_SERVER[0]), ROOT_SERVER[1], "root",
                      [Zone.from_text("\n".join(dict.fromkeys(root_lines)), ".", label="root")])
    return [root, *by_host.values()]


def _registered_domain(host: Name) -> str:
    """awsdns-22.org. for ns-1201.awsdns-22.org. (three labels under co.uk.)."""
    keep = 3 if host.to_text().endswith(".co.uk.") else 2
    return name(".".join(host.to_text().rstrip(".").split(".")[-keep:])).to_text()

"""Authoritative DNS on dnspython: zones, Route 53 hosted zones with alias records, and the
answer a name server gives to one query, as a real DNS message.

The rules the model enforces, and where they are written down:

- A zone's apex holds its SOA and NS records, and a CNAME may not share its name with
  any other data (RFC 1034 section 3.6.2), so there is no CNAME at a zone apex; Route 53
  refuses a CNAME whose name is the hosted zone's name
  (Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html).
- An alias record is Route 53's own extension: a query for it is answered with the
  records of its target (an AWS resource such as an Elastic Beanstalk environment, or
  another record in the same hosted zone), it may sit at the zone apex, and it has no
  TTL of its own: Route 53 uses the resource's TTL, or that of the record it points to
  (same page; API_ResourceRecordSet.html: TTL is omitted for an alias).
- A parent zone delegates a child by NS records at the zone cut; an address (glue)
  comes with the referral only for a name server whose name is inside the child zone,
  since nobody could look that name up otherwise (RFC 1034 section 4.2.1;
  Route53/latest/DeveloperGuide/CreatingNewSubdomain.html).
- When Route 53 creates a hosted zone it writes the zone's SOA and its four NS records
  itself; the SOA names one of the zone's name servers, an unmonitored amazon.com
  address and the fields `1 7200 900 1209600 86400`
  (Route53/latest/DeveloperGuide/SOA-NSrecords.html). The TTLs, NS 172800 seconds and
  SOA 900, are the ones Route 53's zones carry; that page does not state them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from dns.name import Name
from dns.rdatatype import RdataType

ROUTE53_NS_TTL = 172800
ROUTE53_SOA_TTL = 900
ROUTE53_SOA_TAIL = "awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"

# Looks an alias target up (Route 53 knows the records of the AWS resources it aliases).
TargetLookup = Callable[[Name, RdataType], "dns.rrset.RRset | None"]


def name(text: str | Name) -> Name:
    """An absolute DNS name (a trailing dot is implied)."""
    return text if isinstance(text, Name) else dns.name.from_text(text)


def rdtype(text: str | RdataType) -> RdataType:
    return dns.rdatatype.RdataType.make(text)


class RecordError(ValueError):
    """A change the zone refuses; the message says which record and why."""


class ChangeAction(StrEnum):
    """The actions of a ChangeResourceRecordSets change (API_Change.html)."""

    CREATE = "CREATE"
    UPSERT = "UPSERT"
    DELETE = "DELETE"


@dataclass(frozen=True)
class AliasTarget:
    """Where an alias record points: an AWS resource's DNS name and the hosted zone id
    AWS publishes for it, or a record of the same hosted zone (its own id)."""

    dns_name: Name
    hosted_zone_id: str
    evaluate_target_health: bool = False


@dataclass(frozen=True)
class RecordSet:
    """A record set as ChangeResourceRecordSets takes it: values with a TTL, or an alias
    target and no TTL."""

    name: Name
    type: RdataType
    ttl: int | None = None
    values: tuple[str, ...] = ()
    alias: AliasTarget | None = None

    def describe(self) -> str:
        return f"{self.type.name} record `{self.name.to_text()}`"


class Zone:
    """One authoritative zone: a dnspython zone, plus the alias records Route 53 adds
    beside the standard ones (a registrar's zone simply has none)."""

    def __init__(self, zone: dns.zone.Zone, *, label: str, zone_id: str | None = None,
                 aliases: Mapping[tuple[Name, RdataType], AliasTarget] | None = None) -> None:
        self.zone = zone
        self.label = label  # who runs it, for the narration: "registrar", "Route 53"
        self.zone_id = zone_id
        self.aliases: dict[tuple[Name, RdataType], AliasTarget] = dict(aliases or {})

    @classmethod
    def from_text(cls, text: str, origin: str, *, label: str) -> Zone:
        """A zone from master-file text (RFC 1035 section 5), as registrars export it."""
        return cls(dns.zone.from_text(text, origin=origin, relativize=False), label=label)

    @property
    def origin(self) -> Name:
        assert self.zone.origin is not None
        return self.zone.origin

    def copy(self) -> Zone:
        """An independent copy, so a what-if never changes the zone it starts from."""
        text = self.zone.to_text(relativize=False)
        assert isinstance(text, str)
        copied = dns.zone.from_text(text, origin=self.origin, relativize=False)
        return type(self)(copied, label=self.label, zone_id=self.zone_id,
                          aliases=self.aliases)

    def rrset(self, owner: Name, kind: RdataType) -> dns.rrset.RRset | None:
        return self.zone.get_rrset(owner, kind)

    def types_at(self, owner: Name) -> set[RdataType]:
        node = self.zone.get_node(owner)
        kinds = {r.rdtype for r in node.rdatasets} if node is not None else set()
        return kinds | {kind for at, kind in self.aliases if at == owner}

    def owners(self) -> list[Name]:
        return sorted(set(self.zone.nodes) | {at for at, _ in self.aliases})

    def has_name(self, owner: Name) -> bool:
        """Whether the name exists, holding data or only names below it (an empty
        non-terminal answers NODATA, not NXDOMAIN: RFC 8020)."""
        return any(existing.is_subdomain(owner) for existing in self.owners())

    def delegation(self, qname: Name) -> Name | None:
        """The zone cut between the apex and `qname` (inclusive) where NS records hand the
        name to another zone, the one nearest the apex; None when the zone answers."""
        cuts = [cut for cut in _ancestors(qname, self.origin)
                if self.zone.get_rdataset(cut, dns.rdatatype.NS) is not None]
        return cuts[0] if cuts else None

    def glue(self, cut: Name) -> list[dns.rrset.RRset]:
        """The addresses a referral to `cut` carries: those the zone holds for the names
        of its servers. It must hold them for servers inside the delegated zone
        (`needs_glue`); the root and TLD zones hold them for their siblings too."""
        servers = self.rrset(cut, dns.rdatatype.NS)
        found = []
        for server in sorted(r.target for r in servers or ()):
            address = self.rrset(server, dns.rdatatype.A)
            if address is not None:
                found.append(address)
        return found

    def missing_glue(self) -> list[str]:
        """Delegations to a server inside the delegated zone without its address: nobody
        could ever reach that server."""
        found = []
        for cut in self.owners():
            servers = self.rrset(cut, dns.rdatatype.NS) if cut != self.origin else None
            for server in sorted(r.target for r in servers or ()):
                if needs_glue(cut, server) and self.rrset(server, dns.rdatatype.A) is None:
                    found.append(f"{cut.to_text()} -> {server.to_text()}")
        return found

    def add(self, owner: Name, ttl: int, kind: RdataType, *values: str) -> None:
        with self.zone.writer() as txn:
            for value in values:
                txn.add(owner, ttl, dns.rdata.from_text(dns.rdataclass.IN, kind, value,
                                                        origin=self.origin,
                                                        relativize=False))

    def remove(self, owner: Name, kind: RdataType) -> None:
        with self.zone.writer() as txn:
            txn.delete(owner, kind)


class HostedZone(Zone):
    """A Route 53 public hosted zone, changed only through `change`, which refuses what
    ChangeResourceRecordSets refuses."""

    @classmethod
    def create(cls, domain: str, zone_id: str, name_servers: Iterable[str]) -> HostedZone:
        """A new hosted zone with the SOA and NS records Route 53 writes itself."""
        servers = [name(s) for s in name_servers]
        origin = name(domain)
        zone = cls(dns.zone.Zone(origin, relativize=False), label="Route 53", zone_id=zone_id)
        zone.add(origin, ROUTE53_SOA_TTL, dns.rdatatype.SOA,
                 f"{servers[0].to_text()} {ROUTE53_SOA_TAIL}")
        zone.add(origin, ROUTE53_NS_TTL, dns.rdatatype.NS, *(s.to_text() for s in servers))
        return zone

    @property
    def name_servers(self) -> list[Name]:
        servers = self.rrset(self.origin, dns.rdatatype.NS)
        return sorted(r.target for r in servers or ())

    def change(self, action: ChangeAction, record: RecordSet) -> None:
        """Apply one change, or raise RecordError saying why Route 53 would refuse it."""
        problem = change_problem(self, action, record)
        if problem is not None:
            raise RecordError(problem)
        key = (record.name, record.type)
        self.aliases.pop(key, None)
        if self.rrset(record.name, record.type) is not None:
            self.remove(record.name, record.type)
        if action is ChangeAction.DELETE:
            return
        if record.alias is not None:
            self.aliases[key] = record.alias
        else:
            assert record.ttl is not None
            self.add(record.name, record.ttl, record.type, *record.values)

    def alias_records(self, owner: Name, kind: RdataType, lookup: TargetLookup,
                      seen: frozenset[Name] = frozenset()) -> dns.rrset.RRset | None:
        """What an alias answers: its target's records under the alias's own name, with
        the target's TTL (an alias has none of its own). Aliases that lead back to one
        another answer nothing."""
        target = self.aliases[(owner, kind)]
        if target.hosted_zone_id == self.zone_id:
            if target.dns_name in seen | {owner}:
                return None
            found = (self.alias_records(target.dns_name, kind, lookup, seen | {owner})
                     if (target.dns_name, kind) in self.aliases
                     else self.rrset(target.dns_name, kind))
        else:
            found = lookup(target.dns_name, kind)
        if found is None:
            return None
        renamed = dns.rrset.RRset(owner, dns.rdataclass.IN, kind)
        renamed.update(found)
        renamed.ttl = found.ttl
        return renamed


def change_problem(zone: HostedZone, action: ChangeAction, record: RecordSet) -> str | None:
    """Why Route 53 would refuse the change, or None when it applies."""
    what, at = record.describe(), record.name.to_text()
    if not record.name.is_subdomain(zone.origin):
        return f"{what} is not in hosted zone `{zone.origin.to_text()}`"
    exists = (record.name, record.type) in zone.aliases or zone.rrset(
        record.name, record.type) is not None
    if action is ChangeAction.DELETE:
        return None if exists else f"{what} does not exist, so it cannot be deleted"
    if action is ChangeAction.CREATE and exists:
        return f"{what} already exists; UPSERT replaces it"
    if record.alias is not None and (record.ttl is not None or record.values):
        return (f"{what}: an alias record takes no TTL and no values; Route 53 answers "
                "with its target's records and their TTL")
    if record.alias is None and (record.ttl is None or not record.values):
        return f"{what} needs a TTL and at least one value (or an alias target)"
    if record.type == dns.rdatatype.CNAME and record.name == zone.origin:
        return (f"{what}: a CNAME cannot be at the zone apex, which holds the zone's SOA "
                "and NS records; use an alias record there")
    others = zone.types_at(record.name) - {record.type}
    if record.type == dns.rdatatype.CNAME and others:
        return f"{what}: a CNAME cannot share `{at}` with its other records"
    if dns.rdatatype.CNAME in others:
        return f"{what}: `{at}` already has a CNAME, which allows no other record there"
    if record.alias is not None and record.alias.hosted_zone_id == zone.zone_id:
        target = (record.alias.dns_name, record.type)
        if record.alias.dns_name == record.name:
            return f"{what}: an alias cannot point at itself"
        if target not in zone.aliases and zone.rrset(*target) is None:
            return (f"{what}: the alias target {record.type.name} record "
                    f"`{record.alias.dns_name.to_text()}` is not in this hosted zone")
    return None


class Outcome(StrEnum):
    """How a name server answered, read off the message as a resolver reads it."""

    ANSWER = "answer"
    REFERRAL = "referral"
    NODATA = "no data"
    NXDOMAIN = "no such name"
    REFUSED = "refused"
    SERVFAIL = "server failure"  # the resolver's own verdict: no server would answer


@dataclass
class NameServer:
    """An authoritative server: its name, its address and the zones it serves."""

    host: Name
    address: str
    operator: str
    zones: list[Zone] = field(default_factory=list)

    def zone_for(self, qname: Name) -> Zone | None:
        """The served zone nearest to `qname` (a server may serve a parent and a child)."""
        enclosing = [z for z in self.zones if qname.is_subdomain(z.origin)]
        return max(enclosing, key=lambda z: len(z.origin), default=None)

    def respond(self, query: dns.message.Message, lookup: TargetLookup) -> dns.message.Message:
        """The response to a non-recursive query, as an authoritative server gives it."""
        question = query.question[0]
        qname, kind = question.name, question.rdtype
        response = dns.message.make_response(query)
        zone = self.zone_for(qname)
        if zone is None:  # a lame delegation: asked for a zone it does not serve
            response.set_rcode(dns.rcode.REFUSED)
            return response
        cut = zone.delegation(qname)
        if cut is not None:
            response.authority.append(zone.rrset(cut, dns.rdatatype.NS))
            response.additional.extend(zone.glue(cut))
            return response
        response.flags |= dns.flags.AA
        found = _records(zone, qname, kind, lookup)
        if found is not None:
            response.answer.append(found)
        elif not zone.has_name(qname):
            response.set_rcode(dns.rcode.NXDOMAIN)
        if not response.answer:  # negative answers carry the SOA (RFC 2308)
            response.authority.append(zone.rrset(zone.origin, dns.rdatatype.SOA))
        return response


def _records(zone: Zone, qname: Name, kind: RdataType, lookup: TargetLookup
             ) -> dns.rrset.RRset | None:
    if isinstance(zone, HostedZone) and (qname, kind) in zone.aliases:
        return zone.alias_records(qname, kind, lookup)
    found = zone.rrset(qname, kind)
    if found is None and kind != dns.rdatatype.CNAME:
        found = zone.rrset(qname, dns.rdatatype.CNAME)  # the resolver follows it
    return found


def needs_glue(cut: Name, server: Name) -> bool:
    """Whether a delegation to `server` needs glue: its name is inside the zone it serves,
    so looking it up would lead back to the same referral."""
    return server.is_subdomain(cut)


def classify(response: dns.message.Message) -> Outcome:
    if response.rcode() == dns.rcode.REFUSED:
        return Outcome.REFUSED
    if response.rcode() == dns.rcode.NXDOMAIN:
        return Outcome.NXDOMAIN
    if response.answer:
        return Outcome.ANSWER
    is_referral = any(r.rdtype == dns.rdatatype.NS for r in response.authority)
    if is_referral and not response.flags & dns.flags.AA:
        return Outcome.REFERRAL
    return Outcome.NODATA


def _ancestors(qname: Name, origin: Name) -> list[Name]:
    """The names strictly below `origin` down to `qname`, nearest the apex first."""
    found = []
    current = qname
    while current != origin and current.is_subdomain(origin):
        found.append(current)
        current = current.parent()
    return found[::-1]

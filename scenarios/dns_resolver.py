"""An iterative resolver over an in-memory network of authoritative name servers.

It resolves as a caching resolver does before it has anything cached (RFC 1034 section
5.3.3): ask a root server, follow each referral down to the servers the parent names,
using the glue addresses a referral carries or looking the server's own name up from the
root when it carries none, follow a CNAME by starting again for its target, and stop at
an authoritative answer, NODATA or NXDOMAIN. Every query and response crosses the
"network" as DNS wire format (dnspython messages), so what a server says is only what a
real one could say. Each step is recorded so that `run` can narrate the chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset
from dns.name import Name
from dns.rdatatype import RdataType

from scenarios.dns_model import NameServer, Outcome, classify, name, rdtype

MAX_QUERIES = 40  # a resolver gives up on a chain this long (loops, lame servers)
MAX_CNAMES = 8


@dataclass(frozen=True)
class Step:
    """One query: who was asked, from which zone it answered and what it said."""

    server: str
    address: str
    operator: str
    qname: str
    qtype: str
    outcome: Outcome
    zone: str  # the zone a referral hands over to, or the zone that answered
    detail: str  # the referral's zone and servers, or the records, or why not
    depth: int  # 0 for the name asked; 1 while looking up a name server's address
    glue: bool = False  # a referral whose server addresses came with it
    ttl: int | None = None  # of the answer, or of the referral's NS records

    def describe(self) -> str:
        return (f"ask {self.server} ({self.operator}, {self.address}) for {self.qname} "
                f"{self.qtype}: {self.outcome.value}, {self.detail}")


@dataclass(frozen=True)
class Resolution:
    qname: str
    qtype: str
    outcome: Outcome  # ANSWER, NODATA, NXDOMAIN, or SERVFAIL when no server would answer
    records: tuple[dns.rrset.RRset, ...]  # the answer's CNAME chain, then the records
    steps: tuple[Step, ...]

    @property
    def final(self) -> dns.rrset.RRset | None:
        return self.records[-1] if self.outcome is Outcome.ANSWER else None

    @property
    def values(self) -> list[str]:
        final = self.final
        return sorted(r.to_text() for r in final) if final is not None else []

    @property
    def answered_by(self) -> Step:
        return [s for s in self.steps if s.depth == 0][-1]

    def chain(self) -> list[str]:
        """The servers asked for the name itself, root first."""
        return [s.server for s in self.steps if s.depth == 0]

    def summary(self) -> str:
        if self.outcome is not Outcome.ANSWER:
            return f"{self.outcome.value} (from {self.answered_by.server})"
        final = self.final
        assert final is not None
        return (f"{final.ttl} {' '.join(self.values)} "
                f"(from {self.answered_by.server}, {self.answered_by.operator})")


@dataclass
class Network:
    """The servers, reachable by address, and the root servers' addresses to start from."""

    servers: list[NameServer]
    root_hints: tuple[str, ...]
    _by_address: dict[str, NameServer] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_address = {s.address: s for s in self.servers}

    def server_at(self, address: str) -> NameServer:
        return self._by_address[address]

    def query(self, address: str, qname: Name, kind: RdataType) -> dns.message.Message:
        """Send one non-recursive query; both messages cross as wire format."""
        query = dns.message.make_query(qname, kind)
        query.flags &= ~dns.flags.RD  # iterative: the server must not recurse for us
        received = dns.message.from_wire(query.to_wire())
        response = self.server_at(address).respond(received, self._alias_lookup)
        return dns.message.from_wire(response.to_wire())

    def _alias_lookup(self, target: Name, kind: RdataType) -> dns.rrset.RRset | None:
        """Route 53 knows the records of the AWS resources it aliases; the model finds
        them as any resolver would, through the network."""
        return Resolver(self).resolve(target, kind).final


class Resolver:
    def __init__(self, network: Network) -> None:
        self.network = network

    def resolve(self, qname: str | Name, qtype: str | RdataType) -> Resolution:
        steps: list[Step] = []
        target, kind = name(qname), rdtype(qtype)
        records: list[dns.rrset.RRset] = []
        for _ in range(MAX_CNAMES):
            outcome, found = self._iterate(target, kind, 0, steps)
            if outcome is not Outcome.ANSWER or found is None:
                return Resolution(str(name(qname)), kind.name, outcome, tuple(records),
                                  tuple(steps))
            records.append(found)
            if found.rdtype == kind:
                break
            target = found[0].target  # a CNAME: start again for its target
        return Resolution(str(name(qname)), kind.name, Outcome.ANSWER, tuple(records),
                          tuple(steps))

    def _iterate(self, qname: Name, kind: RdataType, depth: int, steps: list[Step]
                 ) -> tuple[Outcome, dns.rrset.RRset | None]:
        addresses = list(self.network.root_hints)
        for _ in range(MAX_QUERIES):
            response, server = self._ask(addresses, qname, kind, depth, steps)
            if response is None:
                return Outcome.SERVFAIL, None
            outcome = classify(response)
            if outcome is Outcome.ANSWER:
                found = response.answer[0]
                steps.append(self._step(server, qname, kind, outcome, depth,
                                        _zone_served(server, qname),
                                        " ".join(sorted(r.to_text() for r in found))
                                        + f" (TTL {found.ttl})", ttl=found.ttl))
                return outcome, found
            if outcome is not Outcome.REFERRAL:
                steps.append(self._step(server, qname, kind, outcome, depth,
                                        _zone_served(server, qname),
                                        f"authoritative for {_zone_served(server, qname)}"))
                return outcome, None
            delegation = next(r for r in response.authority if r.rdtype == dns.rdatatype.NS)
            hosts = sorted(r.target for r in delegation)
            glue = {r.name: r[0].address for r in response.additional
                    if r.rdtype == dns.rdatatype.A}
            steps.append(self._step(
                server, qname, kind, outcome, depth, delegation.name.to_text(),
                f"{delegation.name} is served by {', '.join(h.to_text() for h in hosts)}"
                + (" (with glue)" if glue else ""), glue=bool(glue), ttl=delegation.ttl))
            addresses = [glue[h] for h in hosts if h in glue] or self._addresses_of(
                hosts, depth, steps)
            if not addresses:
                return Outcome.SERVFAIL, None
        return Outcome.SERVFAIL, None

    def _ask(self, addresses: Iterable[str], qname: Name, kind: RdataType, depth: int,
             steps: list[Step]) -> tuple[dns.message.Message | None, NameServer]:
        """The first server that answers (a lame one refuses; the next is tried)."""
        server = None
        for address in addresses:
            server = self.network.server_at(address)
            response = self.network.query(address, qname, kind)
            if classify(response) is not Outcome.REFUSED:
                return response, server
            steps.append(self._step(server, qname, kind, Outcome.REFUSED, depth, "-",
                                    "it serves no zone for this name (lame delegation)"))
        assert server is not None
        return None, server

    def _addresses_of(self, hosts: list[Name], depth: int, steps: list[Step]) -> list[str]:
        """A referral without glue: look its servers' names up, from the root."""
        for host in hosts:
            outcome, found = self._iterate(host, dns.rdatatype.A, depth + 1, steps)
            if outcome is Outcome.ANSWER and found is not None and found.rdtype == \
                    dns.rdatatype.A:
                return [r.address for r in found]
        return []

    @staticmethod
    def _step(server: NameServer, qname: Name, kind: RdataType, outcome: Outcome,
              depth: int, zone: str, detail: str, *, glue: bool = False,
              ttl: int | None = None) -> Step:
        return Step(server.host.to_text(), server.address, server.operator, qname.to_text(),
                    kind.name, outcome, zone, detail, depth, glue, ttl)


def _zone_served(server: NameServer, qname: Name) -> str:
    zone = server.zone_for(qname)
    return zone.origin.to_text() if zone is not None else "-"

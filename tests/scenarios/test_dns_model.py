"""The DNS model of route53-subdomain-delegation: hosted zones refuse what
ChangeResourceRecordSets refuses, alias records answer with their target's records and
TTL, and a name server's response is what an authoritative server sends (referral,
answer, NODATA, NXDOMAIN, REFUSED)."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from scenarios.dns_model import (
    ROUTE53_NS_TTL,
    ROUTE53_SOA_TTL,
    AliasTarget,
    ChangeAction,
    HostedZone,
    NameServer,
    Outcome,
    RecordError,
    RecordSet,
    Zone,
    classify,
    name,
    needs_glue,
)

SERVERS = ("ns-1.awsdns-01.org.", "ns-2.awsdns-02.com.", "ns-3.awsdns-03.net.",
           "ns-4.awsdns-04.co.uk.")
A, CNAME, MX, NS = (dns.rdatatype.A, dns.rdatatype.CNAME, dns.rdatatype.MX,
                    dns.rdatatype.NS)
ELB = AliasTarget(name("lb-1.us-east-1.elb.amazonaws.com."), "Z35SXDOTRQ7X7K")


def _zone() -> HostedZone:
    return HostedZone.create("shop.example.org.", "ZSHOP1", SERVERS)


def _record(owner: str, kind: dns.rdatatype.RdataType, *values: str, ttl: int | None = 300,
            alias: AliasTarget | None = None) -> RecordSet:
    return RecordSet(name(owner), kind, None if alias else ttl, values, alias)


def test_a_new_hosted_zone_has_the_soa_and_four_ns_records_route53_writes() -> None:
    """The SOA's fields and the four NS records
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html); the
    TTLs are those Route 53's zones carry, which the page does not state."""
    zone = _zone()
    soa = zone.rrset(zone.origin, dns.rdatatype.SOA)
    ns = zone.rrset(zone.origin, NS)
    assert soa is not None and ns is not None
    assert soa.ttl == ROUTE53_SOA_TTL == 900 and ns.ttl == ROUTE53_NS_TTL == 172800
    assert soa[0].mname == name(SERVERS[0])
    assert soa[0].rname == name("awsdns-hostmaster.amazon.com.")
    assert (soa[0].refresh, soa[0].retry, soa[0].expire, soa[0].minimum) == (
        7200, 900, 1209600, 86400)
    assert zone.name_servers == sorted(name(s) for s in SERVERS)


@pytest.mark.parametrize(("record", "why"), [
    (_record("shop.example.org.", CNAME, "www.example.org."), "cannot be at the zone apex"),
    (_record("shop.example.org.", A, ttl=60, alias=None), "needs a TTL and at least one"),
    (RecordSet(name("shop.example.org."), A, 60, (), ELB), "takes no TTL"),
    (RecordSet(name("shop.example.org."), A, None, ("192.0.2.1",), ELB), "takes no TTL"),
    (_record("www.example.org.", A, "192.0.2.1"), "is not in hosted zone"),
    (_record("api.shop.example.org.", A, alias=AliasTarget(name("x.shop.example.org."),
                                                           "ZSHOP1")),
     "is not in this hosted zone"),
])
def test_changes_route53_refuses_are_refused_with_the_reason(record: RecordSet,
                                                             why: str) -> None:
    """A CNAME is not allowed at the apex; an alias has no TTL and no values; an alias to
    a record of the same zone needs that record
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)."""
    with pytest.raises(RecordError, match=why):
        _zone().change(ChangeAction.UPSERT, record)


def test_a_cname_shares_its_name_with_nothing() -> None:
    """RFC 1034 section 3.6.2, which Route 53 applies below the apex too
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html)."""
    zone = _zone()
    zone.change(ChangeAction.CREATE, _record("www.shop.example.org.", CNAME,
                                             "shop.example.org."))
    with pytest.raises(RecordError, match="already has a CNAME"):
        zone.change(ChangeAction.CREATE, _record("www.shop.example.org.", MX,
                                                 "10 mail.example.org."))
    zone.change(ChangeAction.CREATE, _record("api.shop.example.org.", A, "192.0.2.7"))
    with pytest.raises(RecordError, match="cannot share"):
        zone.change(ChangeAction.CREATE, _record("api.shop.example.org.", CNAME,
                                                 "shop.example.org."))


def test_create_upsert_and_delete_follow_the_api() -> None:
    """CREATE fails on an existing record set, UPSERT replaces it, DELETE needs it
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Change.html)."""
    zone = _zone()
    www = "www.shop.example.org."
    zone.change(ChangeAction.CREATE, _record(www, A, "192.0.2.1"))
    with pytest.raises(RecordError, match="already exists"):
        zone.change(ChangeAction.CREATE, _record(www, A, "192.0.2.2"))
    zone.change(ChangeAction.UPSERT, _record(www, A, "192.0.2.2", ttl=60))
    replaced = zone.rrset(name(www), A)
    assert replaced is not None and replaced.ttl == 60
    assert [r.address for r in replaced] == ["192.0.2.2"]
    zone.change(ChangeAction.DELETE, _record(www, A, "192.0.2.2", ttl=60))
    assert zone.rrset(name(www), A) is None
    with pytest.raises(RecordError, match="does not exist"):
        zone.change(ChangeAction.DELETE, _record(www, A, "192.0.2.2"))


def test_an_alias_answers_with_its_targets_records_and_ttl() -> None:
    """For an AWS resource Route 53 uses the resource's TTL; for a record in the same
    zone, that record's TTL (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)."""
    zone = _zone()
    zone.change(ChangeAction.CREATE, _record("shop.example.org.", A, alias=ELB))
    zone.change(ChangeAction.CREATE, _record("origin.shop.example.org.", A, "192.0.2.9",
                                             ttl=120))
    zone.change(ChangeAction.CREATE, _record(
        "www.shop.example.org.", A, alias=AliasTarget(name("origin.shop.example.org."),
                                                      "ZSHOP1")))
    looked_up = []

    def lookup(target, kind):  # type: ignore[no-untyped-def]
        looked_up.append(target)
        found = dns.rrset.from_text(target, 60, "IN", "A", "198.51.100.5", "198.51.100.6")
        return found

    apex = zone.alias_records(zone.origin, A, lookup)
    assert apex is not None and apex.name == zone.origin and apex.ttl == 60
    assert sorted(r.address for r in apex) == ["198.51.100.5", "198.51.100.6"]
    assert looked_up == [ELB.dns_name]
    www = zone.alias_records(name("www.shop.example.org."), A, lookup)
    assert www is not None and www.ttl == 120 and [r.address for r in www] == ["192.0.2.9"]
    assert looked_up == [ELB.dns_name]  # a same-zone target is not looked up outside


PARENT = """\
$TTL 3600
@ IN SOA ns1.example.org. hostmaster.example.org. 1 7200 900 1209600 300
@ IN NS ns1.example.org.
ns1 IN A 203.0.113.1
@ IN MX 10 mail.example.org.
a.b IN A 192.0.2.3
shop IN NS ns-2.awsdns-02.com.
lab IN NS ns.lab.example.org.
lab IN NS ns-3.awsdns-03.net.
ns.lab IN A 203.0.113.9
"""


def _ask(server: NameServer, qname: str, kind: str) -> dns.message.Message:
    query = dns.message.make_query(qname, kind)
    query.flags &= ~dns.flags.RD
    return server.respond(query, lambda target, kind: None)


def test_a_name_server_answers_as_an_authoritative_server() -> None:
    """Referral (no AA, NS in authority, glue when the server is inside the child),
    answer (AA), NODATA and NXDOMAIN (AA, SOA in authority), REFUSED for a zone it does
    not serve (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingNewSubdomain.html)."""
    server = NameServer(name("ns1.example.org."), "203.0.113.1", "registrar",
                        [Zone.from_text(PARENT, "example.org.", label="registrar")])
    referral = _ask(server, "www.shop.example.org.", "A")
    assert classify(referral) is Outcome.REFERRAL
    assert not referral.flags & dns.flags.AA and not referral.additional
    assert referral.authority[0].name == name("shop.example.org.")
    lab = _ask(server, "lab.example.org.", "A")
    assert classify(lab) is Outcome.REFERRAL
    assert [r.name for r in lab.additional] == [name("ns.lab.example.org.")]
    answer = _ask(server, "example.org.", "MX")
    assert classify(answer) is Outcome.ANSWER and answer.flags & dns.flags.AA
    nodata = _ask(server, "example.org.", "AAAA")
    assert classify(nodata) is Outcome.NODATA and nodata.authority[0].rdtype == \
        dns.rdatatype.SOA
    empty_non_terminal = _ask(server, "b.example.org.", "A")
    assert classify(empty_non_terminal) is Outcome.NODATA
    missing = _ask(server, "nope.example.org.", "A")
    assert classify(missing) is Outcome.NXDOMAIN and missing.rcode() == dns.rcode.NXDOMAIN
    assert classify(_ask(server, "example.net.", "A")) is Outcome.REFUSED


def test_glue_is_needed_only_for_servers_inside_the_delegated_zone() -> None:
    """A server named inside the zone it serves cannot be looked up without its address
    in the parent (https://docs.aws.amazon.com/Route53/latest/APIReference/API_domains_Nameserver.html:
    glue is required only when the name server is a subdomain of the domain)."""
    assert needs_glue(name("lab.example.org."), name("ns.lab.example.org."))
    assert not needs_glue(name("shop.example.org."), name("ns-2.awsdns-02.com."))
    zone = Zone.from_text(PARENT, "example.org.", label="registrar")
    assert zone.missing_glue() == []
    zone.remove(name("ns.lab.example.org."), dns.rdatatype.A)
    assert zone.missing_glue() == ["lab.example.org. -> ns.lab.example.org."]


def test_a_copy_is_independent_of_its_zone() -> None:
    """What-ifs change copies (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html)."""
    zone = _zone()
    zone.change(ChangeAction.CREATE, _record("shop.example.org.", A, alias=ELB))
    copied = zone.copy()
    copied.change(ChangeAction.DELETE, _record("shop.example.org.", A, alias=ELB))
    assert (zone.origin, A) in zone.aliases and (copied.origin, A) not in copied.aliases


def test_aliases_that_lead_back_to_one_another_answer_nothing() -> None:
    """An alias may point at another record of its zone, never at itself
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html)."""
    zone = _zone()
    own = "www.shop.example.org."
    with pytest.raises(RecordError, match="cannot point at itself"):
        zone.change(ChangeAction.CREATE, _record(own, A, alias=AliasTarget(name(own),
                                                                             "ZSHOP1")))
    zone.change(ChangeAction.CREATE, _record("a.shop.example.org.", A, "192.0.2.1"))
    zone.change(ChangeAction.CREATE, _record("b.shop.example.org.", A, alias=AliasTarget(
        name("a.shop.example.org."), "ZSHOP1")))
    zone.change(ChangeAction.UPSERT, _record("a.shop.example.org.", A, alias=AliasTarget(
        name("b.shop.example.org."), "ZSHOP1")))
    assert zone.alias_records(name("a.shop.example.org."), A, lambda t, k: None) is None

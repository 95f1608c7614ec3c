"""The iterative resolver: it walks referrals down from the root, uses glue or looks a
glue-less server's name up from the root, follows CNAMEs, skips a lame server and gives
up (SERVFAIL) when no server of a delegation answers."""

from __future__ import annotations

from scenarios.dns_model import NameServer, Outcome, Zone, name
from scenarios.dns_resolver import Network, Resolver

ROOT = """\
. 86400 IN SOA a.root. hostmaster.root. 1 1800 900 604800 86400
. 518400 IN NS a.root.
a.root. 518400 IN A 10.0.0.1
test. 172800 IN NS ns.test.
ns.test. 172800 IN A 10.0.0.2
"""
TLD = """\
$TTL 3600
@ IN SOA ns.test. hostmaster.test. 1 1800 900 604800 300
@ IN NS ns.test.
ns IN A 10.0.0.2
shop IN NS ns1.shop.test.
ns1.shop IN A 10.0.0.3
lab IN NS ns.elsewhere.test.
lab IN NS ns2.shop.test.
broken IN NS ns.nowhere.test.
"""
SHOP = """\
$TTL 300
@ IN SOA ns1 hostmaster 1 1800 900 604800 300
@ IN NS ns1
ns1 IN A 10.0.0.3
ns2 IN A 10.0.0.5
www IN CNAME web
web IN A 192.0.2.80
"""
LAB = """\
$TTL 300
@ IN SOA ns2.shop.test. hostmaster 1 1800 900 604800 300
@ IN NS ns2.shop.test.
api IN A 192.0.2.99
"""


def _network(*, lab_served: bool = True) -> Network:
    lab = [Zone.from_text(LAB, "lab.test.", label="x")] if lab_served else []
    return Network([
        NameServer(name("a.root."), "10.0.0.1", "root", [Zone.from_text(ROOT, ".", label="r")]),
        NameServer(name("ns.test."), "10.0.0.2", "tld", [Zone.from_text(TLD, "test.", label="t")]),
        NameServer(name("ns1.shop.test."), "10.0.0.3", "shop",
                   [Zone.from_text(SHOP, "shop.test.", label="s")]),
        NameServer(name("ns2.shop.test."), "10.0.0.5", "lab host", lab),
    ], ("10.0.0.1",))


def test_referrals_with_glue_lead_down_to_the_answer() -> None:
    """https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingNewSubdomain.html"""
    found = Resolver(_network()).resolve("web.shop.test", "A")
    assert found.outcome is Outcome.ANSWER and found.values == ["192.0.2.80"]
    assert found.chain() == ["a.root.", "ns.test.", "ns1.shop.test."]
    assert [s.glue for s in found.steps] == [True, True, False]
    assert [s.zone for s in found.steps] == ["test.", "shop.test.", "shop.test."]


def test_a_cname_is_followed_by_resolving_its_target() -> None:
    """https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html"""
    found = Resolver(_network()).resolve("www.shop.test.", "A")
    assert [r.rdtype.name for r in found.records] == ["CNAME", "A"]
    assert found.values == ["192.0.2.80"] and found.summary().startswith("300 192.0.2.80")


def test_a_referral_without_glue_looks_the_server_up_and_skips_a_lame_one() -> None:
    """ns.elsewhere.test does not exist, so the resolver tries ns2.shop.test, whose
    address it finds in shop.test (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingNewSubdomain.html)."""
    found = Resolver(_network()).resolve("api.lab.test.", "A")
    assert found.outcome is Outcome.ANSWER and found.values == ["192.0.2.99"]
    lookups = [s for s in found.steps if s.depth == 1]
    assert {s.qname for s in lookups} == {"ns2.shop.test.", "ns.elsewhere.test."}
    assert any(s.outcome is Outcome.NXDOMAIN for s in lookups)


def test_a_delegation_no_server_answers_for_is_a_server_failure() -> None:
    """Lame delegations: the servers named refuse the zone, or cannot be found
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html:
    the hosted zone must exist and hold the records before the name servers change)."""
    lame = Resolver(_network(lab_served=False)).resolve("api.lab.test.", "A")
    assert lame.outcome is Outcome.SERVFAIL
    assert any(s.outcome is Outcome.REFUSED for s in lame.steps)
    unreachable = Resolver(_network()).resolve("x.broken.test.", "A")
    assert unreachable.outcome is Outcome.SERVFAIL


def test_negative_answers_name_the_server_that_gave_them() -> None:
    """https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html"""
    resolver = Resolver(_network())
    nodata = resolver.resolve("web.shop.test.", "MX")
    assert nodata.outcome is Outcome.NODATA and nodata.final is None
    assert nodata.answered_by.server == "ns1.shop.test."
    missing = resolver.resolve("nope.shop.test.", "A")
    assert missing.outcome is Outcome.NXDOMAIN and missing.values == []

"""route53-subdomain-delegation: the checks pass and would fail on a broken model, the
walk-through resolves down the delegation chain and performs the NS-swap what-if,
`describe()` renders the zones, the quiz answers come from the model and the engine, and
the exported snapshot answers the account commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import dns.rdatatype
import pytest
from rich.console import Console

from policy_engine.cli.app import main
from policy_engine.scenario.api import AccessCheck, ModelCheck
from policy_engine.scenario.checks import run_checks
from scenarios.dns_model import Outcome, name
from scenarios.route53_delegation import (
    APEX_ZONE,
    APP_ZONE,
    SCENARIO,
    Route53SubdomainDelegation,
    change_condition,
)
from scenarios.route53_world import EB_ADDRESSES, EB_TTL, SUBDOMAIN, World, initial_world

_R53 = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/"


def test_every_check_passes_with_denials_and_an_aws_page() -> None:
    """Each check's `doc` is the AWS page its expected result rests on
    (CreatingNewSubdomain.html, resource-record-sets-choosing-alias-non-alias.html,
    migrate-dns-domain-in-use.html, specifying-conditions-route53.html)."""
    results = run_checks(SCENARIO)
    assert len(results) >= 10 and all(r.passed for r in results), [
        r for r in results if not r.passed]
    access = [r for r in results if r.expression is not None]
    assert sum(r.actual != "allowed" for r in access) >= 2
    assert any(r.actual == "explicitDeny" for r in access)
    assert all(r.doc.startswith("https://docs.aws.amazon.com/") for r in results)
    pages = {r.doc.rsplit("/", 1)[-1] for r in results}
    assert {"CreatingNewSubdomain.html", "resource-record-sets-choosing-alias-non-alias.html",
            "migrate-dns-domain-in-use.html", "specifying-conditions-route53.html"} <= pages


def _model_check(scenario: Route53SubdomainDelegation, starts: str) -> ModelCheck:
    return next(c for c in scenario.checks()
                if isinstance(c, ModelCheck) and c.name.startswith(starts))


def test_the_dns_checks_fail_when_the_delegation_is_missing() -> None:
    """Without the NS records at `app`, the registrar's zone answers NXDOMAIN itself: the
    hosted zone is reached only through the delegation
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/CreatingNewSubdomain.html)."""
    scenario = Route53SubdomainDelegation()
    registrar = scenario.world.registrar.copy()
    registrar.remove(name(SUBDOMAIN), dns.rdatatype.NS)
    scenario._world = World(registrar, scenario.world.app)
    chain = _model_check(scenario, "app.example.com is referred")
    assert chain.actual() == "root > TLD registry > registrar DNS" != chain.expected
    alias = _model_check(scenario, "the apex alias")
    assert alias.actual() == "no such name from registrar DNS"


def test_the_ns_swap_breaks_mail_unless_the_mx_records_are_copied() -> None:
    """Create every record in the new hosted zone before changing the name servers
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html)."""
    world = initial_world()
    before = world.resolver().resolve("example.com.", "MX")
    assert before.outcome is Outcome.ANSWER and before.answered_by.operator == "registrar DNS"
    broken = world.moved_to_route53(copy_mx=False)
    assert broken.apex is not None and broken.apex.rrset(name("example.com."),
                                                         dns.rdatatype.MX) is None
    mail = broken.resolver().resolve("example.com.", "MX")
    assert mail.outcome is Outcome.NODATA and mail.answered_by.operator == "Route 53"
    web = broken.resolver().resolve("www.example.com.", "A")
    assert web.values == ["192.0.2.10"] and web.answered_by.operator == "Route 53"
    fixed = world.moved_to_route53(copy_mx=True).resolver().resolve("example.com.", "MX")
    assert fixed.values == before.values and fixed.answered_by.operator == "Route 53"
    assert world.apex is None  # the what-if never changed the world it started from


def test_the_alias_answers_with_the_environments_addresses_and_ttl() -> None:
    """An alias has no TTL of its own; Route 53 uses the resource's
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html,
    routing-to-beanstalk-environment.html)."""
    found = initial_world().resolver().resolve(SUBDOMAIN, "A")
    final = found.final
    assert final is not None and final.name == name(SUBDOMAIN) and final.ttl == EB_TTL
    assert found.values == sorted(EB_ADDRESSES)
    route53 = [s for s in found.steps if s.operator == "Route 53" and s.depth == 0]
    assert [s.zone for s in route53] == [SUBDOMAIN]


def test_the_walk_through_resolves_step_by_step_then_moves_the_apex() -> None:
    """https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html"""
    lines: list[str] = []
    SCENARIO.run(lines.append)
    text = "\n".join(lines)
    assert "referral, app.example.com. is served by" in text
    assert "looking up a name server's address" in text
    assert "rejected[/red], CNAME record `app.example.com.`: a CNAME cannot be at the zone apex" \
        in text
    assert "alias A app.example.com -> the environment: [green]accepted" in text
    assert "changes the NS records: [bold]explicitDeny" in text
    assert "for example.com. MX: no data, authoritative for example.com." in text
    assert text.index("Mail breaks") < text.rindex("10 mail.example.com.")
    console = Console(file=io.StringIO(), width=200)
    for line in lines:
        console.print(line)  # every line is valid rich markup


def test_describe_renders_the_zones_and_marks_aliases() -> None:
    """https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html"""
    out = io.StringIO()
    Console(file=out, width=200).print(SCENARIO.describe())
    shown = out.getvalue()
    assert "example.com. (registrar DNS)" in shown and "hosted zone Z0471122APPEXMPL1" in shown
    assert "A (alias)" in shown and "app-prod.us-east-1.elasticbeanstalk.com." in shown
    assert "ns1.example.com. (glue 203.0.113.53)" in shown
    what_if = shown[shown.index("what-if: example.com moved"):]
    assert "hosted zone Z0822133APEXEXMP2" in what_if and "│ MX" not in what_if
    assert "│ MX" in shown[: shown.index("what-if: example.com moved")]


def test_the_quiz_answers_are_computed_by_the_model() -> None:
    """The alias TTL question's answer is the TTL the resolver saw; the move question's
    is the NODATA the resolver got (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/migrate-dns-domain-in-use.html)."""
    questions = {q["id"]: q for q in SCENARIO.questions()}
    assert len(questions) >= 10
    assert all(q["id"].startswith("route53-subdomain-delegation-") for q in questions.values())
    assert sum(q["kind"] == "decision" for q in questions.values()) >= 5
    ttl = questions["route53-subdomain-delegation-alias-ttl"]
    (letter,) = ttl["answer"]
    assert ttl["options"][letter]["text"].startswith(f"{EB_TTL} seconds")
    move = questions["route53-subdomain-delegation-move-without-mx"]
    assert move["options"][move["answer"][0]]["text"].startswith("It stops")
    glue = questions["route53-subdomain-delegation-which-need-glue"]
    assert glue["options"][glue["answer"][0]]["text"].startswith("com. delegating")


@pytest.mark.parametrize(("zone", "types", "action", "decision"), [
    (APP_ZONE, "A", "UPSERT", "allowed"),
    (APEX_ZONE, "A", "UPSERT", "implicitDeny"),
    (APP_ZONE, "NS", "UPSERT", "explicitDeny"),
    (APP_ZONE, "A", "DELETE", "implicitDeny"),
])
def test_the_exported_snapshot_answers_ask(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           zone: str, types: str, action: str,
                                           decision: str) -> None:
    """route53:ChangeResourceRecordSets scoped to the hosted zone's ARN and narrowed by the
    ForAllValues condition keys (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html)."""
    out = tmp_path / "route53.json"
    with pytest.raises(SystemExit) as exported:
        main(["scenario", "export", SCENARIO.name, "-o", str(out)])
    assert exported.value.code == 0
    capsys.readouterr()
    question = (f"can role/app-deploy do route53:ChangeResourceRecordSets on {zone} "
                f"{change_condition('app.example.com', types, action)}")
    with pytest.raises(SystemExit) as asked:
        main(["ask", question, "--env", str(out), "--format", "json"])
    assert asked.value.code == 0
    assert json.loads(capsys.readouterr().out)["decision"] == decision


def test_access_checks_name_only_the_hosted_zone_arns_and_the_change() -> None:
    """Hosted zone ARNs have no region or account: arn:aws:route53:::hostedzone/ID
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/access-control-overview.html)."""
    checks = [c for c in SCENARIO.checks() if isinstance(c, AccessCheck)]
    assert len(checks) >= 6
    for check in checks:
        resource = check.expect.split()[4]
        assert resource.startswith(("arn:aws:route53:::hostedzone/",
                                    "arn:aws:route53:::change/"))

"""Text renderings at 80 and 200 columns: no identifier is ever cut short.

A table cell too narrow for an ARN or an action folds it onto the next lines; joining a
column's lines back (whitespace removed) must give every principal, action, policy name and
resource whole, and no `…` may appear anywhere.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from policy_engine.analysis.assume_paths import assume_paths
from policy_engine.analysis.check import run_checks
from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.analysis.who_can import who_can
from policy_engine.case import load_case
from policy_engine.engine.evaluate import evaluate
from policy_engine.formatters import accounts_text, decision_text

AssertWhole = Callable[[list[str], str], None]

EXAMPLES = Path(__file__).parents[2] / "policy_engine" / "examples"
ORG = EXAMPLES / "org" / "snapshot.yaml"
WIDTHS = (80, 200)
REPOSITORY = "arn:aws:ecr:us-east-1:111122223333:repository/report-generator"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"
WEBSITE = "arn:aws:s3:::example-public-website/index.html"
# `:secret:` is also an emoji code, which rich would print as a picture in a string.
SECRET = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-AbCdEf"


@pytest.fixture(scope="module")
def org() -> Resolver:
    from policy_engine.snapshot import load_snapshot

    return Resolver(load_snapshot([ORG]))


def _render(renderable: object, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("action", "resource"), [
    ("ecr:BatchGetImage", REPOSITORY), ("sts:AssumeRole", BREAK_GLASS),
    ("s3:GetObject", WEBSITE), ("secretsmanager:GetSecretValue", SECRET)])
def test_who_can(org: Resolver, width: int, action: str, resource: str,
                 assert_whole: AssertWhole) -> None:
    grants = who_can(org, action, resource)
    text = _render(accounts_text.render_who_can(action, resource, grants), width)
    names = [accounts_text.principal_name(g.caller.display) for g in grants]
    policies = [name for g in grants for _, name, _ in g.granting_statements]
    # (break-glass has one grantee: the management account's root user cannot call
    # AssumeRole, API_AssumeRole.html)
    assert grants and policies
    assert_whole([action, resource, *names, *policies], text)


def test_who_can_names_every_principal_the_same_way(org: Resolver) -> None:
    """Roles, users and roots alike as ACCOUNT:kind/NAME and ACCOUNT:root, never an ARN."""
    grants = who_can(org, "ecr:BatchGetImage", REPOSITORY)
    text = _render(accounts_text.render_who_can("ecr:BatchGetImage", REPOSITORY, grants), 200)
    principals = [line.split("│")[1].strip() for line in text.splitlines()
                  if line.startswith("│") and line.split("│")[1].strip()]
    assert principals == ["111122223333:role/break-glass",
                          "111122223333:role/OrganizationAccountAccessRole",
                          "444455556666:role/OrganizationAccountAccessRole",
                          "111122223333:root", "444455556666:root"]


@pytest.mark.parametrize("width", WIDTHS)
def test_what_can(org: Resolver, width: int, assert_whole: AssertWhole) -> None:
    report = what_can(org, "111122223333:role/OrganizationAccountAccessRole", service="s3")
    assert len(report.allowed) > 50
    text = _render(accounts_text.render_what_can(report), width)
    assert_whole([report.principal, *(item.action.full_name for item in report.allowed)], text)


@pytest.mark.parametrize("width", WIDTHS)
def test_what_can_groups_actions_by_service_access_level_and_gate(org: Resolver,
                                                                  width: int) -> None:
    report = what_can(org, "111122223333:role/OrganizationAccountAccessRole")
    lines = _render(accounts_text.render_what_can(report), width).splitlines()
    assert lines[:2] == [f"what {report.principal} can do on *",
                         f"{len(report.allowed)} of {report.considered} catalogue actions "
                         f"allowed; {report.explicitly_denied} explicitly denied"]
    assert all(len(line) <= width for line in lines)
    services: dict[str, int] = {}
    groups: dict[tuple[str, str, str], list[str]] = {}
    key: tuple[str, str, str] = ("", "", "")
    for line in lines[2:]:
        if line and not line.startswith(" "):  # `s3: 120 allowed`
            service, count = line.split(": ")
            services[service] = int(count.removesuffix(" allowed"))
        elif line.startswith("  ") and not line.startswith("    "):
            label, _, names = line.partition("): ")
            level, _, gate = label.strip().partition(" — decided by ")
            gate, _, count = gate.partition(" (")
            key = (service, level, gate)
            groups[key] = names.split()
            assert int(count) > 0
        elif line.strip():  # a line of names, continued
            groups[key] += line.split()
    expected: dict[tuple[str, str, str], list[str]] = {}
    for item in report.allowed:
        expected.setdefault((item.action.service, item.action.access_level,
                             item.verdict.gate.value), []).append(item.action.full_name)
    assert {k: sorted(v) for k, v in expected.items()} == groups
    assert services == {s: sum(len(v) for k, v in groups.items() if k[0] == s)
                        for s in services}
    assert list(services) == sorted(services)


@pytest.mark.parametrize("width", WIDTHS)
def test_assume_paths(org: Resolver, width: int, assert_whole: AssertWhole) -> None:
    start = org.caller("user/dev-alice")
    paths = assume_paths(org, start)
    text = _render(accounts_text.render_assume_paths(start.display, paths), width)
    roles = [accounts_text.principal_name(hop.role.arn) for path in paths for hop in path.hops]
    assert roles and "444455556666:role/deployer" in roles
    assert_whole(["444455556666:user/dev-alice", *roles], text)
    assert "arn:aws:iam::" not in text


@pytest.mark.parametrize("width", WIDTHS)
def test_check(org: Resolver, width: int, assert_whole: AssertWhole) -> None:
    from policy_engine.whatif import parse_script

    path = EXAMPLES / "org" / "assertions.whatif"
    report = run_checks(org, parse_script(path.read_text(encoding="utf-8"), source=str(path)))
    text = _render(accounts_text.render_check(report), width)
    assert_whole([outcome.text for outcome in report.outcomes], text)


@pytest.mark.parametrize("width", WIDTHS)
def test_simulate_table(width: int, assert_whole: AssertWhole) -> None:
    paths = sorted((EXAMPLES / "demo").glob("*.json"))
    cases = [(str(path), load_case(path)) for path in paths if path.name != "demo.json"]
    results = [(source, evaluate(case.request, case.policies)) for source, case in cases]
    text = _render(decision_text.render_table(results), width)
    identifiers = [part for source, result in results
                   for part in (source, result.request.principal.text, result.request.action,
                                result.request.resource)]
    assert_whole(identifiers, text)


def test_principal_name() -> None:
    name = accounts_text.principal_name
    assert name("arn:aws:iam::111122223333:root") == "111122223333:root"
    assert name("arn:aws:iam::111122223333:role/ops/deployer") == "111122223333:role/deployer"
    assert name("arn:aws:iam::111122223333:user/john") == "111122223333:user/john"
    assert name("arn:aws:sts::111122223333:assumed-role/deployer/ci") == \
        "111122223333:role/deployer as session ci"
    for unchanged in ("111122223333:role/deployer", "anonymous (*)", "s3.amazonaws.com",
                      "arn:aws:iam::111122223333:saml-provider/Okta"):
        assert name(unchanged) == unchanged

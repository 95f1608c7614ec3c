"""Scenarios as rich renderables: the list, one scenario's architecture as a tree (with
its policies syntax-highlighted), and check results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from policy_engine.scenario.api import Scenario
from policy_engine.scenario.checks import CheckResult


def render_list(scenarios: Sequence[Scenario]) -> RenderableType:
    table = Table(box=None, pad_edge=False)
    for column in ("name", "topic", "title"):
        table.add_column(column)
    for scenario in scenarios:
        table.add_row(scenario.name, scenario.topic, scenario.title)
    return table


def _policy(document: Any) -> Syntax:
    return Syntax(json.dumps(document, indent=2), "json", background_color="default",
                  word_wrap=True)


def _principals(tree: Tree, details: dict[str, Any]) -> None:
    for kind, items, name_key in (("user", "UserDetailList", "UserName"),
                                  ("role", "RoleDetailList", "RoleName")):
        for item in details.get(items, []):
            node = tree.add(Text(f"{kind}/{item[name_key]}", style="bold"))
            if "AssumeRolePolicyDocument" in item:
                node.add(Text("trust policy")).add(_policy(item["AssumeRolePolicyDocument"]))
            for policy in item.get(f"{kind.capitalize()}PolicyList", []):
                node.add(f"inline policy {policy['PolicyName']}").add(
                    _policy(policy["PolicyDocument"]))


def render_show(scenario: Scenario) -> RenderableType:
    snapshot = scenario.snapshot()
    tree = Tree(Text(f"{scenario.name}: {scenario.title}", style="bold"))
    for account in snapshot.get("accounts", []):
        node = tree.add(Text(f"account {account['id']} ({account.get('name', '')})",
                             style="cyan"))
        details = account.get("authorization_details")
        if isinstance(details, dict):
            _principals(node, details)
    resources = snapshot.get("resources", {})
    for kind, items in resources.items():
        for item in items:
            label = item.get("arn") or item.get("name", "?")
            node = tree.add(Text(f"{kind[:-1].replace('_', ' ')} {label}", style="magenta"))
            if item.get("policy") is not None:
                node.add(Text("resource policy")).add(_policy(item["policy"]))
            for grant in item.get("grants", []):
                node.add(f"grant {grant.get('Name', grant.get('GrantId'))}: "
                         f"{', '.join(grant.get('Operations', []))} for "
                         f"{grant.get('GranteePrincipal')}")
    extra = getattr(scenario, "describe", None)
    parts: list[RenderableType] = [Text(scenario.summary), tree]
    if callable(extra):
        parts.append(extra())
    return Group(*parts)


def render_checks(results: Sequence[CheckResult]) -> RenderableType:
    lines: list[RenderableType] = []
    for result in results:
        mark = Text("pass ", style="bold green") if result.passed else Text(
            "FAIL ", style="bold red")
        mark.append(f"{result.scenario}: {result.name}")
        if result.error:
            mark.append(f"  could not run: {result.reason}", style="red")
        elif not result.passed:
            mark.append(f"  expected {result.expected}, got {result.actual} "
                        f"({result.reason})")
        lines.append(mark)
    passed = sum(r.passed for r in results)
    lines.append(Text(f"\n{passed}/{len(results)} checks pass",
                      style="bold green" if passed == len(results) else "bold red"))
    return Group(*lines)

"""`policy-engine demo`: the main job on the bundled example environment."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from policy_engine.cli.exit_codes import ExitCode


class DemoFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def demo(
    output_format: Annotated[DemoFormat, typer.Option(
        "--format", help="text (explanation trees) or json (one object per line).")
    ] = DemoFormat.TEXT,
) -> None:
    """Run the bundled what-if checks and explain every decision."""
    from policy_engine.demo import run_demo, run_org_demo

    checks = list(run_demo())
    org = run_org_demo()
    if output_format is DemoFormat.JSON:
        from policy_engine.formatters import accounts_json

        for check in checks:
            print(json.dumps({"check": check.name, "title": check.title,
                              "expected": check.expected.value, **check.result.to_dict()}))
        print(json.dumps(json.loads(accounts_json.render_check(org.checks))))
    else:
        from rich.console import Console
        from rich.rule import Rule

        from policy_engine.formatters import decision_text

        console = Console()
        for check in checks:
            console.print(Rule(check.title, align="left"))
            console.print(decision_text.render(check.result))
        agreeing = sum(c.as_expected for c in checks)
        console.print(f"\n{agreeing}/{len(checks)} decisions match what the AWS documentation "
                      "states for these cases.\n")
        from policy_engine.formatters import accounts_text

        console.print(Rule("A three-account organization (policy_engine/examples/org)",
                           align="left"))
        console.print(accounts_text.render_check(org.checks))
        console.print(accounts_text.render_who_can(
            "s3:GetObject", "arn:aws:s3:::example-public-website/index.html",
            org.public_readers))
        console.print(accounts_text.render_assume_paths(org.start, org.paths))
    if not all(c.as_expected for c in checks) or not org.checks.passed:
        raise typer.Exit(ExitCode.CHECK_FAILED)

"""`policy-engine demo`: the main job on the bundled example environment."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from policy_engine.cli.app import EXIT_CHECK_FAILED, app
from policy_engine.demo import run_demo


@app.command()
def demo(
    output_format: Annotated[str, typer.Option(
        "--format", help="text (explanation trees) or json (one object per check).")] = "text",
) -> None:
    """Run the bundled what-if checks and explain every decision."""
    checks = list(run_demo())
    if output_format == "json":
        for check in checks:
            print(json.dumps({"check": check.name, "title": check.title,
                              "expected": check.expected.value, **check.result.to_dict()}))
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
                      "states for these cases.")
    if not all(c.as_expected for c in checks):
        raise typer.Exit(EXIT_CHECK_FAILED)

"""`formatters.tables`: what a cell or title holds is printed as it is."""

from __future__ import annotations

import io

from rich.console import Console

from policy_engine.formatters import tables

LITERAL = ("arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
           "cases/[bold]prod[/bold]/a.json")


def test_cells_and_titles_are_neither_markup_nor_emoji() -> None:
    table = tables.table(f"on {LITERAL[0]}", "a", "b")
    tables.add_row(table, *LITERAL)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert f"on {LITERAL[0]}" in text
    assert all(value in text for value in LITERAL)

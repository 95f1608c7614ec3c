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


def _lines(renderable: object, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_packed_words_fill_lines_and_fold_a_word_no_line_holds() -> None:
    words = ["s3:GetObject", "s3:GetObjectAcl", "x" * 40, "s3:Y"]
    assert _lines(tables.PackedWords("  Read (4): ", words), 30) == [
        "  Read (4): s3:GetObject", "    s3:GetObjectAcl", "    " + "x" * 26,
        "    " + "x" * 14 + " s3:Y"]
    assert _lines(tables.PackedWords("", ["a", "b"]), 10) == ["a b"]


def test_packed_words_fold_a_label_wider_than_the_console() -> None:
    assert _lines(tables.PackedWords("a-label-of-twenty-c: ", ["s3:Get"]), 12) == [
        "a-label-of-t", "wenty-c: ", "    s3:Get"]

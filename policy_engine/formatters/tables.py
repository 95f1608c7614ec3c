"""Rich tables for the text formatters: identifiers fold, and are never read as markup.

Every column folds what does not fit onto the next lines (`overflow="fold"`), so no ARN,
action or policy name is cut short with `…` on a narrow terminal. Every title and cell is
a `Text`, never a string rich would interpret: as markup, `[x]` in a name would vanish and
as an emoji code, the `:secret:` in a Secrets Manager ARN would become a picture.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text


def table(title: str, *columns: str) -> Table:
    made = Table(title=Text(title))
    for column in columns:
        made.add_column(column, overflow="fold")
    return made


def add_row(into: Table, *cells: str | Text) -> None:
    into.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells))

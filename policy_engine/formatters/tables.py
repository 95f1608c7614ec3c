"""Rich tables and paragraphs for the text formatters: identifiers fold, and are never
read as markup.

Every column folds what does not fit onto the next lines (`overflow="fold"`), so no ARN,
action or policy name is cut short with `…` on a narrow terminal. Every title and cell is
a `Text`, never a string rich would interpret: as markup, `[x]` in a name would vanish and
as an emoji code, the `:secret:` in a Secrets Manager ARN would become a picture.
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text


def table(title: str, *columns: str) -> Table:
    made = Table(title=Text(title))
    for column in columns:
        made.add_column(column, overflow="fold")
    return made


def add_row(into: Table, *cells: str | Text) -> None:
    into.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells))


class PackedWords:
    """`label`, then `words` packed greedily into lines as wide as the console.

    Lines after the first are indented by `indent`; a word wider than a line is folded onto
    the next lines, never cut short. Much faster than a table cell or `Text.wrap` for
    thousands of words (what-can lists some 20,000 action names): each word is measured
    once and each line is one segment.
    """

    def __init__(self, label: str, words: list[str], *, indent: int = 4) -> None:
        self.label = label
        self.words = words
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, self.indent + 1)
        margin = " " * self.indent
        *full, label = chop_cells(self.label, width) if self.label else [""]
        for piece in full:  # a label wider than the console folds too
            yield Segment(piece)
            yield Segment.line()
        yield Segment(label)
        used = cell_len(label)
        fresh = not self.label  # nothing on this line yet but its margin
        line: list[str] = []
        for word in self.words:
            size = cell_len(word)
            if not fresh and used + bool(line) + size > width:
                yield Segment(" ".join(line))
                yield Segment.line()
                yield Segment(margin)
                line, used, fresh = [], self.indent, True
            if size > width - used:  # only on a fresh line: no line can hold it
                *full, word = chop_cells(word, width - used)
                for piece in full:
                    yield Segment(piece)
                    yield Segment.line()
                    yield Segment(margin)
                size = cell_len(word)
            used += bool(line) + size
            line.append(word)
            fresh = False
        yield Segment(" ".join(line))
        yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(word) for word in self.words), default=0)
        return Measurement(min(self.indent + longest, options.max_width), options.max_width)

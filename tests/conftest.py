"""Fixtures shared by the formatter and CLI tests, and the hypothesis profiles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import settings

# The test command replays the same examples on every run, so main's CI cannot turn red
# on a draw no change caused; `--hypothesis-profile explore` draws afresh (and the local
# example database replays what it finds) to hunt for new counterexamples.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("ci")

AssertWhole = Callable[[list[str], str], None]


def readable(text: str) -> str:
    """A rich rendering with each table column's lines joined and whitespace removed.

    One line per column of each table, then the lines outside tables (titles, captions)
    joined the same way: an identifier folded in its cell reads whole again.
    """
    columns: dict[tuple[int, int], list[str]] = {}
    outside: list[str] = []
    table = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped[:1] in ("┏", "┌"):
            table += 1
        separator = "┃" if stripped[:1] == "┃" else "│" if stripped[:1] == "│" else None
        if separator is None:
            outside.append(stripped)
            continue
        for index, cell in enumerate(stripped.split(separator)[1:-1]):
            columns.setdefault((table, index), []).append(cell)
    return "\n".join(["".join("".join(lines).split()) for lines in columns.values()]
                     + ["".join("".join(outside).split())])


@pytest.fixture(scope="session")
def assert_whole() -> AssertWhole:
    """Asserts that a rendering shows every identifier whole (folded is fine) and no `…`."""

    def check(identifiers: list[str], text: str) -> None:
        assert "…" not in text
        joined = readable(text)
        missing = [name for name in identifiers if "".join(name.split()) not in joined]
        assert not missing, f"cut short or missing: {missing}\n{text}"

    return check

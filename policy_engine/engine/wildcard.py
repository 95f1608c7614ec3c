"""IAM wildcard matching (`*` any run, `?` one character) without regular expressions.

A pattern is split once, at compile time, into the literal chunks between its `*`s. Matching
anchors the first chunk at the start and the last at the end, then places every middle
chunk at its leftmost possible position. Leftmost placement is always safe for `*`-globs,
so no backtracking is ever needed: the work is one forward scan of the input per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Literal text in which the positions in `any_char_at` match any single character."""

    text: str
    any_char_at: tuple[int, ...] = ()

    def matches_at(self, subject: str, start: int) -> bool:
        if not self.any_char_at:
            return subject.startswith(self.text, start)
        if start + len(self.text) > len(subject):
            return False
        wild = self.any_char_at
        return all(
            i in wild or subject[start + i] == ch for i, ch in enumerate(self.text)
        )

    def find(self, subject: str, start: int, stop: int) -> int:
        """Leftmost position p in [start, stop] where the chunk matches, or -1."""
        if not self.any_char_at:
            return subject.find(self.text, start, stop + len(self.text))
        anchor, anchor_at = self._longest_literal_piece()
        if not anchor:
            return start if start <= stop else -1
        probe = start + anchor_at
        while True:
            found = subject.find(anchor, probe, stop + anchor_at + len(anchor))
            if found < 0:
                return -1
            candidate = found - anchor_at
            if self.matches_at(subject, candidate):
                return candidate
            probe = found + 1

    def _longest_literal_piece(self) -> tuple[str, int]:
        best, best_at, run_start = "", 0, 0
        for i in range(len(self.text) + 1):
            if i == len(self.text) or i in self.any_char_at:
                if i - run_start > len(best):
                    best, best_at = self.text[run_start:i], run_start
                run_start = i + 1
        return best, best_at


@dataclass(frozen=True, slots=True)
class WildcardPattern:
    """A compiled IAM wildcard pattern. Build with `compile_wildcard` or `compile_parts`."""

    source: str
    chunks: tuple[_Chunk, ...]
    has_star: bool

    @property
    def is_literal(self) -> bool:
        return not self.has_star and not self.chunks[0].any_char_at

    @property
    def matches_everything(self) -> bool:
        return self.has_star and all(not c.text for c in self.chunks)

    def matches(self, subject: str) -> bool:
        chunks = self.chunks
        if not self.has_star:
            only = chunks[0]
            return len(subject) == len(only.text) and only.matches_at(subject, 0)
        first, last = chunks[0], chunks[-1]
        end_of_last = len(subject) - len(last.text)
        if end_of_last < len(first.text):
            return False
        if not first.matches_at(subject, 0) or not last.matches_at(subject, end_of_last):
            return False
        position = len(first.text)
        for middle in chunks[1:-1]:
            found = middle.find(subject, position, end_of_last - len(middle.text))
            if found < 0:
                return False
            position = found + len(middle.text)
        return True


def compile_wildcard(pattern: str, *, ignore_case: bool = False) -> WildcardPattern:
    """Compile a pattern in which every `*` and `?` is a wildcard."""
    return compile_parts([(pattern, False)], ignore_case=ignore_case, source=pattern)


def compile_parts(
    parts: Iterable[tuple[str, bool]], *, ignore_case: bool = False, source: str | None = None
) -> WildcardPattern:
    """Compile from (text, is_literal) parts; literal parts give `*` and `?` no meaning.

    Policy variables need this: `${*}` stands for a literal asterisk inside a pattern.
    """
    chunks: list[_Chunk] = []
    text: list[str] = []
    any_at: list[int] = []
    has_star = False
    joined: list[str] = []
    for part, literal in parts:
        if ignore_case:
            part = part.lower()
        joined.append(part)
        if literal:
            text.append(part)
            continue
        for ch in part:
            if ch == "*":
                chunks.append(_Chunk("".join(text), tuple(any_at)))
                text, any_at, has_star = [], [], True
            elif ch == "?":
                any_at.append(sum(map(len, text)))
                text.append(ch)
            else:
                text.append(ch)
    chunks.append(_Chunk("".join(text), tuple(any_at)))
    return WildcardPattern("".join(joined) if source is None else source, tuple(chunks), has_star)


def reference_match(pattern: str, subject: str) -> bool:
    """Slow, obviously-correct matcher used only by tests as an oracle."""
    table = [[False] * (len(subject) + 1) for _ in range(len(pattern) + 1)]
    table[0][0] = True
    for i, p in enumerate(pattern, 1):
        table[i][0] = table[i - 1][0] and p == "*"
        for j, s in enumerate(subject, 1):
            if p == "*":
                table[i][j] = table[i - 1][j] or table[i][j - 1]
            else:
                table[i][j] = table[i - 1][j - 1] and (p == "?" or p == s)
    return table[len(pattern)][len(subject)]

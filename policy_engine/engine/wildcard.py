"""IAM wildcard matching (`*` any run, `?` one character) without regular expressions.

A pattern is split once, at compile time, into the literal chunks between its `*`s. Matching
anchors the first chunk at the start and the last at the end, then places every middle
chunk at its leftmost possible position. Leftmost placement is always safe for `*`-globs,
so no backtracking is ever needed: the work is one forward scan of the input per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Literal text in which the positions in `any_char_at` match any single character."""

    text: str
    any_char_at: tuple[int, ...] = ()
    # Derived once: the literal runs between `?`s, and the shift-and tables for `find`.
    runs: tuple[tuple[int, str], ...] = field(init=False, repr=False, compare=False)
    masks: dict[str, int] = field(init=False, repr=False, compare=False)
    any_mask: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.any_char_at:  # plain text: str methods do all the work
            object.__setattr__(self, "runs", ((0, self.text),) if self.text else ())
            object.__setattr__(self, "masks", {})
            object.__setattr__(self, "any_mask", 0)
            return
        runs: list[tuple[int, str]] = []
        start = 0
        for cut in (*self.any_char_at, len(self.text)):
            if cut > start:
                runs.append((start, self.text[start:cut]))
            start = cut + 1
        any_mask = sum(1 << i for i in self.any_char_at)
        masks: dict[str, int] = {}
        for i, ch in enumerate(self.text):
            if i not in self.any_char_at:
                masks[ch] = masks.get(ch, any_mask) | (1 << i)
        object.__setattr__(self, "runs", tuple(runs))
        object.__setattr__(self, "masks", masks)
        object.__setattr__(self, "any_mask", any_mask)

    def matches_at(self, subject: str, start: int) -> bool:
        if not self.any_char_at:
            return subject.startswith(self.text, start)
        if start + len(self.text) > len(subject):
            return False
        return all(subject.startswith(run, start + offset) for offset, run in self.runs)

    def find(self, subject: str, start: int, stop: int) -> int:
        """Leftmost position p in [start, stop] where the chunk matches, or -1."""
        if stop < start:
            return -1
        if not self.any_char_at:
            return subject.find(self.text, start, stop + len(self.text))
        return self._shift_and(subject, start, stop)

    def _shift_and(self, subject: str, start: int, stop: int) -> int:
        # Bit-parallel matching: one pass over the subject whatever the chunk holds, so a
        # chunk full of `?` costs the same per character as a literal one.
        width = len(self.text)
        if width == 0:
            return start
        done = 1 << (width - 1)
        masks, any_mask = self.masks, self.any_mask
        state = 0
        for position in range(start, stop + width):
            state = ((state << 1) | 1) & masks.get(subject[position], any_mask)
            if state & done:
                return position - width + 1
        return -1


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


@lru_cache(maxsize=65536)
def compile_wildcard(pattern: str, *, ignore_case: bool = False) -> WildcardPattern:
    """Compile a pattern in which every `*` and `?` is a wildcard.

    Patterns are immutable and policies repeat them (`s3:GetObject`, `*`), so each
    distinct one is compiled once per process.
    """
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

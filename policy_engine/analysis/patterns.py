"""Wildcard patterns compared as languages: inclusion and intersection of IAM globs.

IAM patterns use `*` (any run of characters, none included) and `?` (any one
character); a `*` may match across `:` and `/` (the Resource page, "Using wildcards in
resource ARNs": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
and the Action page for actions: reference_policies_elements_action.html). Matching
is over any string, so the alphabet is unbounded.

`pattern_includes(general, specific)` answers "is every string `specific` matches also
matched by `general`?" without regular expressions and without backtracking:

1. Every character a wildcard of `specific` produces can be a fresh character `z` that
   occurs in neither pattern: if `general` matches that word, it matches every word with
   other characters there (the positions `z` sits on are wildcards of `general`). So only
   the words `C0 z^n1 C1 … z^nm Cm` matter (`Ci`: the text between the stars of
   `specific`, its `?` written as `z`).
2. A run of more than `len(general)` `z`s leaves `general`'s matcher in the same state
   set as any longer run, and a run is either empty or that long in a word `general`
   rejects if any is (the property tests check this against every run length). So each
   star of `specific` is tried as empty or as "long".
3. After a long run the matcher's state set depends only on the last star of `general`
   it reached, so a walk over (star of `specific`, state set) meets at most
   (m + 1) x (k + 1) states, each read in O(|specific| x |general|): polynomial time.

`patterns_include(generals, specific)` is the same walk over a union (every word must
be matched by at least one of them), with every run length up to "long" tried: in a
union one pattern may match the short runs and another the long ones (`""` and `????*`
together leave the lengths 1 to 3 of `*` unmatched). The walk remembers each (star,
state sets) pair it has met, so nothing is explored twice; for a union the number of
such pairs is not bounded as tightly as for one pattern, but policies name few patterns.
`patterns_intersect(a, b)` decides whether some
string matches both (reachability in the product of the two matchers, O(|a| x |b|)).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

StateSet = frozenset[int]


def _closure(pattern: str, states: Iterable[int]) -> StateSet:
    """The states reachable without reading: a `*` may match nothing."""
    out: set[int] = set()
    for state in states:
        while True:
            out.add(state)
            if state < len(pattern) and pattern[state] == "*":
                state += 1
            else:
                break
    return frozenset(out)


def _step(pattern: str, states: StateSet, char: str) -> StateSet:
    moved: list[int] = []
    for state in states:
        if state >= len(pattern):
            continue
        symbol = pattern[state]
        if symbol == "*":
            moved.append(state)
        elif symbol == "?" or symbol == char:
            moved.append(state + 1)
    return _closure(pattern, moved)


def _read(pattern: str, states: StateSet, text: str) -> StateSet:
    for char in text:
        if not states:
            break
        states = _step(pattern, states, char)
    return states


def _fresh(*patterns: str) -> str:
    """A character that occurs in none of the patterns (the private-use area has 6,400)."""
    used = set().union(*patterns)
    return next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in used)


@lru_cache(maxsize=65536)
def _union_includes(generals: tuple[str, ...], specific: str) -> bool:
    if not generals:
        return False
    fresh = _fresh(specific, *generals)
    pieces = specific.replace("?", fresh).split("*")
    long_run = fresh * (max(len(g) for g in generals) + 1)
    start = tuple(_closure(g, (0,)) for g in generals)
    seen: set[tuple[int, tuple[StateSet, ...]]] = set()
    pending = [(0, start)]
    while pending:
        index, sets = pending.pop()
        if (index, sets) in seen:
            continue
        seen.add((index, sets))
        sets = tuple(_read(g, s, pieces[index]) for g, s in zip(generals, sets, strict=True))
        if not any(sets):
            return False  # no pattern can still match any word that starts this way
        if index == len(pieces) - 1:
            if not any(len(g) in s for g, s in zip(generals, sets, strict=True)):
                return False
            continue
        pending.append((index + 1, sets))  # the star matches nothing
        if len(generals) == 1:
            pending.append((index + 1, tuple(_read(g, s, long_run)
                                             for g, s in zip(generals, sets, strict=True))))
            continue
        # A union: one pattern may take the short runs and another the long ones, so
        # every run length up to "long" is a case of its own.
        for _ in long_run:
            sets = tuple(_step(g, s, fresh) for g, s in zip(generals, sets, strict=True))
            pending.append((index + 1, sets))
    return True


@lru_cache(maxsize=65536)
def pattern_includes(general: str, specific: str, *, ignore_case: bool = False) -> bool:
    """Whether every string `specific` matches is matched by `general`; `ignore_case`
    compares without case (IAM matches action names so: the Action element page)."""
    if ignore_case:
        general, specific = general.lower(), specific.lower()
    if general == specific or _matches_everything(general):
        return True
    return _union_includes((general,), specific)


def canonical_pattern(pattern: str) -> str:
    """The pattern with each run of wildcards written as its `?`s then one `*` (when the
    run has a `*`): the same language, one spelling."""
    if "?" not in pattern and "**" not in pattern:
        return pattern  # every run is a lone `*` already (nearly every pattern)
    out: list[str] = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch not in "*?":
            out.append(ch)
            index += 1
            continue
        end = index
        while end < len(pattern) and pattern[end] in "*?":
            end += 1
        run = pattern[index:end]
        out.append("?" * run.count("?") + ("*" if "*" in run else ""))
        index = end
    return "".join(out)




def patterns_include(generals: Sequence[str], specific: str) -> bool:
    """Whether every string `specific` matches is matched by at least one of `generals`."""
    if any(g == specific or _matches_everything(g) for g in generals):
        return True
    return _union_includes(tuple(sorted(set(generals))), specific)


def _matches_everything(pattern: str) -> bool:
    return bool(pattern) and set(pattern) == {"*"}


@lru_cache(maxsize=65536)
def patterns_intersect(first: str, second: str) -> bool:
    """Whether some string matches both patterns."""
    start = (0, 0)
    seen = {start}
    pending = [start]
    end = (len(first), len(second))
    while pending:
        i, j = pending.pop()
        if (i, j) == end:
            return True
        moves: list[tuple[int, int]] = []
        a = first[i] if i < len(first) else None
        b = second[j] if j < len(second) else None
        if a == "*":
            moves.append((i + 1, j))  # the star matches nothing more
        if b == "*":
            moves.append((i, j + 1))
        if a is not None and b is not None and (a in "*?" or b in "*?" or a == b):
            moves.append((i if a == "*" else i + 1, j if b == "*" else j + 1))
        for move in moves:
            if move not in seen:
                seen.add(move)
                pending.append(move)
    return False


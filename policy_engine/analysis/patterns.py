"""Inclusion between IAM wildcard patterns: is every string one pattern matches also
matched by another?

IAM patterns (Action, Resource, condition values of `...Like` operators) use `*` for any
run of characters and `?` for one character. `pattern_includes(general, specific)` answers
"L(specific) ⊆ L(general)" soundly, in time linear in the patterns' length (one run of the
engine's backtrack-free matcher, `engine.wildcard`):

- it is never True when some string matches `specific` but not `general` (callers that
  report "covered" or "no new access" may rely on a True);
- it is exact when `general` has no `?` (nearly every policy pattern), and when `specific`
  has no wildcard at all (then it is plain matching).

Why it is exact without `?` in `general`: write `specific` with each `*` replaced by a
character `general` cannot contain (and each `?` by another). That string is one of
`specific`'s strings, so if `general` fails to match it, inclusion fails. If `general` does
match it, every stand-in character was absorbed by a `*` of `general` (no literal of
`general` can be a stand-in), and a `*` absorbs whatever the stand-in is replaced with, so
every string of `specific` matches. With `?` in `general` the same symbolic match is still
sound (a `?` of `general` may take a literal or a `?` of `specific`, never a `*`), but it can
miss an inclusion that needs a `?` to meet a run of `*`s; runs of wildcards are written in
one canonical order first (`?`s, then one `*`: `*?` and `?*` are the same language) so the
common cases still succeed. Deciding every case exactly is coNP-hard, which no linter
should pay for.
"""

from __future__ import annotations

from functools import lru_cache

from policy_engine.engine.wildcard import compile_wildcard

# Stand-ins for the specific pattern's wildcards: private-use characters, which IAM policy
# text cannot contain (it is limited to tab, LF, CR and U+0020–U+00FF).
_STAR_STAND_IN = "\ue000"
_ANY_STAND_IN = "\ue001"


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


@lru_cache(maxsize=65536)
def pattern_includes(general: str, specific: str, *, ignore_case: bool = False) -> bool:
    """Whether every string `specific` matches is also matched by `general` (see the module
    page: sound always, exact when `general` has no `?`). Actions compare with
    `ignore_case=True`; resources are case-sensitive."""
    if ignore_case:
        general, specific = general.lower(), specific.lower()
    if general == specific or (general.strip("*") == "" and general):
        return True
    if not any(c in specific for c in "*?"):
        return compile_wildcard(general).matches(specific)  # plain matching: exact
    if not any(c in general for c in "*?"):
        return False  # one string cannot hold all of a wildcard pattern's strings
    general, specific = canonical_pattern(general), canonical_pattern(specific)
    if _STAR_STAND_IN in general or _ANY_STAND_IN in general:
        return general == specific
    # Without `?` in `general` the engine's matcher decides exactly; with one, a `?` must
    # not take the `*` stand-in, which `_symbolic_match` enforces.
    subject = specific.replace("*", _STAR_STAND_IN).replace("?", _ANY_STAND_IN)
    if "?" not in general:
        return compile_wildcard(general).matches(subject)
    return _symbolic_match(general, subject)


def _symbolic_match(general: str, subject: str) -> bool:
    """`general` (with `?`) against `subject` (the specific pattern with stand-ins), where
    a `?` may take anything but the `*` stand-in.

    `general` is canonical, so every `?` next to a `*` stands just before it: such `?`s
    only ask the gap the `*` fills to hold that many characters, and a `*` of `specific`
    counts for none. Each chunk between `*`s is then placed at its leftmost fit after the
    gap's minimum, which is safe for fixed-length chunks (as in the engine's matcher):
    no backtracking."""
    chunks = general.split("*")
    if len(chunks) == 1:
        return len(general) == len(subject) and _chunk_fits(general, subject, 0)
    fixed = [chunk.rstrip("?") for chunk in chunks[:-1]]
    gaps = [len(chunk) - len(part) for chunk, part in zip(chunks, fixed, strict=False)]
    last = chunks[-1]
    end_of_last = len(subject) - len(last)
    if end_of_last < len(fixed[0]) or not _chunk_fits(fixed[0], subject, 0):
        return False
    if not _chunk_fits(last, subject, end_of_last):
        return False
    position = len(fixed[0])
    for index in range(1, len(fixed)):
        earliest = _after_characters(subject, position, gaps[index - 1])
        if earliest < 0:
            return False
        found = _find_chunk(fixed[index], subject, earliest, end_of_last - len(fixed[index]))
        if found < 0:
            return False
        position = found + len(fixed[index])
    earliest = _after_characters(subject, position, gaps[-1])
    return 0 <= earliest <= end_of_last


def _after_characters(subject: str, start: int, count: int) -> int:
    """The first position at which `count` characters of `subject` from `start` (a `*`
    stand-in counting for none) lie behind; -1 when there are not that many."""
    position = start
    while count:
        if position >= len(subject):
            return -1
        if subject[position] != _STAR_STAND_IN:
            count -= 1
        position += 1
    return position


def _takes(pattern_char: str, seen: str) -> bool:
    return seen != _STAR_STAND_IN if pattern_char == "?" else pattern_char == seen


def _chunk_fits(chunk: str, subject: str, start: int) -> bool:
    if start + len(chunk) > len(subject):
        return False
    return all(_takes(ch, subject[start + offset]) for offset, ch in enumerate(chunk))


def _find_chunk(chunk: str, subject: str, start: int, stop: int) -> int:
    """Leftmost position p in [start, stop] where the chunk fits, or -1: one bit-parallel
    (shift-and) pass over the subject, so the cost is linear whatever the chunk holds."""
    if stop < start:
        return -1
    if not chunk:
        return start
    if "?" not in chunk:
        return subject.find(chunk, start, stop + len(chunk))
    any_mask = sum(1 << i for i, ch in enumerate(chunk) if ch == "?")
    masks: dict[str, int] = {_STAR_STAND_IN: 0}
    for i, ch in enumerate(chunk):
        if ch != "?":
            masks[ch] = masks.get(ch, any_mask) | (1 << i)
    done = 1 << (len(chunk) - 1)
    state = 0
    for position in range(start, stop + len(chunk)):
        state = ((state << 1) | 1) & masks.get(subject[position], any_mask)
        if state & done:
            return position - len(chunk) + 1
    return -1

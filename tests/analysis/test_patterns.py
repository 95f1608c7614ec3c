"""Wildcard-pattern inclusion and intersection against brute force on small alphabets."""

from __future__ import annotations

import itertools
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine.analysis.patterns import (
    pattern_includes,
    patterns_include,
    patterns_intersect,
)
from policy_engine.engine.wildcard import reference_match

patterns = st.text(alphabet="ab?*", max_size=5)
short_patterns = st.text(alphabet="ab?*", max_size=4)


def _words(specific: str, runs: tuple[int, ...]) -> str:
    """`specific` with its `?` as the fresh `z` and its stars as runs of `z`."""
    out, star = [], 0
    for char in specific:
        if char == "*":
            out.append("z" * runs[star])
            star += 1
        else:
            out.append("z" if char == "?" else char)
    return "".join(out)


def every_run_length(generals: list[str], specific: str) -> bool:
    """Oracle: every word of `specific` with fresh characters and every run length up
    to one past the longest general (longer runs act alike) is matched by a general."""
    limit = max((len(g) for g in generals), default=0) + 1
    return all(any(reference_match(g, _words(specific, runs)) for g in generals)
               for runs in itertools.product(range(limit + 1), repeat=specific.count("*")))


def brute_counterexample(general: str, specific: str, length: int = 4) -> str | None:
    for size in range(length + 1):
        for letters in itertools.product("abc", repeat=size):
            word = "".join(letters)
            if reference_match(specific, word) and not reference_match(general, word):
                return word
    return None


@settings(max_examples=300, deadline=None)
@given(patterns, patterns)
def test_inclusion_matches_every_run_length(general: str, specific: str) -> None:
    assert pattern_includes(general, specific) == every_run_length([general], specific)


@settings(max_examples=300, deadline=None)
@given(patterns, patterns)
def test_a_short_counterexample_means_not_included(general: str, specific: str) -> None:
    found = brute_counterexample(general, specific)
    if found is not None:
        assert not pattern_includes(general, specific), found


@settings(max_examples=150, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=3), patterns)
def test_union_inclusion_matches_every_run_length(generals: list[str], specific: str) -> None:
    assert patterns_include(generals, specific) == every_run_length(generals, specific)


@settings(max_examples=200, deadline=None)
@given(short_patterns, short_patterns)
def test_intersection_matches_brute_force(first: str, second: str) -> None:
    longest = len(first) + len(second)
    # A common word, if any, needs at most every literal of both: z stands for the rest.
    expected = any(reference_match(first, "".join(w)) and reference_match(second, "".join(w))
                   for size in range(longest + 1)
                   for w in itertools.product("abz", repeat=size))
    assert patterns_intersect(first, second) == expected


def test_examples() -> None:
    assert pattern_includes("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/logs/*")
    assert not pattern_includes("arn:aws:s3:::bucket/logs/*", "arn:aws:s3:::bucket/*")
    assert pattern_includes("*?", "a*")  # a case split: the star empty or not
    assert pattern_includes("a?*", "a*?")
    assert not pattern_includes("a?*b", "a*b")  # `ab`
    assert patterns_include(["a", "a?*"], "a*")
    assert not patterns_include(["", "????**"], "*")  # lengths 1 to 3 escape
    assert patterns_include(["", "?", "??", "???", "????**"], "*")
    assert not patterns_intersect("a*", "b*")
    assert patterns_intersect("*x", "x*")


def _calls_to_decide(size: int) -> int:
    """Python calls made to decide inclusion both ways and intersection for patterns of
    `size` star groups: a count, so machine load cannot change it."""
    general = "*a*" * size + "?" * size
    specific = "a*" * (2 * size)
    calls = 0

    def count(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        pattern_includes(general, specific)
        pattern_includes(specific, general)
        patterns_intersect(general, specific)
    finally:
        sys.setprofile(None)
    return calls


def test_pathological_patterns_take_polynomial_work() -> None:
    """Doubling the star groups at most multiplies the work by 2**4: a backtracking
    matcher's work would grow exponentially on these patterns."""
    small, large = _calls_to_decide(15), _calls_to_decide(30)
    assert large <= 16 * small

"""Pattern inclusion as the lint rules use it: case-insensitive actions, canonical
spellings, and agreement with the engine's reference matcher."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine.analysis.patterns import canonical_pattern, pattern_includes
from policy_engine.engine.wildcard import reference_match

PATTERN = st.text(alphabet="ab*?", max_size=7)


@pytest.mark.parametrize(("general", "specific", "included"), [
    ("*", "", True),
    ("*", "arn:aws:s3:::bucket/*", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/logs/*", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket*", False),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
    ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket", True),
    ("a*", "*", False),
    ("*a*", "*a?*", True),
    ("*a*b*", "*ab*", True),
    ("*ab*", "*a*b*", False),
    ("a?c", "abc", True),
    ("a?c", "a?c", True),
    ("a?c", "a*c", False),
    ("*?", "*a", True),
    ("?*", "*", False),
    ("a*?", "a?*", True),
    ("x*?y", "x*ay", True),
    ("x*?y", "x*y", False),
    ("*??*", "*a*", False),
    ("", "", True),
    ("a", "", False),
])
def test_examples(general: str, specific: str, included: bool) -> None:
    assert pattern_includes(general, specific) is included


def test_actions_compare_without_case() -> None:
    assert pattern_includes("s3:Get*", "S3:GETOBJECT", ignore_case=True)
    assert not pattern_includes("s3:Get*", "S3:GETOBJECT")


def test_canonical_pattern_orders_each_wildcard_run() -> None:
    assert canonical_pattern("a*?*?b*") == "a??*b*"
    assert canonical_pattern("a?b") == "a?b"


def _instances(pattern: str, fill: str) -> str:
    return pattern.replace("*", fill).replace("?", fill[:1] or "a")


@settings(max_examples=400, deadline=None)
@given(PATTERN, PATTERN, st.sampled_from(["", "a", "b", "ab", "ba", "aab", "bba"]))
def test_included_means_every_instance_matches(general: str, specific: str,
                                               fill: str) -> None:
    """Soundness: when inclusion is claimed, strings drawn from `specific` match `general`."""
    if not pattern_includes(general, specific):
        return
    for star_fill in ("", fill, fill * 2):
        for any_char in "ab":
            instance = specific.replace("*", star_fill).replace("?", any_char)
            assert reference_match(general, instance), (general, specific, instance)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab*", max_size=7), PATTERN)
def test_not_included_without_question_mark_has_a_witness(general: str, specific: str) -> None:
    """Exactness without `?` in `general`: a refusal comes with a string of `specific`
    (its wildcards written as a character `general` never names) that `general` misses."""
    if pattern_includes(general, specific):
        return
    witness = specific.replace("*", "z").replace("?", "z")
    assert not reference_match(general, witness), (general, specific)


def test_small_patterns_agree_with_brute_force_when_general_has_no_question_mark() -> None:
    """Every pair of short `*`-only general and `*`/`?` specific patterns over {a, b}:
    inclusion holds exactly when no string of `specific` up to length 6 escapes."""
    strings = ["".join(p) for n in range(7) for p in itertools.product("abz", repeat=n)]
    generals = ["".join(p) for n in range(4) for p in itertools.product("ab*", repeat=n)]
    specifics = ["".join(p) for n in range(4) for p in itertools.product("ab*?", repeat=n)]
    for general in generals:
        for specific in specifics:
            escapes = any(reference_match(specific, s) and not reference_match(general, s)
                          for s in strings)
            assert pattern_includes(general, specific) is (not escapes), (general, specific)

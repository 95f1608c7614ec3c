"""The one bounded-memo type: its eviction rule and its `None`-means-unknown contract."""

from __future__ import annotations

import pytest

from policy_engine.memo import BoundedMemo


def test_a_memo_remembers_what_was_put() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(4)
    assert memo.get("a") is None
    assert memo.put("a", 1) == 1
    assert memo.get("a") == 1 and "a" in memo and len(memo) == 1


def test_a_full_memo_is_emptied_before_the_next_put() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(3)
    for key in range(3):
        memo.put(key, key * 10)
    assert len(memo) == 3
    memo.put(3, 30)
    assert len(memo) == 1 and memo.get(3) == 30 and memo.get(0) is None


def test_putting_a_known_key_again_in_a_full_memo_also_empties_it() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(2)
    memo.put(1, 1)
    memo.put(2, 2)
    memo.put(2, 3)
    assert len(memo) == 1 and memo.get(2) == 3


def test_a_memo_holds_at_least_one_entry() -> None:
    with pytest.raises(ValueError):
        BoundedMemo(0)

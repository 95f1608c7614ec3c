"""Bounded memos: the one type for remembering answers that are cheap to recompute.

Two kinds of memo exist in this package, and the rule for which is which is:

- `functools.lru_cache` on a pure module-level function whose arguments are the whole key
  (parsers and compilers of immutable values: wildcard patterns, condition values,
  principal ARNs, resource ARNs). The function *is* the memo; nothing else can fill it.
- `BoundedMemo` for every other memo: one held by an object (an evaluator's plans per
  action, its answers per resource, its deny verdicts), or one keyed by something other
  than a function's arguments (derived context keys keyed by the principal's text).

Eviction rule of `BoundedMemo`: when it holds `limit` entries and a new one is put, it is
emptied first. Entries are cheap to recompute and a workload's working set either fits
(then nothing is ever evicted) or it does not (then no rule keeps a useful subset for
long), and clearing keeps `get` a plain dict lookup on the evaluator's hot path.
`None` is the "not known" answer of `get`, so a memo never stores `None`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    """A dict of at most `limit` entries, emptied when a put would exceed that."""

    __slots__ = ("_entries", "get", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a memo holds at least one entry")
        self.limit = limit
        self._entries: dict[K, V] = {}
        # The bound method of the dict itself: the hot path pays for no Python call.
        self.get: Callable[[K], V | None] = self._entries.get

    def put(self, key: K, value: V) -> V:
        """Remember `value` for `key` and return it (emptying the memo first when full)."""
        entries = self._entries
        if len(entries) >= self.limit:
            entries.clear()
        entries[key] = value
        return value

    def get_or_build(self, key: K, build: Callable[[K], V]) -> V:
        found = self._entries.get(key)
        return found if found is not None else self.put(key, build(key))

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

"""Bounded memos: the one type for remembering answers that are cheap to recompute.

Two kinds of memo exist in this package, and the rule for which is which is:

- `functools.lru_cache` on a pure module-level function whose arguments are the whole key
  (parsers and compilers of immutable values: wildcard patterns, condition values,
  principal ARNs, resource ARNs; the statements of a compiled policy that can apply to
  an action). The function *is* the memo; nothing else can fill it.
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

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """A dict of at most `limit` entries, emptied when a put would exceed that.

    A dict itself, so `get` is the dict's own method on the hot path and a memo costs one
    allocation (evaluators make many). Write through `put`, which keeps the bound.
    """

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a memo holds at least one entry")
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        """Remember `value` for `key` and return it (emptying the memo first when full)."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

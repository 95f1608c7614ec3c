"""The size quota of the policy's kind, measured the way AWS measures it for that kind.

Measured only on a policy with no other problem (see `Scope.CLEAN` in the registry).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from policy_engine.model.kinds import KindRules, Quotas, SizeCount
from policy_engine.validation.view import DocumentView, Finding


def size_quota(document: DocumentView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    rule = rules.size
    if document.body is None or rule is None:
        return
    limit = rule.limit(quotas)
    size = measure_size(document.raw, document.text, rule.count)
    if size > limit:
        yield Finding("oversize", f"the policy is {size:,} {rule.count.value}; a "
                      f"{rules.title} may have at most {limit:,} ({rule.doc})", "")


def measure_size(raw: Any, text: str | None, count: SizeCount) -> int:
    """A policy's size as AWS counts it for `count`.

    IAM does not count white space (IAM quotas page): every character but space, tab, LF
    and CR is counted, wherever it is. Organizations counts every character; services
    that state bytes count UTF-8 bytes. Without the original JSON text (YAML input, or a
    value) the compact JSON form is measured, which is what would be uploaded at best.
    """
    written = text if text is not None else json.dumps(raw, separators=(",", ":"),
                                                       ensure_ascii=False)
    if count is SizeCount.NON_WHITESPACE:
        return len(written) - sum(written.count(c) for c in " \t\n\r")
    if count is SizeCount.BYTES:
        return len(written.encode("utf-8"))
    return len(written)

"""Values IAM never accepts wherever they appear: `null`, and characters outside its set.

Allowed characters (IAM-UG/reference_iam-quotas.html): tab, LF, CR and U+0020–U+00FF, in
keys as well as in values. The rule walks the whole value and runs first, so at any
pointer its finding is the one kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy_engine.errors import join_pointer
from policy_engine.model.kinds import DISALLOWED_CHARACTER, KindRules, Quotas
from policy_engine.validation.view import DocumentView, Finding
from policy_engine.validation.wording import clip, describe_char


def nulls_and_characters(document: DocumentView, rules: KindRules,
                         quotas: Quotas) -> Iterator[Finding]:
    """Every `null` and every string (key or value) holding a character IAM rejects."""
    stack: list[tuple[str, Any]] = [("", document.raw)]
    while stack:  # an explicit stack: a deep document must not exhaust Python's recursion
        pointer, value = stack.pop()
        if value is None:
            code = "malformed-condition" if "/Condition" in pointer else "wrong-type"
            yield Finding(code, "`null` is not a value a policy element takes", pointer)
        elif isinstance(value, str):
            if finding := _characters(value, pointer):
                yield finding
        elif isinstance(value, dict):
            for key, item in value.items():
                child = join_pointer(pointer, key)
                if finding := _characters(str(key), child):
                    yield finding
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((join_pointer(pointer, i), item) for i, item in enumerate(value))


def _characters(text: str, pointer: str) -> Finding | None:
    bad = DISALLOWED_CHARACTER.search(text)
    if bad is None:
        return None
    return Finding("invalid-character",
                   f"`{clip(text)}` contains {describe_char(bad.group())}; policies may "
                   "contain only tab, line feed, carriage return and characters U+0020 to "
                   "U+00FF", pointer)

"""Warnings, not problems: the strings of a valid policy that are outside the grammar.

A policy that passed every rule may still hold strings AWS evidently accepts although the
grammar has no place for them (`policy_engine.model.oddities`): an action with a space or
a hyphen, a condition key with no prefix. Each becomes a located warning on the parsed
policy; the rules in `actions.py` and `conditions.py` decide whether the kind accepts it.
Registered in `registry.WARNINGS`, run only on a policy with no problem.
"""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.errors import join_pointer
from policy_engine.model.kinds import KindRules, Quotas
from policy_engine.model.oddities import action_oddity, condition_key_oddity
from policy_engine.validation.view import DocumentView, Finding


def oddity_warnings(document: DocumentView, rules: KindRules,
                    quotas: Quotas) -> Iterator[Finding]:
    """Each odd action (`Action`, `NotAction`) and condition key, in document order."""
    for statement in document.statements:
        for element in ("Action", "NotAction"):
            for pointer, action in statement.items(element):
                oddity = action_oddity(action)
                if oddity is not None:
                    yield Finding("unusual-action", oddity.warning, pointer)
        block = statement.body.get("Condition")
        if not isinstance(block, dict):
            continue
        for operator, keys in block.items():
            if not isinstance(keys, dict):
                continue
            for key in keys:
                oddity = condition_key_oddity(key)
                if oddity is not None:
                    yield Finding("unusual-condition-key", oddity.warning,
                                  join_pointer(statement.at("Condition"), operator, key))

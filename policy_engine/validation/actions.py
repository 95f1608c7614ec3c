"""Rules about `Action` and `NotAction` values: action syntax, and a lone `*` per kind.

Syntax (action element page): `service:ActionName`, `*` and `?` allowed in the name, or
`*` alone; the pattern `ACTION` is shared with the JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy_engine.model.kinds import ACTION, KindRules, Quotas
from policy_engine.model.oddities import action_oddity
from policy_engine.validation.statement import is_rcp_full_access
from policy_engine.validation.view import Finding, StatementView
from policy_engine.validation.wording import a, clip

_ACTION = re.compile(ACTION)


def action_values(statement: StatementView, rules: KindRules,
                  quotas: Quotas) -> Iterator[Finding]:
    """Each action of `Action`, then of `NotAction`; RCPs may not Allow `*` alone."""
    for element in ("Action", "NotAction"):
        for pointer, action in statement.items(element):
            if action == "":
                yield Finding("empty-value", f"an empty string is not an action in `{element}`",
                              pointer)
            elif not _ACTION.fullmatch(action):
                yield from _odd_action(action, pointer, rules)
            elif (action == "*" and not rules.bare_star_action and element == "Action"
                  and not is_rcp_full_access(rules, statement.body)):
                yield Finding("kind-restriction", f"{a(rules.title)} cannot use `*` alone as "
                              "its action; name the service's actions", pointer)


def _odd_action(action: str, pointer: str, rules: KindRules) -> Iterator[Finding]:
    """An action outside the grammar: accepted (the warning comes from `oddities`) when
    AWS evidently takes it for this document, refused otherwise."""
    oddity = action_oddity(action)
    if oddity is not None and (rules.stored or not oddity.stored_only):
        return
    hint = ("; AWS accepts such strings only in documents it already stores (earlier AWS "
            "managed policy versions), not in a policy written now") if oddity else ""
    yield Finding("invalid-action", f"`{clip(action)}` is not an action: write "
                  "`service:ActionName` (wildcards `*` and `?` allowed) or `*`" + hint,
                  pointer)

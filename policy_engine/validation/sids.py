"""Sid rules: what a Sid may contain for the kind, and that no two statements share one.

IAM (identity, trust, Organizations policies) accepts ASCII letters and digits only;
resource policies accept any text without control characters (`SidRule`, Sid page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy_engine.errors import pointer_to_path
from policy_engine.model.kinds import SID_PATTERNS, KindRules, Quotas, SidRule
from policy_engine.validation.view import Finding, StatementView
from policy_engine.validation.wording import a

_SID = {rule: re.compile(pattern) for rule, pattern in SID_PATTERNS.items()}


def sid_syntax(statement: StatementView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    sid = statement.body.get("Sid")
    if isinstance(sid, str) and not _SID[rules.sid].fullmatch(sid):
        allowed = ("only ASCII letters and digits" if rules.sid is SidRule.ALPHANUMERIC
                   else "no control characters")
        yield Finding("invalid-sid", f"`{sid}` is not a valid Sid: {a(rules.title)} allows "
                      f"{allowed}", statement.at("Sid"))


def sid_unique(statement: StatementView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    """A repeated Sid points back to the first statement that used it; `""` may repeat."""
    sid = statement.body.get("Sid")
    if not isinstance(sid, str) or not sid:
        return
    first = statement.document.first_sids[sid]
    if first != statement.pointer:
        yield Finding("duplicate-sid", f"Sid `{sid}` is already used by "
                      f"{pointer_to_path(first)}; Sids must be unique within a policy",
                      statement.at("Sid"))

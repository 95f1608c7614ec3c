"""Validation: the rules AWS documents for a policy kind, as small functions in one table.

Named `validation` (not `rules`, which `KindRules` already means: the data row per kind)
for what it decides: whether AWS would accept the policy. Each rule is a plain function
`(view, kind rules, quotas) -> Iterable[Finding]` over a typed view of the raw JSON value
(`view.py`), one module per concern; `registry.RULES` lists them in the order they run,
the shape future lint rules (accepted by AWS, but risky) will take as well. The driver
that runs the table, keeps one problem per pointer and places it in the source is
`policy_engine.parse`.
"""

from __future__ import annotations

from policy_engine.validation.registry import RULES, WARNINGS, Rule, Scope
from policy_engine.validation.size import measure_size
from policy_engine.validation.view import DocumentView, Finding, StatementView

__all__ = ["RULES", "WARNINGS", "DocumentView", "Finding", "Rule", "Scope", "StatementView",
           "measure_size"]

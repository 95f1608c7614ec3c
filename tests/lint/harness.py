"""Run one lint rule over a policy value, as the case files and tests need."""

from __future__ import annotations

from typing import Any

from policy_engine.lint.config import LintConfig
from policy_engine.lint.document import LintDocument
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.registry import Registry, default_registry
from policy_engine.lint.run import Linter
from policy_engine.model.kinds import PolicyKind
from policy_engine.source import SourceDocument, iter_pointers


def document(policy: Any, kind: PolicyKind | str, *, subject: str | None = None,
             source: str = "case.json") -> LintDocument:
    locations = {pointer: (1, 1) for pointer in iter_pointers(policy)}
    return LintDocument(source=source, value=policy, kind=PolicyKind(kind),
                        origin=SourceDocument(policy, locations=locations), subject=subject)


def lint_value(policy: Any, kind: PolicyKind | str, *, only: str | None = None,
               subject: str | None = None) -> list[LintFinding]:
    """Findings of every default rule, or only of rule `only` (enabled even when it is off
    by default)."""
    registry = default_registry()
    if only is not None:
        found = registry.get(only)
        assert found is not None, f"no lint rule {only}"
        registry = Registry((found,))
        config = LintConfig(enable=frozenset({only}))
    else:
        config = LintConfig()
    return Linter(registry, config).lint(document(policy, kind, subject=subject))

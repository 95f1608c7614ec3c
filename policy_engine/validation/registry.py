"""The one ordered table of validation rules, and the scopes they run in.

Order is part of behaviour: the driver keeps one problem per pointer, the first found, so
a rule placed earlier wins over a later one at the same pointer (nulls and characters
over the model's type errors, conflicts over presence, any rule over the model). A new
rule goes where its explanation should win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from policy_engine.model.kinds import KindRules, Quotas
from policy_engine.validation import (
    actions,
    characters,
    conditions,
    document,
    oddities,
    principals,
    resources,
    sids,
    size,
    statement,
    structure,
)
from policy_engine.validation.view import Finding


class Scope(StrEnum):
    """What a rule is given, and when it runs.

    DOCUMENT: the `DocumentView`, once. STATEMENT: a `StatementView`; a run of consecutive
    STATEMENT rules is applied statement by statement, each statement through the whole
    run before the next. CLEAN: the `DocumentView`, once, and only when no rule before it
    found anything (the size quota is checked only on an otherwise valid policy).
    """

    DOCUMENT = "document"
    STATEMENT = "statement"
    CLEAN = "clean"


# The view type depends on the scope; `Any` keeps one table for both.
Check = Callable[[Any, KindRules, Quotas], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    scope: Scope
    check: Check


RULES: tuple[Rule, ...] = (
    Rule("nulls-and-characters", Scope.DOCUMENT, characters.nulls_and_characters),
    Rule("version-required", Scope.DOCUMENT, document.version_required),
    Rule("id-allowed", Scope.DOCUMENT, document.id_allowed),
    Rule("statement-not-empty", Scope.DOCUMENT, document.statement_not_empty),
    Rule("count-quotas", Scope.DOCUMENT, document.count_quotas),
    Rule("conflicting-elements", Scope.STATEMENT, statement.conflicting_elements),
    Rule("action-present", Scope.STATEMENT, statement.action_present),
    Rule("not-action-supported", Scope.STATEMENT, statement.not_action_supported),
    Rule("resource-present", Scope.STATEMENT, statement.resource_present),
    Rule("not-resource-supported", Scope.STATEMENT, statement.not_resource_supported),
    Rule("principal-allowed", Scope.STATEMENT, statement.principal_allowed),
    Rule("principal-present", Scope.STATEMENT, statement.principal_present),
    Rule("effect-allowed", Scope.STATEMENT, statement.effect_allowed),
    Rule("not-principal-with-deny", Scope.STATEMENT, statement.not_principal_with_deny),
    Rule("action-values", Scope.STATEMENT, actions.action_values),
    Rule("resource-values", Scope.STATEMENT, resources.resource_values),
    Rule("principal-values", Scope.STATEMENT, principals.principal_values),
    Rule("condition-block", Scope.STATEMENT, conditions.condition_block),
    Rule("sid-syntax", Scope.STATEMENT, sids.sid_syntax),
    Rule("sid-unique", Scope.STATEMENT, sids.sid_unique),
    Rule("model-structure", Scope.DOCUMENT, structure.model_structure),
    Rule("size-quota", Scope.CLEAN, size.size_quota),
)

# Warnings: run on a valid policy only, after every rule; each finding is a located warning
# of the parsed policy, never a problem (`ParsedPolicy.warnings`).
WARNINGS: tuple[Rule, ...] = (
    Rule("stored-oddities", Scope.CLEAN, oddities.oddity_warnings),
)

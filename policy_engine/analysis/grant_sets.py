"""Statements as sets: the catalogue actions, resource patterns and principals each grants.

Shared by `access_diff` (check no new access) and `access_not_granted`. Actions are
expanded exactly over the action catalogue (`catalog.expand_action_pattern`); a
`NotAction` element is the complement within that catalogue
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
Action names a policy spells literally but the catalogue lacks are kept as themselves,
so a service newer than the catalogue still counts. Resource and NotResource patterns
stay patterns, compared as languages (`analysis.patterns`); NotResource matches every
resource its patterns do not
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from policy_engine.analysis.patterns import patterns_include, patterns_intersect
from policy_engine.arn import is_account_id
from policy_engine.catalog import action_names, expand_action_pattern
from policy_engine.model.policy import PolicyDocument, PrincipalMap, Statement

EVERYONE = "*"
_PRINCIPAL_KEYS = (("AWS", "aws"), ("Service", "service"), ("Federated", "federated"),
                   ("CanonicalUser", "canonical_user"))


@dataclass(frozen=True)
class StatementSet:
    """One statement as sets. `resources` None: no Resource element (a trust policy),
    which applies to the resource the policy is attached to, like `*`. `principals`
    None: no Principal element (identity policies); else `Key:value` strings, `*` for
    everyone."""

    index: int
    statement: Statement
    actions: frozenset[str]
    resources: tuple[str, ...]
    resources_negated: bool
    principals: tuple[str, ...] | None
    principals_negated: bool
    condition: str | None  # canonical JSON of the Condition block

    @property
    def sid(self) -> str | None:
        return self.statement.sid

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")

    @property
    def is_allow(self) -> bool:
        return self.statement.is_allow

    @property
    def grants(self) -> bool:
        """An Allow that can grant: Allow with NotPrincipal grants nothing (the engine's
        reading of reference_policies_elements_notprincipal.html)."""
        return self.statement.is_allow and not self.principals_negated


def literal_actions(documents: Iterable[PolicyDocument]) -> frozenset[str]:
    """Literal action names the policies spell that the catalogue does not know."""
    known = action_names()
    return frozenset(
        name.lower() for document in documents for statement in document.statements
        for name in (statement.action or statement.not_action or ())
        if "*" not in name and "?" not in name and name.lower() not in known)


def expand_actions(patterns: Iterable[str], extra: frozenset[str]) -> frozenset[str]:
    """Catalogue actions (plus `extra` literal names) an Action element matches."""
    from policy_engine.engine.wildcard import compile_wildcard

    found: set[str] = set()
    for pattern in patterns:
        found |= expand_action_pattern(pattern)
        matcher = compile_wildcard(pattern.lower(), ignore_case=True)
        found.update(name for name in extra if matcher.matches(name))
    return frozenset(found)


def universe(extra: frozenset[str]) -> frozenset[str]:
    return action_names() | extra


def statement_sets(document: PolicyDocument, extra: frozenset[str]) -> tuple[StatementSet, ...]:
    return tuple(_one(index, statement, extra)
                 for index, statement in enumerate(document.statements))


def _one(index: int, statement: Statement, extra: frozenset[str]) -> StatementSet:
    if statement.action is not None:
        actions = expand_actions(statement.action, extra)
    else:
        actions = universe(extra) - expand_actions(statement.not_action or (), extra)
    resources = statement.resource or statement.not_resource or (EVERYONE,)
    spec = statement.principal if statement.principal is not None else statement.not_principal
    return StatementSet(
        index=index, statement=statement, actions=actions, resources=tuple(resources),
        resources_negated=statement.resource is None and statement.not_resource is not None,
        principals=None if spec is None else principal_entries(spec),
        principals_negated=statement.not_principal is not None,
        condition=canonical_condition(statement),
    )


def principal_entries(spec: str | PrincipalMap) -> tuple[str, ...]:
    """`Key:value` per principal; `*` and `{"AWS": "*"}` are both everyone (Principal
    page); an account id is its root ARN."""
    if isinstance(spec, str):
        return (EVERYONE,)
    entries: list[str] = []
    for key, attribute in _PRINCIPAL_KEYS:
        for value in getattr(spec, attribute) or ():
            if key == "AWS" and value == "*":
                entries.append(EVERYONE)
            elif key == "AWS" and is_account_id(value):
                entries.append(f"AWS:arn:aws:iam::{value}:root")
            else:
                entries.append(f"{key}:{value}")
    return tuple(dict.fromkeys(entries))


def canonical_condition(statement: Statement) -> str | None:
    if not statement.condition:
        return None
    block = {operator: {key.lower(): sorted(map(str, values))
                        for key, values in keys.items()}
             for operator, keys in statement.condition.items()}
    return json.dumps(block, sort_keys=True)


def principal_covered(general: tuple[str, ...] | None, entry: str | None) -> bool:
    """Whether a statement's principals include the principal `entry` names."""
    if general is None or entry is None:
        return general is None and entry is None
    if EVERYONE in general:
        return True
    if entry == EVERYONE:
        return False
    key, _, value = entry.partition(":")
    same_key = [g.partition(":")[2] for g in general if g.partition(":")[0] == key]
    return bool(same_key) and patterns_include(same_key, value)


def resource_covered(general: StatementSet | Iterable[StatementSet],
                     patterns: tuple[str, ...], negated: bool) -> bool:
    """Whether the statements' Resource elements (together) cover every resource that
    `patterns` (`negated`: every resource but those) names. Sound, never claims too
    much: a NotResource part is covered only by `*` or a NotResource excluding less."""
    olds = [general] if isinstance(general, StatementSet) else list(general)
    positive = [p for o in olds if not o.resources_negated for p in o.resources]
    if negated:
        if any(set(p) == {"*"} for p in positive):
            return True
        return any(o.resources_negated and all(patterns_include(patterns, y)
                                               for y in o.resources) for o in olds)
    for pattern in patterns:
        if patterns_include(positive, pattern):
            continue
        if any(o.resources_negated and not any(patterns_intersect(pattern, y)
                                               for y in o.resources) for o in olds):
            continue
        return False
    return True


def resources_overlap(statement: StatementSet, patterns: tuple[str, ...],
                      negated: bool) -> bool:
    """Whether some resource is named by both. A NotResource side meets a pattern the
    excluded patterns do not wholly cover; two NotResource sides always meet (strings
    are unbounded)."""
    if negated and statement.resources_negated:
        return True
    if statement.resources_negated:
        return any(not patterns_include(statement.resources, p) for p in patterns)
    if negated:
        return any(not patterns_include(patterns, r) for r in statement.resources)
    return any(patterns_intersect(a, b) for a in statement.resources for b in patterns)

"""Rules about a statement's elements: conflicts, presence per kind, effects, NotPrincipal.

Which elements a kind requires, allows or forbids is data in its `KindRules` row
(`policy_engine.model.kinds`); these rules only read that row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy_engine.model.kinds import (
    CONFLICTING_PAIRS,
    RCP_FULL_AWS_ACCESS_STATEMENT,
    KindRules,
    PolicyKind,
    Presence,
    Quotas,
)
from policy_engine.validation.view import Finding, StatementView
from policy_engine.validation.wording import a


def conflicting_elements(statement: StatementView, rules: KindRules,
                         quotas: Quotas) -> Iterator[Finding]:
    """`Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal`."""
    for first, second in CONFLICTING_PAIRS:
        if statement.has(first) and statement.has(second):
            yield Finding("conflicting-elements",
                          f"`{first}` and `{second}` cannot both appear in one statement",
                          statement.at(second))


def action_present(statement: StatementView, rules: KindRules,
                   quotas: Quotas) -> Iterator[Finding]:
    if not statement.has("Action") and not statement.has("NotAction"):
        yield Finding("missing-element", "a statement needs `Action` or `NotAction`",
                      statement.at("Action"))


def not_action_supported(statement: StatementView, rules: KindRules,
                         quotas: Quotas) -> Iterator[Finding]:
    """RCPs do not support NotAction (RCP syntax page)."""
    if statement.has("NotAction") and not rules.not_action:
        yield Finding("kind-restriction", f"`NotAction` is not supported in {a(rules.title)}",
                      statement.at("NotAction"))


def resource_present(statement: StatementView, rules: KindRules,
                     quotas: Quotas) -> Iterator[Finding]:
    has_resource = statement.has("Resource") or statement.has("NotResource")
    if not has_resource and rules.resource is Presence.REQUIRED:
        yield Finding("missing-element", f"a statement of {a(rules.title)} needs `Resource` or "
                      "`NotResource`", statement.at("Resource"))


def not_resource_supported(statement: StatementView, rules: KindRules,
                           quotas: Quotas) -> Iterator[Finding]:
    if statement.has("NotResource") and not rules.not_resource:
        yield Finding("kind-restriction", f"`NotResource` is not supported in {a(rules.title)}",
                      statement.at("NotResource"))


def principal_allowed(statement: StatementView, rules: KindRules,
                      quotas: Quotas) -> Iterator[Finding]:
    """Identity policies and SCPs name no principal; trust policies and RCPs no NotPrincipal."""
    for element, presence in (("Principal", rules.principal),
                              ("NotPrincipal", rules.not_principal)):
        if statement.has(element) and presence is Presence.FORBIDDEN:
            yield Finding("forbidden-element", f"`{element}` is not allowed in {a(rules.title)}",
                          statement.at(element))


def principal_present(statement: StatementView, rules: KindRules,
                      quotas: Quotas) -> Iterator[Finding]:
    has_principal = statement.has("Principal") or statement.has("NotPrincipal")
    if rules.principal is Presence.REQUIRED and not has_principal:
        yield Finding("missing-element", f"a statement of {a(rules.title)} needs a `Principal`",
                      statement.at("Principal"))


def effect_allowed(statement: StatementView, rules: KindRules,
                   quotas: Quotas) -> Iterator[Finding]:
    """RCPs Deny only, except the managed RCPFullAWSAccess statement."""
    effect = statement.body.get("Effect")
    if (effect in ("Allow", "Deny") and effect not in rules.effects
            and not is_rcp_full_access(rules, statement.body)):
        yield Finding("kind-restriction",
                      f"`{effect}`: {a(rules.title)} allows only "
                      f"{' or '.join(sorted(rules.effects))} statements", statement.at("Effect"))


def not_principal_with_deny(statement: StatementView, rules: KindRules,
                            quotas: Quotas) -> Iterator[Finding]:
    """NotPrincipal page: AWS does not support NotPrincipal with Allow."""
    if (statement.has("NotPrincipal") and rules.not_principal is Presence.OPTIONAL
            and statement.body.get("Effect") == "Allow"):
        yield Finding("kind-restriction", "`NotPrincipal` may be used only with "
                      "`\"Effect\": \"Deny\"`", statement.at("NotPrincipal"))


def is_rcp_full_access(rules: KindRules, body: dict[str, Any]) -> bool:
    """RCPFullAWSAccess, the AWS managed RCP, is the one RCP that may Allow `*`."""
    if rules.kind is not PolicyKind.RCP:
        return False
    comparable = {k: v for k, v in body.items() if k != "Sid"}
    return comparable == dict(RCP_FULL_AWS_ACCESS_STATEMENT)

"""Statements that can never match a request, decided with the catalogue and the
condition operators' semantics; only cases that can be decided exactly are reported."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from policy_engine.analysis.patterns import pattern_includes
from policy_engine.arn import split_arn
from policy_engine.catalog import find_action, resource_types
from policy_engine.lint.contradictions import contradictory_keys
from policy_engine.lint.coverage import catalogue_matches
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.severity import Severity


@cache
def _arn_services(action: str) -> frozenset[str] | None:
    """The ARN service fields of every resource type of the action's service; None when
    the action takes `*` only or a type's ARN leaves the service open."""
    found = find_action(action)
    if found is None or not found.resource_types:
        return None
    # Every ARN service of the action's whole service, not only of the action's types:
    # AWS's own policies name the service's ARNs for actions the reference files under
    # another service's type (`waf-regional:GetWebACLForResource` on a WebACL ARN).
    services: set[str] = set()
    for kind in resource_types(found.service):
        parts = kind.arn_format.split(":")
        if len(parts) < 3 or "${" in parts[2] or "*" in parts[2]:
            return None
        services.add(parts[2])
    return frozenset(services) if services else None


def _resource_service(pattern: str) -> str | None:
    arn = split_arn(pattern)
    if arn is None or not arn.service or any(c in arn.service for c in "*?$"):
        return None
    return arn.service


def _foreign_resources(entry: StatementInView) -> str | None:
    """Why no listed action can act on any listed resource, or None."""
    statement = entry.model
    if statement.action is None or statement.resource is None:
        return None
    resource_services = {_resource_service(r) for r in statement.resource}
    if None in resource_services:
        return None
    action_services: set[str] = set()
    for pattern in statement.action:
        matched = catalogue_matches(pattern)
        if not matched:
            return None  # an unknown action: the catalogue rules speak for it
        for action in matched:
            services = _arn_services(action)
            if services is None:
                return None
            action_services |= services
    if action_services & resource_services:  # type: ignore[operator]
        return None
    listed = ", ".join(f"`{s}`" for s in sorted(resource_services))  # type: ignore[arg-type]
    acted = ", ".join(f"`{s}`" for s in sorted(action_services))
    return (f"every resource is an ARN of {listed}, but the actions' services act only on "
            f"ARNs of {acted} (service authorization reference): no request matches both")


@rule("STATEMENT_NEVER_APPLIES", "statement-never-applies", Severity.WARNING)
def statement_never_applies(target: LintTarget) -> Iterator[Hit]:
    """A statement that no request can ever match, so it grants or denies nothing.

    Why: such a statement is dead text that looks like a permission or a guardrail. It
    is nearly always a mistake: a Deny meant to protect something that protects nothing,
    or an Allow that the author believes grants access.

    Decided exactly, never guessed:
    - `NotAction` that lists `*` (or `*:*`): the statement matches no action;
      `NotResource` that lists `*`: it matches no resource.
    - every action (expanded over the catalogue) belongs to a service none of whose
      resource types has an ARN of the listed resources' services (`s3:GetObject` on
      `arn:aws:sqs:…`); actions that take `*` only, unknown actions and ARNs whose service
      is a wildcard are never judged.
    - conditions on one single-valued key that no single value can meet together
      (`StringEquals` "a" with `StringNotEquals` "a", `NumericLessThan` 5 with
      `NumericGreaterThan` 10, `Null` true with a positive operator on the same key);
      multivalued keys, set operators and policy variables are never judged.

    Fix: correct the action, resource or condition, or delete the statement.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    for entry in target.statements:
        statement = entry.model
        if statement.not_action is not None and any(
                pattern_includes(p, "*:*", ignore_case=True) for p in statement.not_action):
            yield Hit("`NotAction` lists `*`: the statement matches no action",
                      entry.at("NotAction"))
            continue
        if statement.not_resource is not None and "*" in statement.not_resource:
            yield Hit("`NotResource` lists `*`: the statement matches no resource",
                      entry.at("NotResource"))
            continue
        foreign = _foreign_resources(entry)
        if foreign is not None:
            yield Hit(foreign, entry.at("Resource"))
            continue
        keys = contradictory_keys(statement)
        if keys:
            named = ", ".join(f"`{k}`" for k in keys)
            yield Hit(f"no request can meet the conditions on {named} together: the "
                      "statement never applies", entry.at("Condition"))

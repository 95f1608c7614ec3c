"""Rules about the policy as a whole: Version, Id, an empty Statement, count quotas.

Per-kind rules come from the kind's `KindRules` row; the count quotas (SQS, SNS) from its
`counts` and the `Quotas` in force. These rules see only a policy that is a JSON object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from policy_engine.model.kinds import Counted, CountRule, KindRules, Presence, Quotas
from policy_engine.model.policy import VERSION_2012
from policy_engine.validation.view import DocumentView, Finding, StatementView, as_strings
from policy_engine.validation.wording import a

_OTHER_VERSIONS = ("2008-10-17",)


def version_required(document: DocumentView, rules: KindRules,
                     quotas: Quotas) -> Iterator[Finding]:
    """Organizations policies must state Version 2012-10-17 (SCP and RCP syntax pages)."""
    if document.body is None or rules.version is not Presence.REQUIRED:
        return
    version = document.version
    if version in (None, *_OTHER_VERSIONS):  # any other value is the model's invalid-version
        found = "it has none" if version is None else f"not `{version}`"
        yield Finding("kind-restriction", f"{a(rules.title)} must state "
                      f"`\"Version\": \"{VERSION_2012}\"` ({found})", "/Version")


def id_allowed(document: DocumentView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    """Identity policies, trust policies and Organizations policies take no Id."""
    if document.body is not None and "Id" in document.body and (
            rules.policy_id is Presence.FORBIDDEN):
        yield Finding("forbidden-element", f"`Id` is not allowed in {a(rules.title)}", "/Id")


def statement_not_empty(document: DocumentView, rules: KindRules,
                        quotas: Quotas) -> Iterator[Finding]:
    statement = document.body.get("Statement") if document.body is not None else None
    if isinstance(statement, list) and not statement:
        yield Finding("empty-value", "`Statement` is an empty list; a policy needs at least "
                      "one statement", "/Statement")


def count_quotas(document: DocumentView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    """The kind's count quotas, in the order its row lists them."""
    for rule in rules.counts:
        yield from _count(rule, document.statements, rules, quotas)


_PER_STATEMENT: Mapping[Counted, tuple[str, ...]] = {
    Counted.ACTIONS: ("Action", "NotAction"),
    Counted.RESOURCES: ("Resource", "NotResource"),
}


def _count_principals(statement: StatementView) -> int:
    total = 0
    for element in ("Principal", "NotPrincipal"):
        value = statement.body.get(element)
        if isinstance(value, str):
            total += 1
        elif isinstance(value, dict):
            total += sum(len(as_strings(v) or ()) for v in value.values())
    return total


def _count_conditions(statement: StatementView) -> int:
    block = statement.body.get("Condition")
    if not isinstance(block, dict):
        return 0
    return sum(len(keys) for keys in block.values() if isinstance(keys, dict))


_PER_POLICY: Mapping[Counted, Callable[[StatementView], int]] = {
    Counted.STATEMENTS: lambda statement: 1,
    Counted.PRINCIPALS: _count_principals,
    Counted.CONDITIONS: _count_conditions,
}


def _count(rule: CountRule, statements: tuple[StatementView, ...], rules: KindRules,
           quotas: Quotas) -> Iterator[Finding]:
    limit = rule.limit(quotas)
    what = rule.counted.value
    if rule.counted in _PER_STATEMENT:
        elements = _PER_STATEMENT[rule.counted]
        for statement in statements:
            count = sum(len(statement.strings(e) or ()) for e in elements)
            if count > limit:
                where = next((e for e in elements if statement.has(e)), elements[0])
                yield Finding("kind-restriction", f"the statement lists {count} {what}; "
                              f"{a(rules.title)} allows at most {limit} per statement "
                              f"({rule.doc})", statement.at(where))
        return
    count = sum(_PER_POLICY[rule.counted](statement) for statement in statements)
    if count > limit:
        yield Finding("kind-restriction", f"the policy has {count} {what}; {a(rules.title)} "
                      f"allows at most {limit} ({rule.doc})", "/Statement")


"""Statements wholly covered by another statement of the same effect."""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.lint.coverage import statement_covers
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.severity import Severity
from policy_engine.model.policy import Statement

# Policies have at most tens of statements; past this many, pairwise comparison is not
# worth its cost in a linter (quadratic), so larger policies are not examined.
_MOST_STATEMENTS = 200


def _name(entry: StatementInView) -> str:
    sid = entry.model.sid
    return f"statement {entry.index}" + (f" (`{sid}`)" if sid else "")


def _services(statement: Statement) -> frozenset[str] | None:
    """The literal service prefixes of the statement's Action; None when a pattern's
    service is a wildcard or the statement uses NotAction."""
    if statement.action is None:
        return None
    found: set[str] = set()
    for pattern in statement.action:
        service, colon, _ = pattern.lower().partition(":")
        if not colon or any(c in service for c in "*?"):
            return None
        found.add(service)
    return frozenset(found)


def _may_cover(general: Statement, specific: Statement,
               general_services: frozenset[str] | None,
               specific_services: frozenset[str] | None) -> bool:
    """A cheap filter: a covering Action list must name every service the other names."""
    if not _same_shape(general, specific):
        return False
    if general_services is None:
        return True
    return specific_services is not None and specific_services <= general_services


def _same_shape(a: Statement, b: Statement) -> bool:
    """A cheap filter before the real comparison: same effect, both with or both without
    a principal."""
    return (a.effect == b.effect
            and (a.principal is None and a.not_principal is None)
            == (b.principal is None and b.not_principal is None))


@rule("SHADOWED_STATEMENT", "shadowed-statement", Severity.WARNING)
def shadowed_statement(target: LintTarget) -> Iterator[Hit]:
    """A statement whose every request is matched by another statement of the same effect
    in the same policy, so deleting it changes nothing (Access Analyzer's similar check
    is REDUNDANT_STATEMENT).

    Why: a redundant statement is noise at best; at worst its author believes it
    narrows something (a condition, a resource) that the wider statement already grants
    or denies without that limit.

    How it is decided: the covering statement must match every action (wildcard-pattern
    inclusion, and for a wildcard the catalogue's actions it matches today), every
    resource (pattern inclusion; a statement without Resource covers the policy's own
    resource), every principal (`*` covers all) and add no condition of its own that the
    covered statement does not imply (the same operator and key, with fewer values for a
    positive operator and more for a negated one). Statement order never matters; when two
    statements cover each other, the later one is reported.

    Anti-pattern: `{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}` and
    `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}` in one
    policy.

    Fix: delete the covered statement, or narrow the covering one if it is too wide.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    """
    entries = target.statements
    if len(entries) < 2 or len(entries) > _MOST_STATEMENTS:
        return
    services = [_services(entry.model) for entry in entries]
    for entry in entries:
        for other in entries:
            if other.index == entry.index or not _may_cover(
                    other.model, entry.model, services[other.index], services[entry.index]):
                continue
            if not statement_covers(other.model, entry.model):
                continue
            if other.index > entry.index and statement_covers(entry.model, other.model):
                continue  # equivalent: the later of the two is the one reported
            yield Hit(f"{_name(entry)} is wholly covered by {_name(other)} (same effect, "
                      "its actions, resources, principals and conditions include this "
                      "one's): it changes nothing", entry.pointer)
            break

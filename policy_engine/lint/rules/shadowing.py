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
    # One cheap key per statement, compared before any real work: the effect, whether
    # it names a principal, and its Action services.
    keys = [(entry.model.effect, entry.model.principal is None
             and entry.model.not_principal is None, _services(entry.model))
            for entry in entries]
    for entry in entries:
        effect, principal_less, services = keys[entry.index]
        for other in entries:
            other_effect, other_principal_less, other_services = keys[other.index]
            if (other.index == entry.index or other_effect != effect
                    or other_principal_less != principal_less):
                continue
            if other_services is not None and (services is None
                                               or not services <= other_services):
                continue
            if not statement_covers(other.model, entry.model):
                continue
            if other.index > entry.index and statement_covers(entry.model, other.model):
                continue  # equivalent: the later of the two is the one reported
            yield Hit(f"{_name(entry)} is wholly covered by {_name(other)} (same effect, "
                      "its actions, resources, principals and conditions include this "
                      "one's): it changes nothing", entry.pointer)
            break

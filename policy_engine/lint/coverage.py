"""Does one statement match every request another matches? Element by element, always
erring towards "no": a True is a proof, a False may only mean "not shown".

- Actions: wildcard-pattern inclusion (`analysis.patterns`, case-insensitive), and for a
  wildcard pattern the catalogue's actions it matches today; NotAction by the complement.
- Resources: pattern inclusion (case-sensitive); a policy variable in the covered pattern
  stands for any text, one in the covering pattern covers only the same text.
- Principals: the same entries (an account id is its `:root` ARN); `*` covers all,
  `{"AWS": "*"}` every `AWS` entry.
- Conditions: every condition of the covering statement is implied by one of the covered
  statement's with the same operator and key (positive operators: fewer values;
  negated ones: more values; `Null`: the same values).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from policy_engine.analysis.patterns import pattern_includes
from policy_engine.arn import is_account_id
from policy_engine.catalog import actions_of, all_actions
from policy_engine.engine.wildcard import WildcardPattern, compile_wildcard
from policy_engine.model.operators import OperatorError, OperatorFamily, parse_operator
from policy_engine.model.policy import PrincipalMap, Statement
from policy_engine.model.values import canonical_text

_VARIABLE = re.compile(r"\$\{[^}]*\}")


# ------------------------------------------------------------------------------ actions


@cache
def catalogue_matches(pattern: str) -> tuple[str, ...]:
    """Every catalogue action (lower-case `service:name`) the action pattern matches."""
    lowered = pattern.lower()
    compiled = compile_wildcard(lowered, ignore_case=True)
    service, colon, _ = lowered.partition(":")
    literal_service = bool(colon) and not any(c in service for c in "*?")
    pool = actions_of(service) if literal_service else all_actions()
    return tuple(name for name in (a.full_name.lower() for a in pool) if compiled.matches(name))


@lru_cache(maxsize=4096)
def _action_matcher(patterns: tuple[str, ...]
                    ) -> tuple[frozenset[str], tuple[WildcardPattern, ...]]:
    """An Action list split once into its literal actions (a set) and its wildcards."""
    literal = frozenset(p.lower() for p in patterns if not any(c in p for c in "*?"))
    wild = tuple(compile_wildcard(p, ignore_case=True) for p in patterns
                 if any(c in p for c in "*?"))
    return literal, wild


def _action_listed(patterns: tuple[str, ...], action: str) -> bool:
    """Whether the lower-case action matches one of the patterns."""
    literal, wild = _action_matcher(patterns)
    return action in literal or any(p.matches(action) for p in wild)


def _action_pattern_covered(general: tuple[str, ...], specific: str) -> bool:
    if any(pattern_includes(g, specific, ignore_case=True) for g in general):
        return True
    if not any(c in specific for c in "*?"):
        return False
    known = catalogue_matches(specific)
    return bool(known) and all(_action_listed(general, action) for action in known)


def _action_pattern_avoids(excluded: tuple[str, ...], specific: str) -> bool:
    """No action the pattern names is matched by an `excluded` (NotAction) pattern."""
    if not any(c in specific for c in "*?"):
        return not _action_listed(excluded, specific.lower())
    known = catalogue_matches(specific)
    return bool(known) and not any(_action_listed(excluded, a) for a in known)


def _matches_every_action(patterns: tuple[str, ...]) -> bool:
    return any(pattern_includes(p, "*:*", ignore_case=True) or p == "*" for p in patterns)


def actions_cover(general: Statement, specific: Statement) -> bool:
    if general.action is not None and specific.action is not None:
        return all(_action_pattern_covered(general.action, s) for s in specific.action)
    if general.not_action is not None and specific.action is not None:
        return all(_action_pattern_avoids(general.not_action, s) for s in specific.action)
    if general.action is not None and specific.not_action is not None:
        return _matches_every_action(general.action)
    if general.not_action is not None and specific.not_action is not None:
        return all(any(pattern_includes(s, g, ignore_case=True) for s in specific.not_action)
                   for g in general.not_action)
    return False


# ---------------------------------------------------------------------------- resources


def resource_pattern_includes(general: str, specific: str) -> bool:
    """Pattern inclusion with policy variables: one in `specific` may render as any text,
    one in `general` covers only the same template."""
    if general == specific or general == "*":
        return True
    if "${" in general:
        return False
    return pattern_includes(general, _VARIABLE.sub("*", specific))


def _literal(text: str) -> bool:
    return not any(c in text for c in "*?") and "${" not in text


def resources_cover(general: Statement, specific: Statement) -> bool:
    """None (no Resource element: trust and ECR policies) is the policy's own resource."""
    g_in, g_out = general.resource, general.not_resource
    s_in, s_out = specific.resource, specific.not_resource
    if g_in is None and g_out is None:
        return True
    if s_in is None and s_out is None:
        return g_in is not None and "*" in g_in
    if g_in is not None and "*" in g_in:
        return True
    if g_in is not None and s_in is not None:
        return all(any(resource_pattern_includes(g, s) for g in g_in) for s in s_in)
    if g_out is not None and s_in is not None:
        if any("${" in g for g in g_out):
            return False
        return all(_literal(s) and not any(compile_wildcard(g).matches(s) for g in g_out)
                   for s in s_in)
    if g_out is not None and s_out is not None:
        return all(any(resource_pattern_includes(s, g) for s in s_out) for g in g_out)
    return False


# --------------------------------------------------------------------------- principals


def _principal_entries(spec: PrincipalMap) -> set[tuple[str, str]]:
    entries: set[tuple[str, str]] = set()
    for kind, names in (("AWS", spec.aws), ("Service", spec.service),
                        ("Federated", spec.federated), ("CanonicalUser", spec.canonical_user)):
        for name in names or ():
            entries.add((kind, _account_root(name) if kind == "AWS" else name))
    return entries


def _account_root(name: str) -> str:
    if is_account_id(name):
        return f"arn:aws:iam::{name}:root"
    return name


def principals_cover(general: Statement, specific: Statement) -> bool:
    """`"Principal": "*"` covers every principal; `{"AWS": "*"}` covers the `AWS`
    entries only (some services read the two forms differently for service principals,
    so the narrower reading is the safe one)."""
    if general.principal is None and general.not_principal is None:
        return specific.principal is None and specific.not_principal is None
    if general.principal is not None:
        if general.principal == "*":
            return specific.principal is not None or specific.not_principal is not None
        if not isinstance(specific.principal, PrincipalMap):
            return False
        assert isinstance(general.principal, PrincipalMap)
        wanted = _principal_entries(specific.principal)
        if general.principal.is_everyone:
            wanted = {entry for entry in wanted if entry[0] != "AWS"}
        return wanted <= _principal_entries(general.principal)
    if specific.not_principal is None or isinstance(general.not_principal, str) \
            or isinstance(specific.not_principal, str):
        return False
    assert isinstance(general.not_principal, PrincipalMap)
    return _principal_entries(general.not_principal) <= _principal_entries(
        specific.not_principal)


# --------------------------------------------------------------------------- conditions


def _values(raw: Iterable[object]) -> frozenset[str]:
    return frozenset(canonical_text(v) for v in raw)  # type: ignore[arg-type]


def _pairs(statement: Statement) -> dict[tuple[str, str], frozenset[str]]:
    return {(operator, key.lower()): _values(values)
            for operator, block in (statement.condition or {}).items()
            for key, values in block.items()}


def conditions_cover(general: Statement, specific: Statement) -> bool:
    """Whether every condition of `general` holds whenever `specific`'s all hold."""
    if not general.condition:
        return True
    specific_pairs = _pairs(specific)
    for (operator, key), wanted in _pairs(general).items():
        have = specific_pairs.get((operator, key))
        if have is None:
            return False
        try:
            parsed = parse_operator(operator)
        except OperatorError:
            return False
        if parsed.spec.family is OperatorFamily.NULL:
            if have != wanted:
                return False
        elif parsed.spec.negated:
            if not wanted <= have:
                return False
        elif not have <= wanted:
            return False
    return True


def statement_covers(general: Statement, specific: Statement) -> bool:
    """Whether `general` matches every request `specific` matches (same effect)."""
    return (general.effect == specific.effect
            and principals_cover(general, specific)
            and resources_cover(general, specific)
            and conditions_cover(general, specific)
            and actions_cover(general, specific))

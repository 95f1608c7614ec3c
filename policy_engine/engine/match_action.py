"""Action and NotAction matching: case-insensitive, `*` and `?` anywhere.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.engine.wildcard import WildcardPattern, compile_wildcard


@dataclass(frozen=True, slots=True)
class CompiledActions:
    patterns: tuple[WildcardPattern, ...]
    negated: bool
    # Lower-cased service prefixes the patterns can match; None when a pattern could match
    # any service (`*`, `s*:Get*`) or the element is NotAction.
    services: frozenset[str] | None

    def matches(self, action_lower: str) -> bool:
        listed = any(p.matches(action_lower) for p in self.patterns)
        return listed != self.negated

    def uniform_for_service(self, service: str) -> bool | None:
        """Whether the element covers every (True) or no (False) action of the service;
        None when the answer depends on the action's name."""
        verdicts = [_pattern_on_service(p.source, service) for p in self.patterns]
        if True in verdicts:
            listed = True
        elif all(v is False for v in verdicts):
            listed = False
        else:
            return None
        return listed != self.negated


def _pattern_on_service(pattern: str, service: str) -> bool | None:
    # An action has exactly one colon, so a pattern's one literal colon must meet it: the
    # part before matches the service prefix and the part after the action name.
    text = pattern.lower()
    if text == "*":
        return True
    colons = text.count(":")
    if colons == 0:
        return None
    if colons > 1:
        return False
    prefix, name = text.split(":")
    if not compile_wildcard(prefix).matches(service):
        return False
    return True if name == "*" else None


def compile_actions(patterns: tuple[str, ...], *, negated: bool) -> CompiledActions:
    compiled = tuple(compile_wildcard(p, ignore_case=True) for p in patterns)
    services: set[str] | None = set()
    for pattern in patterns:
        prefix, colon, _ = pattern.lower().partition(":")
        if negated or not colon or "*" in prefix or "?" in prefix:
            services = None
            break
        services.add(prefix)
    return CompiledActions(compiled, negated, None if services is None else frozenset(services))

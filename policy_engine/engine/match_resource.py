"""Resource and NotResource matching: case-sensitive wildcards and policy variables.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
The ARN is matched as one string: a `*` may expand beyond a colon (the 2026 Resource page),
and `*`/`?` inside the resource part match any characters including `/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from policy_engine.engine.context import RequestContext
from policy_engine.engine.variables import render_template
from policy_engine.engine.wildcard import WildcardPattern, compile_parts, compile_wildcard
from policy_engine.memo import BoundedMemo
from policy_engine.model.variables import Template, compile_template

# A rendered pattern per distinct rendering of a template: the evaluator keeps one memo
# per statement, so this bounds the patterns one statement remembers.
RENDERED_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ResourceMatch:
    matched: bool
    unresolved_variable: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class CompiledResources:
    """A Resource/NotResource element, compiled. Compared and hashed by identity, like the
    policy it belongs to (a key of `covered`)."""

    constant: tuple[WildcardPattern, ...]
    templates: tuple[Template, ...]
    negated: bool
    matches_everything: bool

    def covers(self, resource: str) -> bool:
        """The answer of an element without policy variables: the same for the same
        resource whatever the context, so evaluators remember it per resource."""
        if self.matches_everything:
            return not self.negated
        return any(p.matches(resource) for p in self.constant) != self.negated

    def applies(self, resource: str, context: RequestContext, *, is_allow: bool,
                rendered: BoundedMemo[str, WildcardPattern] | None = None) -> bool:
        """Does the statement's Resource/NotResource element cover the resource?

        A NotResource entry whose variable cannot be resolved is ambiguous in the docs; it
        must never widen an Allow, and a Deny keeps denying. `rendered` remembers the
        pattern of each rendering of a template.
        """
        if not self.templates:
            return self.covers(resource)
        outcome = self.match(resource, context, rendered)
        if outcome.unresolved_variable and self.negated:
            return not is_allow
        return outcome.matched

    def match(self, resource: str, context: RequestContext,
              rendered: BoundedMemo[str, WildcardPattern] | None = None) -> ResourceMatch:
        """Whether the element (after NotResource negation) covers the resource."""
        if self.matches_everything:
            return ResourceMatch(not self.negated)
        listed = any(p.matches(resource) for p in self.constant)
        unresolved = False
        if not listed:
            for template in self.templates:
                pattern = _render(template, context, rendered)
                if pattern is None:
                    unresolved = True
                elif pattern.matches(resource):
                    listed = True
                    break
        return ResourceMatch(listed != self.negated, unresolved and not listed)


@lru_cache(maxsize=65536)
def covered(resources: CompiledResources, resource: str) -> bool:
    """`resources.covers(resource)` memoised per process: a pure function of an immutable
    element. For plans that keep no memo of their own (sets asked once, as analyses make
    one per caller around one shared resource policy)."""
    return resources.covers(resource)


@lru_cache(maxsize=4096)
def _compile_rendered(pieces: tuple[tuple[str, bool], ...]) -> WildcardPattern:
    """A rendered template's matcher, for plans without a memo of their own."""
    return compile_parts(pieces)


def _render(template: Template, context: RequestContext,
            rendered: BoundedMemo[str, WildcardPattern] | None) -> WildcardPattern | None:
    pieces = render_template(template, context)
    if pieces is None:
        return None
    if rendered is None:
        return _compile_rendered(tuple(pieces))
    # Equal pieces compile to the same matcher, whichever template rendered them.
    key = "\0".join(f"{int(literal)}{text}" for text, literal in pieces)
    pattern = rendered.get(key)
    if pattern is None:
        pattern = rendered.put(key, _compile_rendered(tuple(pieces)))
    return pattern


def compile_resources(patterns: tuple[str, ...], *, negated: bool,
                      variables_enabled: bool) -> CompiledResources:
    constant: list[WildcardPattern] = []
    templates: list[Template] = []
    for text in patterns:
        template = compile_template(text, variables_enabled=variables_enabled)
        if template.parts != (text,):
            templates.append(template)
        else:
            constant.append(compile_wildcard(text))
    everything = any(p.matches_everything for p in constant)
    return CompiledResources(tuple(constant), tuple(templates), negated, everything)

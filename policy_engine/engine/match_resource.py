"""Resource and NotResource matching: case-sensitive wildcards and policy variables.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
The ARN is matched as one string: a `*` may expand beyond a colon (the 2026 Resource page),
and `*`/`?` inside the resource part match any characters including `/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_engine.engine.context import RequestContext
from policy_engine.engine.variables import render_template
from policy_engine.engine.wildcard import WildcardPattern, compile_parts, compile_wildcard
from policy_engine.model.variables import Template, compile_template

_RENDERED_CACHE_LIMIT = 4096
_MEMO_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ResourceMatch:
    matched: bool
    unresolved_variable: bool = False


@dataclass(frozen=True, slots=True)
class CompiledResources:
    constant: tuple[WildcardPattern, ...]
    templates: tuple[Template, ...]
    negated: bool
    matches_everything: bool
    _rendered: dict[str, WildcardPattern] = field(default_factory=dict, compare=False,
                                                  repr=False)
    # Constant patterns give the same answer for the same resource: remember it.
    memo: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def applies(self, resource: str, context: RequestContext, *, is_allow: bool) -> bool:
        """Hot path: does the statement's Resource/NotResource element cover the resource?

        A NotResource entry whose variable cannot be resolved is ambiguous in the docs; it
        must never widen an Allow, and a Deny keeps denying.
        """
        if not self.templates:
            known = self.memo.get(resource)
            if known is None:
                if len(self.memo) >= _MEMO_LIMIT:
                    self.memo.clear()
                known = self.memo[resource] = self.match(resource, context).matched
            return known
        outcome = self.match(resource, context)
        if outcome.unresolved_variable and self.negated:
            return not is_allow
        return outcome.matched

    def match(self, resource: str, context: RequestContext) -> ResourceMatch:
        """Whether the element (after NotResource negation) covers the resource."""
        if self.matches_everything:
            return ResourceMatch(not self.negated)
        listed = any(p.matches(resource) for p in self.constant)
        unresolved = False
        if not listed:
            for template in self.templates:
                pattern = self._render(template, context)
                if pattern is None:
                    unresolved = True
                elif pattern.matches(resource):
                    listed = True
                    break
        return ResourceMatch(listed != self.negated, unresolved and not listed)

    def _render(self, template: Template, context: RequestContext) -> WildcardPattern | None:
        pieces = render_template(template, context)
        if pieces is None:
            return None
        key = "\0".join(f"{int(literal)}{text}" for text, literal in pieces)
        pattern = self._rendered.get(key)
        if pattern is None:
            if len(self._rendered) >= _RENDERED_CACHE_LIMIT:
                self._rendered.clear()
            pattern = self._rendered[key] = compile_parts(pieces, source=template.source)
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

"""Every lint rule: the built-in modules' rules, then third-party rules registered in the
entry-point group `policy_engine.lint_rules`.

An entry point names a `LintRule`, an iterable of them, or a module holding them (every
module-level `LintRule` is taken). A built-in module is listed once in `BUILTIN_MODULES`;
its module-level `LintRule` objects are its rules, in source order.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Final

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.lint.rule import LintRule

ENTRY_POINT_GROUP: Final = "policy_engine.lint_rules"
# Where a registry problem is said to be: the command (`error: lint: …`), not an input.
SOURCE: Final = "lint"

# Built-in rule modules, in the order `--list-rules` shows them.
BUILTIN_MODULES: Final = (
    "policy_engine.lint.rules.grammar",
    "policy_engine.lint.rules.general",
    "policy_engine.lint.rules.catalogue_actions",
    "policy_engine.lint.rules.catalogue_conditions",
    "policy_engine.lint.rules.catalogue",
    "policy_engine.lint.rules.resource_policies",
    "policy_engine.lint.rules.trust",
    "policy_engine.lint.rules.reachability",
    "policy_engine.lint.rules.shadowing",
    "policy_engine.lint.rules.permissions",
)


@dataclass(frozen=True)
class Registry:
    rules: tuple[LintRule, ...]

    def __post_init__(self) -> None:
        seen: dict[str, LintRule] = {}
        for found in self.rules:
            if found.code in seen and seen[found.code] is not found:
                raise PolicyEngineError(Problem(
                    ProblemCode.USAGE, f"two lint rules use the code {found.code} "
                    f"({seen[found.code].name} and {found.name})", source=SOURCE))
            seen[found.code] = found

    def get(self, code: str) -> LintRule | None:
        return self.by_code.get(code.upper())

    @property
    def by_code(self) -> dict[str, LintRule]:
        return {found.code: found for found in self.rules}

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(found.code for found in self.rules)


def rules_of_module(module: ModuleType) -> Iterator[LintRule]:
    """The module's `RULES` tuple when it has one, else its module-level rules in order."""
    listed = getattr(module, "RULES", None)
    if isinstance(listed, tuple) and all(isinstance(item, LintRule) for item in listed):
        yield from listed
        return
    seen: set[int] = set()
    for value in vars(module).values():
        if isinstance(value, LintRule) and id(value) not in seen:
            seen.add(id(value))
            yield value
        elif (isinstance(value, tuple) and value
              and all(isinstance(item, LintRule) for item in value)):
            for item in value:
                if id(item) not in seen:
                    seen.add(id(item))
                    yield item


def _plugin_rules(loaded: object, name: str) -> Iterable[LintRule]:
    if isinstance(loaded, LintRule):
        return (loaded,)
    if isinstance(loaded, ModuleType):
        return tuple(rules_of_module(loaded))
    if isinstance(loaded, Iterable):
        items = tuple(loaded)
        if all(isinstance(item, LintRule) for item in items):
            return items
    raise PolicyEngineError(Problem(
        ProblemCode.USAGE, f"the lint rule entry point `{name}` names "
        f"{type(loaded).__name__}, not a LintRule, a list of them or a module", source=SOURCE))


def builtin_rules() -> tuple[LintRule, ...]:
    found: list[LintRule] = []
    for module_name in BUILTIN_MODULES:
        found.extend(rules_of_module(importlib.import_module(module_name)))
    return tuple(found)


@cache
def default_registry() -> Registry:
    """Built-in rules, then each installed plugin's (loaded once per process)."""
    found = list(builtin_rules())
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            loaded = point.load()
        except Exception as error:  # a broken plugin is named, never a traceback
            raise PolicyEngineError(Problem(
                ProblemCode.USAGE, f"the lint rule plugin `{point.name}` ({point.value}) "
                f"could not be loaded: {type(error).__name__}: {error}", source=SOURCE)
            ) from None
        found.extend(_plugin_rules(loaded, point.name))
    # Two entry points may name the same rule (a module and one of its rules): run it once.
    return Registry(tuple({id(rule): rule for rule in found}.values()))

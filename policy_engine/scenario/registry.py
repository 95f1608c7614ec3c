"""Scenario discovery through the entry-point group `policy_engine.scenarios`.

A plugin that cannot be loaded (an import error, an object that is not a scenario) is
one `BrokenPlugin` naming it and the problem; the others still load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Final

from policy_engine.scenario.api import Scenario

ENTRY_POINT_GROUP: Final = "policy_engine.scenarios"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class BrokenPlugin:
    name: str  # the entry point's name
    value: str  # what it points at
    problem: str

    def one_line(self) -> str:
        return f"scenario plugin `{self.name}` ({self.value}) is broken: {self.problem}"


@dataclass(frozen=True)
class Discovered:
    scenarios: tuple[Scenario, ...]
    broken: tuple[BrokenPlugin, ...]

    def get(self, name: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.scenarios)


def _as_scenario(loaded: object) -> Scenario:
    candidate = loaded
    if not isinstance(candidate, Scenario) and callable(candidate):
        candidate = candidate()
    if not isinstance(candidate, Scenario):
        raise TypeError(f"it gives {type(loaded).__name__}, not a scenario (an object with "
                        "name, title, topic, summary, snapshot(), checks(), questions() and run())")
    if not isinstance(candidate.name, str) or not _NAME.fullmatch(candidate.name):
        raise TypeError(f"its name {candidate.name!r} is not kebab-case")
    return candidate


def discover() -> Discovered:
    found: list[Scenario] = []
    broken: list[BrokenPlugin] = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            scenario = _as_scenario(point.load())
        except Exception as error:  # any plugin failure is reported, never raised
            broken.append(BrokenPlugin(point.name, point.value,
                                       f"{type(error).__name__}: {error}"))
            continue
        if any(s.name == scenario.name for s in found):
            broken.append(BrokenPlugin(point.name, point.value,
                                       f"another plugin already uses the name {scenario.name}"))
            continue
        found.append(scenario)
    return Discovered(tuple(found), tuple(broken))

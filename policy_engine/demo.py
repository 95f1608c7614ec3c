"""The bundled demo: several classic what-if checks, each with the decision AWS documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from policy_engine.case import load_case
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.result import Decision
from policy_engine.examples import examples_path


@dataclass(frozen=True)
class DemoCheck:
    name: str
    title: str
    expected: Decision
    result: EvaluationResult

    @property
    def as_expected(self) -> bool:
        return self.result.decision is self.expected


def run_demo(now: datetime | None = None) -> Iterator[DemoCheck]:
    folder = examples_path("demo")
    manifest = json.loads((folder / "demo.json").read_text(encoding="utf-8"))
    moment = now or datetime.now(UTC)
    for check in manifest["checks"]:
        case = load_case(folder / check["case"], now=moment)
        yield DemoCheck(check["case"].removesuffix(".json"), check["title"],
                        Decision(check["expect"]), evaluate(case.request, case.policies))

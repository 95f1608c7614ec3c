"""The bundled demo: several classic what-if checks, each with the decision AWS documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from policy_engine.analysis.assume_paths import AssumePath
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.who_can import Grant
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


@dataclass(frozen=True)
class OrgDemo:
    """The example organization: its assertions, a who-can and an assume-paths."""

    checks: CheckReport
    public_readers: list[Grant]
    paths: list[AssumePath]
    start: str


def run_org_demo() -> OrgDemo:
    from policy_engine.analysis.assume_paths import assume_paths
    from policy_engine.analysis.check import run_checks
    from policy_engine.analysis.resolve import Resolver
    from policy_engine.analysis.who_can import who_can
    from policy_engine.snapshot import load_snapshot
    from policy_engine.whatif import parse_script

    folder = examples_path("org")
    resolver = Resolver(load_snapshot([folder / "snapshot.yaml"]))
    assertions = folder / "assertions.whatif"
    report = run_checks(resolver, parse_script(assertions.read_text(encoding="utf-8"),
                                               source=str(assertions)))
    readers = who_can(resolver, "s3:GetObject",
                      "arn:aws:s3:::example-public-website/index.html")
    start = resolver.caller("444455556666:user/dev-alice")
    return OrgDemo(report, readers, assume_paths(resolver, start), start.display)

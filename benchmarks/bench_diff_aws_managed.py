"""`diff` over every AWS managed policy: each against itself, and each previous version
against its latest.

    python benchmarks/bench_diff_aws_managed.py [CACHE_JSON] [--limit N]

A policy diffed with itself must report nothing (any finding is a false positive of the
set comparison); previous -> latest counts how many updates widened access, as Access
Analyzer's CheckNoNewAccess would be asked on each update. Reads the cache that
`scripts/aws_managed_policies.py fetch` writes (git-ignored, never committed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from policy_engine.analysis.access_diff import diff_policies
from policy_engine.errors import PolicyEngineError
from policy_engine.parse import parse_policy

DEFAULT = Path(__file__).parents[1] / ".cache/aws-managed-policies/managedPolicies.json"


def _parse(document: object, name: str):  # -> ParsedPolicy | None
    try:
        return parse_policy(document, kind="aws-managed", source=name)
    except PolicyEngineError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cache", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if not args.cache.exists():
        print(f"no cache at {args.cache}: run scripts/aws_managed_policies.py fetch")
        return 2
    corpus = json.loads(args.cache.read_text(encoding="utf-8"))
    names = sorted(corpus)[: args.limit or None]
    self_findings = widened = compared = 0
    start = time.perf_counter()
    for name in names:
        entry = corpus[name]
        versions = entry["versions"]
        latest = _parse(versions[entry["latestVersionId"]]["document"], name)
        if latest is None:
            continue
        self_report = diff_policies(latest, latest, prove=False)
        self_findings += len(self_report.new_access)
        if self_report.new_access:
            print(f"false positive: {name}: {self_report.new_access[0]}")
        ids = sorted(versions, key=lambda v: int(v.lstrip("v")))
        if len(ids) > 1:
            previous = _parse(versions[ids[-2]]["document"], name)
            if previous is not None:
                compared += 1
                widened += not diff_policies(previous, latest, prove=False).passed
    elapsed = time.perf_counter() - start
    print(f"policies: {len(names)}; self-diff findings: {self_findings}; previous->latest "
          f"compared: {compared}, widened: {widened}; {elapsed:.1f} s "
          f"({1000 * elapsed / max(1, len(names) + compared):.1f} ms per diff)")
    return 0 if self_findings == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

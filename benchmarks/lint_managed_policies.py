"""Lint the latest version of every AWS managed policy (issue 7: "no error-level finding on
any of AWS's own managed policies").

    python benchmarks/lint_managed_policies.py [--cache DIR] [--kind K] [--show N]

Reads `.cache/aws-managed-policies/managedPolicies.json` relative to the repository (or
`--cache DIR`); when it is absent, fetch it first with

    python scripts/aws_managed_policies.py fetch

(the documents are AWS's and stay in the git-ignored cache). Each latest version is linted
as kind `aws-managed` (or `--kind`, e.g. `identity` to see what a customer policy with the
same text would get), through the same path as `policy-engine lint`: the document is read
as a policy file (its 2-space JSON text), so findings carry lines.

Prints the number of policies, the time (wall and CPU), the counts per severity and per
rule, and the first `--show` findings of each rule. Exit 1 when any finding is of error
severity (each is listed), 2 when the cache is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from policy_engine.lint.api import lint_inputs
from policy_engine.lint.document import LintInput
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.inputs import policy_file
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind

ROOT = Path(__file__).parents[1]
CACHE = ROOT / ".cache" / "aws-managed-policies"
DATA = "managedPolicies.json"


def latest_documents(cache: Path) -> list[tuple[str, Any]]:
    """(policy name, latest version's document) for every policy, by name."""
    policies = json.loads((cache / DATA).read_text(encoding="utf-8"))
    out = []
    for name, entry in sorted(policies.items()):
        version = entry["versions"][entry["latestVersionId"]]
        out.append((name, version["document"]))
    return out


def read_all(documents: list[tuple[str, Any]], kind: PolicyKind) -> list[LintInput]:
    return [policy_file.read(json.dumps(document, indent=2), Path(f"{name}.json"), kind)
            for name, document in documents]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help=f"folder holding {DATA} (default: the repository's .cache)")
    parser.add_argument("--kind", type=PolicyKind, default=PolicyKind.AWS_MANAGED,
                        help="lint every document as this kind (default aws-managed)")
    parser.add_argument("--show", type=int, default=3,
                        help="findings to show per rule (default 3)")
    args = parser.parse_args(argv)
    if not (args.cache / DATA).exists():
        print(f"no {args.cache / DATA}: fetch it with `python scripts/aws_managed_policies.py "
              "fetch` (or give --cache DIR)", file=sys.stderr)
        return 2

    documents = latest_documents(args.cache)
    wall, cpu = time.perf_counter(), time.process_time()
    inputs = read_all(documents, args.kind)
    report = lint_inputs(inputs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    findings = report.findings
    print(f"{len(documents):,} AWS managed policies (latest versions) linted as "
          f"{args.kind.value} in {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({len(documents) / max(wall, 1e-9):,.0f} policies/s; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}); catalogue "
          f"{report.catalog_version}; {len(report.rules)} rules in force")
    if report.errors:
        print(f"{len(report.errors)} documents could not be read:")
        for problem in report.errors[:10]:
            print(f"  {problem.one_line()}")
    counts = report.counts()
    print("\nper severity: " + ", ".join(f"{s} {counts[s]:,}" for s in counts))
    with_any = len({f.source for f in findings})
    print(f"policies with at least one finding: {with_any:,} of {len(documents):,}")

    by_rule: dict[str, list[LintFinding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.code].append(finding)
    print(f"\n{'rule':<44} {'severity':<17} {'findings':>8} {'policies':>8}")
    for code, found in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0])):
        policies = len({f.source for f in found})
        print(f"{code:<44} {found[0].severity.value:<17} {len(found):>8,} {policies:>8,}")
    if args.show:
        print()
        for _, found in sorted(by_rule.items()):
            for finding in found[:args.show]:
                print(f"  {finding.one_line()}")

    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        print(f"\n{len(errors)} ERROR-LEVEL FINDINGS on AWS managed policies "
              f"({Counter(f.code for f in errors).most_common()}):")
        for finding in errors:
            print(f"  {finding.one_line()}")
        return 1
    print("\nno error-level finding on any AWS managed policy")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())

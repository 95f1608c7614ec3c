"""Speed of `policy-engine lint` (issue 7: 1,000 policy files in under 10 s, a 2,000-policy
snapshot in under 10 s).

    python benchmarks/bench_lint.py [--files N] [--principals N] [--repeat N] [--profile]
                                    [--keep DIR] [--seed N]

Generates, with a seeded RNG, two workloads in a temporary folder (or `--keep DIR`):
  (a) `--files` (default 1,000) policy files of mixed kinds, each named so that lint
      guesses its kind from the path (`0042.trust.json`, `0043.s3-bucket.json`): identity
      policies (the statement mix of `bench_accounts.py`: service actions, Get*/Describe*
      wildcards, `service:*` with a region condition, `${aws:username}` and tag
      conditions, sts:AssumeRole to other accounts, an MFA Deny, iam:PassRole with
      iam:PassedToService), trust policies (services, same-account principals with MFA,
      other accounts with an organization or external-id condition), S3 bucket policies
      (TLS deny, named roles, partner account, organization reads, a public prefix), SQS,
      SNS and KMS key policies, SCPs; about one file in ten carries a real problem (an
      action typo, iam:PassRole on *, a public queue, a key without its root statement);
  (b) an account snapshot holding at least 2,000 policies (`bench_accounts.py`'s
      organization: `policy-engine-snapshot/1` file naming one authorization-details file
      per account; users, groups and roles with inline and managed policies, trust policies,
      permissions boundaries, bucket policies, SCPs).

Measured:
  (a) `policy-engine lint DIR/*.json --format json` in a subprocess, end to end (process
      start, imports, reading, output), and the same files through `lint_paths` in-process;
  (b) `policy-engine lint --env SNAPSHOT --format json` in a subprocess, and `lint_paths(
      envs=[SNAPSHOT])` in-process. `--env` is read by `policy_engine.lint.inputs.snapshot`;
      when that module is missing or the command fails, the figure says "not measured" and
      why.
Each figure gives wall and CPU seconds (CPU of the child for subprocesses: steadier than
wall on a shared machine, where wall times move 2x between runs), the per-policy rate, and
the target; the ratios CLI/in-process and snapshot/files per policy follow, with the load
average at start and end. A cProfile of the in-process run follows each figure that misses
its target (or every one with `--profile`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_accounts import ORG_ID, AccountPlan, Generator, write_organization

from policy_engine.lint.api import lint_paths

FILES_TARGET = 10.0  # seconds for 1,000 policy files
SNAPSHOT_TARGET = 10.0  # seconds for a 2,000-policy snapshot
SEED = 20261202
VERSION = "2012-10-17"
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")

# kind word in the file name -> share of the files
MIX = (("identity", 0.45), ("trust", 0.15), ("s3-bucket", 0.15), ("sqs-queue", 0.07),
       ("sns-topic", 0.05), ("kms-key", 0.08), ("scp", 0.05))


# --- (a) policy files ------------------------------------------------------------------


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


class FileWorkload:
    """Policies of every kind in `MIX`, drawn from `bench_accounts.Generator`'s statements
    plus the resource-policy kinds it does not make."""

    def __init__(self, seed: int) -> None:
        self.gen = Generator(seed)
        self.rng = self.gen.rng
        self.plans = [AccountPlan(self.gen.account_id(), name, 40, 30, 4, 10)
                      for name in ("prod", "data", "sandbox")]
        for index, plan in enumerate(self.plans):
            self.gen.name_principals(plan)
            plan.buckets = [f"lint-bench-{plan.name}-{k}-{index}" for k in
                            ("data", "logs", "reports", "assets")]
        self.buckets = [b for plan in self.plans for b in plan.buckets]

    def policy(self, kind: str) -> dict[str, Any]:
        plan = self.rng.choice(self.plans)
        others = [p for p in self.plans if p is not plan]
        broken = self.rng.random() < 0.1
        if kind == "identity":
            assumable = [arn for other in others for arn in other.role_arns[:10]]
            document = self.gen.identity_document(plan, self.buckets, assumable, 1, 8)
            if broken:
                document["Statement"].append(self.rng.choice([
                    {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"},
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                    {"Effect": "Allow", "Action": "*", "Resource": "*"}]))
            return document
        if kind == "trust":
            return self.gen.trust_document(plan, others, ORG_ID)[0]
        if kind == "s3-bucket":
            return self.gen.bucket_policy(self.rng.choice(plan.buckets), plan, others, ORG_ID,
                                          public=broken)
        region = self.rng.choice(REGIONS)
        if kind == "sqs-queue":
            queue = f"arn:aws:sqs:{region}:{plan.id}:q-{self.rng.randint(1, 999)}"
            statements = [{"Sid": "TopicDelivers", "Effect": "Allow",
                           "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": "sqs:SendMessage", "Resource": queue,
                           "Condition": {"ArnEquals": {"aws:SourceArn":
                                                       f"arn:aws:sns:{region}:{plan.id}:t"}}},
                          {"Sid": "Consumers", "Effect": "Allow",
                           "Principal": {"AWS": self.rng.sample(plan.role_arns, 2)},
                           "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                           "Resource": queue}]
            if broken:
                statements.append({"Effect": "Allow", "Principal": "*",
                                   "Action": "sqs:SendMessage", "Resource": queue})
            return _doc(*statements)
        if kind == "sns-topic":
            topic = f"arn:aws:sns:{region}:{plan.id}:events-{self.rng.randint(1, 999)}"
            return _doc({"Sid": "Owner", "Effect": "Allow",
                         "Principal": {"AWS": f"arn:aws:iam::{plan.id}:root"},
                         "Action": ["sns:Publish", "sns:Subscribe"], "Resource": topic},
                        {"Sid": "BucketEvents", "Effect": "Allow",
                         "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
                         "Resource": topic,
                         "Condition": {"StringEquals": {"aws:SourceAccount": plan.id}}})
        if kind == "kms-key":
            statements = [{"Sid": "KeyUsers", "Effect": "Allow",
                           "Principal": {"AWS": self.rng.sample(plan.role_arns, 3)},
                           "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                           "Resource": "*"}]
            if not broken:
                statements.insert(0, {"Sid": "EnableRoot", "Effect": "Allow",
                                      "Principal": {"AWS": f"arn:aws:iam::{plan.id}:root"},
                                      "Action": "kms:*", "Resource": "*"})
            return _doc(*statements)
        # scp
        return _doc({"Sid": "DenyOutsideRegions", "Effect": "Deny",
                     "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
                     "Resource": "*",
                     "Condition": {"StringNotEquals": {"aws:RequestedRegion":
                                                       self.rng.sample(REGIONS, 2)}}},
                    {"Sid": "ProtectTrail", "Effect": "Deny",
                     "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
                     "Resource": "*"})


def write_files(directory: Path, count: int, seed: int) -> tuple[list[Path], Counter[str]]:
    workload = FileWorkload(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    paths, mix = [], Counter()
    for index in range(count):
        kind = workload.rng.choices(kinds, weights)[0]
        path = directory / f"{index:04d}.{kind}.json"
        path.write_text(json.dumps(workload.policy(kind), indent=2) + "\n", encoding="utf-8")
        paths.append(path)
        mix[kind] += 1
    return paths, mix


# --- (b) the snapshot --------------------------------------------------------------------


def snapshot_policy_count(snapshot: Path) -> int:
    """Policies in force in the snapshot: inline, trust and managed policies (the default
    version; older versions grant nothing), bucket policies and SCPs."""
    value = json.loads(snapshot.read_text(encoding="utf-8"))
    count = len(value.get("organization", {}).get("policies", {}))
    count += sum(1 for b in value.get("resources", {}).get("s3_buckets", []) if b.get("policy"))
    for account in value["accounts"]:
        details = json.loads((snapshot.parent / account["authorization_details"]).read_text(
            encoding="utf-8"))
        count += sum(len(u.get("UserPolicyList", [])) for u in details["UserDetailList"])
        count += sum(len(g.get("GroupPolicyList", [])) for g in details["GroupDetailList"])
        count += sum(1 + len(r.get("RolePolicyList", [])) for r in details["RoleDetailList"])
        count += len(details["Policies"])
    return count


def write_snapshot(directory: Path, principals: int, seed: int, minimum: int = 2_000
                   ) -> tuple[Path, int]:
    """`bench_accounts.py`'s organization, grown until it holds `minimum` policies."""
    while True:
        workload = write_organization(directory, principals, seed)
        count = snapshot_policy_count(workload.snapshot_path)
        if count >= minimum:
            return workload.snapshot_path, count
        principals = int(principals * minimum / count * 1.05) + 1


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    seconds: float | None
    cpu: float | None
    policies: int
    target: float | None
    note: str = ""

    @property
    def missed(self) -> bool:
        return self.target is not None and (self.seconds is None or self.seconds >= self.target)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if self.seconds is None:
            return f"< {self.target:g} s  NOT MEASURED"
        return f"< {self.target:g} s  {'met' if self.seconds < self.target else 'MISSED'}"


def policy_engine_command() -> list[str] | None:
    found = shutil.which("policy-engine")
    if found is None:
        beside = Path(sys.executable).parent / "policy-engine"
        found = str(beside) if beside.exists() else None
    return None if found is None else [found]


@dataclass
class CliRun:
    seconds: float
    cpu: float
    code: int
    output: dict[str, Any] | None
    error: str


def run_cli(argv: list[str]) -> CliRun:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        code = subprocess.run(argv, stdout=out, stderr=err, check=False).returncode
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace").strip()
    try:
        output = json.loads(stdout) if code in (0, 1) else None
    except json.JSONDecodeError:
        output = None
    lines = stderr.splitlines()
    return CliRun(seconds, cpu, code, output, lines[-1] if lines else "(nothing on stderr)")


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    value = run()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def cli_figure(label: str, argv: list[str], repeat: int, policies: int, target: float
               ) -> tuple[Figure, dict[str, Any] | None]:
    runs = [run_cli(argv) for _ in range(repeat)]
    good = [r for r in runs if r.output is not None]
    if not good:
        last = runs[-1]
        return Figure(label, None, None, policies, target,
                      f"exit {last.code}: {last.error[:160]}"), None
    output = good[0].output
    assert output is not None
    linted = sum(f["policies"] for f in output["files"])
    walls = [r.seconds for r in good]
    note = (f"{linted:,} policies linted, {len(output['findings']):,} findings, "
            f"exit {good[0].code}; "
            + (f"median of {len(walls)}, {min(walls):.2f}–{max(walls):.2f} s"
               if len(walls) > 1 else "1 run"))
    return Figure(label, statistics.median(walls), statistics.median(r.cpu for r in good),
                  linted or policies, target, note), output


def library_figure(label: str, run: Callable[[], Any], repeat: int, policies: int,
                   target: float) -> tuple[Figure, Any]:
    try:
        runs = [timed(run) for _ in range(repeat)]
    except Exception as error:  # --env before its reader is merged: say so, go on
        return Figure(label, None, None, policies, target,
                      f"{type(error).__name__}: {str(error)[:160]}"), None
    report = runs[0][0]
    if report.errors:
        return Figure(label, None, None, policies, target,
                      f"could not read: {report.errors[0].one_line()[:160]}"), None
    linted = sum(f.documents for f in report.files)
    walls = [wall for _, wall, _ in runs]
    note = (f"{linted:,} policies, {len(report.findings):,} findings; "
            + (f"median of {len(walls)}, {min(walls):.2f}–{max(walls):.2f} s"
               if len(walls) > 1 else "1 run"))
    return Figure(label, statistics.median(walls), statistics.median(c for _, _, c in runs),
                  linted or policies, target, note), report


def profiled(run: Callable[[], object], top: int = 20) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write("by own time:\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write("by cumulative time:\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rate(count: int, seconds: float | None) -> str:
    return "—" if not seconds else f"{count / seconds:,.0f}"


def print_table(figures: list[Figure]) -> None:
    width = max(len(f.label) for f in figures)
    print(f"{'figure':<{width}}  {'wall s':>7}  {'CPU s':>7}  {'policies/s':>10}  "
          f"{'per CPU s':>9}  target (judged on wall)")
    print("-" * (width + 70))
    for f in figures:
        wall = "—" if f.seconds is None else f"{f.seconds:.2f}"
        cpu = "—" if f.cpu is None else f"{f.cpu:.2f}"
        print(f"{f.label:<{width}}  {wall:>7}  {cpu:>7}  {_rate(f.policies, f.seconds):>10}  "
              f"{_rate(f.policies, f.cpu):>9}  {f.verdict}")
        if f.note:
            print(f"{'':<{width}}    {f.note}")


def _ratio(one: Figure, other: Figure, what: str) -> str | None:
    if not (one.seconds and other.seconds and one.cpu and other.cpu):
        return None
    return (f"{what}: {one.seconds / other.seconds:.2f}x wall, {one.cpu / other.cpu:.2f}x CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1_000, help="policy files for (a)")
    parser.add_argument("--principals", type=int, default=600,
                        help="users and roles to start the snapshot from; grown until it "
                        "holds 2,000 policies (default 600)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each figure; the median is reported (default 2)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--skip-snapshot", action="store_true", help="measure (a) only")
    parser.add_argument("--profile", action="store_true",
                        help="profile every in-process figure, not only those that miss")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the generated files into this folder and keep them")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {_load()}; seed {args.seed}")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return _run(args, args.keep)
    with tempfile.TemporaryDirectory() as scratch:
        return _run(args, Path(scratch))


def _run(args: argparse.Namespace, directory: Path) -> int:
    command = policy_engine_command()
    files_dir = directory / "policies"
    files_dir.mkdir(exist_ok=True)
    (paths, mix), gen_s, _ = timed(lambda: write_files(files_dir, args.files, args.seed))
    size = sum(p.stat().st_size for p in paths)
    print(f"(a) {len(paths):,} policy files ({size / 1e6:.1f} MB; "
          + ", ".join(f"{k} {n}" for k, n in mix.most_common()) + f"), written in {gen_s:.1f} s")
    figures: list[Figure] = []
    profiles: list[tuple[str, Callable[[], object]]] = []

    if command is None:
        figures.append(Figure("(a) CLI lint of the files", None, None, len(paths), FILES_TARGET,
                              "the `policy-engine` script is not on PATH nor beside "
                              f"{sys.executable}"))
    else:
        figure, _ = cli_figure(f"(a) CLI: policy-engine lint DIR/*.json --format json "
                               f"({len(paths):,} files)",
                               [*command, "lint", *map(str, paths), "--format", "json"],
                               args.repeat, len(paths), FILES_TARGET)
        figures.append(figure)
    files_lib, report = library_figure("(a) in-process: lint_paths(files)",
                                       lambda: lint_paths(paths), args.repeat, len(paths),
                                       FILES_TARGET)
    figures.append(files_lib)
    if report is not None:
        by_rule = Counter(f.code for f in report.findings).most_common()
        print("    findings by rule: " + (", ".join(f"{code} {n}" for code, n in by_rule)
                                          or "none"))
    if args.profile or files_lib.missed:
        profiles.append(("(a) lint_paths over the files", lambda: lint_paths(paths)))

    if not args.skip_snapshot:
        snap_dir = directory / "snapshot"
        snap_dir.mkdir(exist_ok=True)
        (snapshot, count), snap_s, _ = timed(
            lambda: write_snapshot(snap_dir, args.principals, args.seed))
        snap_mb = sum(p.stat().st_size for p in snap_dir.iterdir()) / 1e6
        print(f"(b) snapshot with {count:,} policies ({snap_mb:.1f} MB in "
              f"{len(list(snap_dir.iterdir()))} files), written in {snap_s:.1f} s")
        if command is not None:
            figure, _ = cli_figure("(b) CLI: policy-engine lint --env SNAPSHOT --format json",
                                   [*command, "lint", "--env", str(snapshot), "--format",
                                    "json"], args.repeat, count, SNAPSHOT_TARGET)
            figures.append(figure)
        snap_lib, _ = library_figure("(b) in-process: lint_paths(envs=[SNAPSHOT])",
                                     lambda: lint_paths([], envs=[snapshot]), args.repeat,
                                     count, SNAPSHOT_TARGET)
        figures.append(snap_lib)
        if snap_lib.seconds is not None and (args.profile or snap_lib.missed):
            profiles.append(("(b) lint_paths over the snapshot",
                             lambda: lint_paths([], envs=[snapshot])))

    print()
    print_table(figures)
    ratios = []
    cli_a = next((f for f in figures if f.label.startswith("(a) CLI")), None)
    cli_b = next((f for f in figures if f.label.startswith("(b) CLI")), None)
    lib_b = next((f for f in figures if f.label.startswith("(b) in-process")), None)
    if cli_a is not None:
        ratios.append(_ratio(cli_a, files_lib, "(a) CLI / in-process"))
    if cli_b is not None and lib_b is not None:
        ratios.append(_ratio(cli_b, lib_b, "(b) CLI / in-process"))
    if lib_b is not None and lib_b.cpu and files_lib.cpu:
        ratios.append(f"per policy, snapshot / files (in-process CPU): "
                      f"{(lib_b.cpu / lib_b.policies) / (files_lib.cpu / files_lib.policies):.2f}x")
    for line in filter(None, ratios):
        print(line)
    print(f"(load average at the end: {_load()}; other processes on the machine raise the wall "
          "times, not the CPU times)")
    for title, run in profiles:
        print(f"\nprofile of {title} (cProfile):")
        print(profiled(run))
    return 1 if any(f.missed for f in figures if f.seconds is not None) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The access matrix on a synthetic organization (issue 14, "What must be shown").

    python benchmarks/bench_matrix.py [--accounts 100] [--users 60] [--roles 40]
                                      [--resources 20] [--sample PATTERN] [--keep DIR]

The organization comes from the generator the brute-force test proves the matrix on
(`tests/matrix/matrix_org_builder.py`), at scale and with far-reaching statements rarer
(`broad` 0.2: `*` actions, `NotAction`, `Principal: "*"` and organization-wide grants), as
in real organizations: 100 accounts of 60 users and 40 roles (10,000 principals), 20
resources each (2,000: buckets, keys, queues, topics, functions, layers, secrets,
repositories), every one with a resource policy; five accounts outside the organization.

Measured in one run:
  (a) the full matrix with 2 local workers, written to a JSON Lines file: wall time,
      cells, cells per second per core (cells / CPU seconds of every process), the
      evaluations the shortcuts saved, peak memory (largest resident set of this process
      and of any worker, `resource.getrusage`);
  (b) speed-up from 1 to 2 local workers and (c) from 1 to 2 Dask workers (a
      LocalCluster of worker processes), each on the same sample of principals
      (`--sample`, users 0-4 of every account: 500 principals), as a ratio;
plus the CPU rate (CPU seconds per wall second) and the load average before and after:
the machine is shared, so the wall-clock figures depend on what else runs.
Targets: (a) under 5 minutes and under 2 GB; (b) and (c) at least 1.6.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "matrix"))

from matrix_org_builder import write_org

from policy_engine.matrix.compute import MatrixEngine, MatrixOptions, Stats
from policy_engine.matrix.run import MatrixSpec, engine_for, run_local
from policy_engine.matrix.writers import JsonlWriter
from policy_engine.snapshot import load_snapshot

SEED = 20261203
FULL_TARGET = 300.0  # seconds, the full matrix on 2 cores
MEMORY_TARGET = 2 * 1024**3  # bytes
SPEEDUP_TARGET = 1.6


class Count:
    """A sink that counts cells (the speed-up runs need no file)."""

    def __init__(self) -> None:
        self.cells = 0

    def write(self, cells: Any) -> None:
        self.cells += len(cells)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss() -> tuple[int, int]:
    """Largest resident set (bytes) of this process and of any finished child."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = run()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def dask_run(spec: MatrixSpec, workers: int) -> tuple[int, float, float]:
    """Cells, wall and worker CPU seconds on a fresh LocalCluster (engine build included
    in neither: the plugin builds it before the timed part)."""
    import distributed

    from policy_engine.matrix.dask_run import EngineLoader, principal_count, run_on

    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.register_plugin(EngineLoader(spec))
        client.submit(principal_count, spec, pure=False).result()
        before = sum(client.run(_worker_cpu).values())
        sink = Count()
        start = time.perf_counter()
        run_on(client, spec, sink)
        wall = time.perf_counter() - start
        used = sum(client.run(_worker_cpu).values()) - before
    return sink.cells, wall, used


def _worker_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--roles", type=int, default=40)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--sample", default="*:user/user-[0-4]")
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--skip-full", action="store_true", help="only the speed-ups")
    parser.add_argument("--full", default="*", help="principals of the (a) run (default "
                        "every one); on a loaded machine a sample, extrapolated by CPU time")
    args = parser.parse_args()
    load_start = os.getloadavg()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-matrix-"))
    directory.mkdir(parents=True, exist_ok=True)
    path, gen_wall, _ = timed(lambda: write_org(
        directory, seed=SEED, accounts=args.accounts, users=args.users, roles=args.roles,
        resources=args.resources, outside=5, broad=0.2))
    snapshot, load_wall, _ = timed(lambda: load_snapshot([path]))
    principals = sum(len(a.users) + len(a.roles) for a in snapshot.accounts.values())
    with_policy = sum(1 for r in snapshot.resources.values() if r.policy is not None)
    print(f"organization: {len(snapshot.accounts)} accounts, {principals} users and roles, "
          f"{len(snapshot.resources)} resources ({with_policy} with a resource policy); "
          f"{path.stat().st_size / 1e6:.1f} MB written in {gen_wall:.1f} s, loaded in "
          f"{load_wall:.1f} s")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)} "
          f"({os.cpu_count()} CPUs)")

    if not args.skip_full:
        output = directory / "matrix.jsonl"
        spec = MatrixSpec((str(path),), MatrixOptions(principal=None if args.full == "*"
                                                      else args.full))

        # The engine (principals, resources, index: the same whatever the sample) is built
        # once per run and inherited by the workers; timed apart so that a sample's
        # extrapolation scales only the per-principal work.
        _, build_wall, build_cpu = timed(lambda: engine_for(spec, snapshot))

        def full() -> Stats:
            with output.open("w", encoding="utf-8") as stream:
                writer = JsonlWriter(stream, {"sources": [str(path)]})
                return run_local(spec, writer, jobs=2, snapshot=snapshot)

        stats, wall, cpu = timed(full)
        wall, work_cpu, cpu = wall + build_wall, cpu, cpu + build_cpu
        own, child = peak_rss()
        print("\n(a) full matrix, 2 local workers (engine build included: "
              f"{build_wall:.1f} s wall, {build_cpu:.1f} CPU s)")
        verdict = ("met" if wall < FULL_TARGET else "missed") if args.full == "*" else \
            "a sample: the target is for the whole organization, see below"
        print(f"  wall {wall:.1f} s (target < {FULL_TARGET:.0f} s: {verdict}); CPU "
              f"{cpu:.1f} s, CPU rate {cpu / wall:.2f} of 2 cores")
        print(f"  {stats.cells:,} cells with access from {stats.principals:,} principals × "
              f"{stats.pairs // max(1, stats.principals):,} matrix resources "
              f"({stats.pairs:,} pairs); file {output.stat().st_size / 1e6:.0f} MB")
        print(f"  cells/s: {stats.cells / wall:,.0f} wall, {stats.cells / cpu:,.0f} per core "
              f"(per CPU second); pairs/s per core {stats.pairs / cpu:,.0f}")
        saved = stats.naive_evaluations - stats.evaluations
        print(f"  evaluations: {stats.evaluations:,} made of {stats.naive_evaluations:,} "
              f"naive ({saved / max(1, stats.naive_evaluations):.2%} saved): skipping "
              f"{stats.saved_by_skipping:,} ({stats.pairs - stats.pairs_evaluated:,} of "
              f"{stats.pairs:,} pairs never evaluated), grouping actions "
              f"{stats.saved_by_sharing:,}, actions no Allow statement matches "
              f"{stats.saved_by_action:,}")
        if args.full != "*":
            everyone = len(MatrixEngine(snapshot).principals)
            scale = everyone / max(1, stats.principals)
            # The build once (one process), the cells' work scaled and shared by 2 cores.
            whole = build_cpu + work_cpu * scale
            on_two = build_cpu + work_cpu * scale / 2
            print(f"  a sample of {stats.principals:,} of {everyone:,} principals "
                  f"(`{args.full}`): the whole organization at this CPU cost per principal "
                  f"would take {whole:,.0f} CPU s, {on_two:,.0f} s on 2 free cores (the "
                  f"engine build once, the work scaled; extrapolated, not measured; target "
                  f"< {FULL_TARGET:.0f} s: {'met' if on_two < FULL_TARGET else 'missed'})")
        print(f"  peak memory: this process {own / 2**20:,.0f} MiB, largest worker "
              f"{child / 2**20:,.0f} MiB (target < 2,048: "
              f"{'met' if max(own, child) < MEMORY_TARGET else 'missed'})")

    sample = MatrixSpec((str(path),), MatrixOptions(principal=args.sample))
    print(f"\nspeed-ups on the sample `{args.sample}` (engine built before timing)")
    run_local(sample, Count(), jobs=1, snapshot=snapshot)  # build the sample's engine
    local: dict[int, tuple[int, float, float]] = {}
    for jobs in (1, 2):
        sink = Count()
        _, wall, cpu = timed(lambda j=jobs, s=sink: run_local(sample, s, jobs=j))
        local[jobs] = (sink.cells, wall, cpu)
    dask = {workers: dask_run(sample, workers) for workers in (1, 2)}
    for name, runs in (("local workers", local), ("Dask workers", dask)):
        (cells1, wall1, cpu1), (cells2, wall2, cpu2) = runs[1], runs[2]
        assert cells1 == cells2, "the same cells whatever the workers"
        ratio = wall1 / wall2
        print(f"  (b/c) {name}: 1 → {wall1:.1f} s, 2 → {wall2:.1f} s: speed-up "
              f"{ratio:.2f} (target ≥ {SPEEDUP_TARGET}: "
              f"{'met' if ratio >= SPEEDUP_TARGET else 'missed'}); CPU rate "
              f"{cpu1 / wall1:.2f} and {cpu2 / wall2:.2f}; {cells1:,} cells")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

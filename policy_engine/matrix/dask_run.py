"""The matrix on a Dask cluster (`--dask tcp://SCHEDULER:8786`, or `--dask local` for a
`LocalCluster` of `--jobs` worker processes): the work is split by chunks of principals,
as in local runs, and the results are gathered in order with a bounded number of chunks
in flight, into the same file a local run writes.

Each worker builds the engine once: a worker plugin loads the snapshot and builds the
principals, resources and index when the worker joins (or when the plugin is registered),
and every chunk the worker runs reuses it (`run.engine_for`). Workers read the snapshot
from the paths given to `--env`, so on a cluster those paths must be visible to every
worker (a shared filesystem, or the same checkout on each machine).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from policy_engine.errors import InputReadError, Problem, ProblemCode, missing_extra
from policy_engine.matrix.compute import Stats
from policy_engine.matrix.run import MatrixSpec, Sink, chunks, compute_chunk, engine_for, in_order

try:  # the plugin's base class; without Dask `_distributed()` says what to install
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - the dask extra is in dev
    WorkerPlugin = object  # type: ignore[assignment,misc]

CONNECT_TIMEOUT = "3s"
_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+(:\d+)?/?$")


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise missing_extra("Dask's distributed scheduler", "dask", option="--dask") from None
    return distributed


def principal_count(spec: MatrixSpec) -> int:
    return len(engine_for(spec).principals)


class EngineLoader(WorkerPlugin):  # type: ignore[misc]
    """A worker plugin: build the engine when the worker starts (once per worker)."""

    name = "policy-engine-matrix"

    def __init__(self, spec: MatrixSpec) -> None:
        self.spec = spec

    def setup(self, worker: Any) -> None:
        engine_for(self.spec)


@contextmanager
def _quiet() -> Iterator[None]:
    """Dask logs every failed connection attempt; the one-line error says it all."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.client",
                                              "distributed.comm", "distributed.core")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def dask_client(address: str, workers: int) -> Iterator[Any]:
    distributed = _distributed()
    if address == "local":
        cluster = distributed.LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    if not _ADDRESS.match(address):
        raise InputReadError(Problem(
            ProblemCode.INVALID_VALUE, f"`{address}` is not a scheduler address: write "
            "tcp://HOST:PORT (or `local`)", source="--dask"))
    with _quiet():
        try:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise InputReadError(Problem(
                ProblemCode.UNREADABLE, f"cannot reach the Dask scheduler at {address} "
                f"within {CONNECT_TIMEOUT} ({type(error).__name__})", source="--dask")) from None
    try:
        yield client
    finally:
        client.close()


def run_on(client: Any, spec: MatrixSpec, sink: Sink) -> Stats:
    """Chunks of principals on the client's workers, results written in order. A
    worker's `PolicyEngineError` (a snapshot it cannot read) comes back as itself."""
    client.register_plugin(EngineLoader(spec))
    count = client.submit(principal_count, spec, pure=False).result()
    live = max(1, len(client.scheduler_info().get("workers", {})))
    total = Stats()

    def submit(part: tuple[int, int]) -> Any:
        return client.submit(compute_chunk, spec, *part, pure=False)

    for cells, stats in in_order(submit, chunks(count, live), window=live * 4):
        sink.write(cells)
        total.add(stats)
    return total


def run_dask(spec: MatrixSpec, sink: Sink, *, address: str, workers: int = 2) -> Stats:
    with dask_client(address, workers) as client:
        return run_on(client, spec, sink)

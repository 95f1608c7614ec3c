"""Running the matrix: in this process, in local worker processes (`--jobs N`), or on a
Dask cluster (`matrix.dask_run`), always by chunks of principals whose results are
written in the principals' order, with a bounded number of chunks in flight so memory
stays bounded however large the organization.

A worker builds the `MatrixEngine` (snapshot loaded, principals, resources and index
built) once and keeps it for every chunk it is given (`engine_for`). Local workers are
forked from the process that already built it, so they start with it.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from policy_engine.matrix.compute import MatrixEngine, MatrixOptions, Stats
from policy_engine.matrix.model import Cell
from policy_engine.snapshot import Snapshot, load_snapshot

T = TypeVar("T")
MAX_CHUNK = 64  # principals per chunk: small enough to balance, large enough to amortise


@dataclass(frozen=True)
class MatrixSpec:
    """What a worker needs to build the engine: picklable, and a key of its cache."""

    paths: tuple[str, ...]
    options: MatrixOptions = field(default_factory=MatrixOptions)


_ENGINES: dict[MatrixSpec, MatrixEngine] = {}


def engine_for(spec: MatrixSpec, snapshot: Snapshot | None = None) -> MatrixEngine:
    found = _ENGINES.get(spec)
    if found is None:
        loaded = snapshot if snapshot is not None else load_snapshot(list(spec.paths))
        found = _ENGINES[spec] = MatrixEngine(loaded, spec.options)
    return found


def compute_chunk(spec: MatrixSpec, start: int, stop: int) -> tuple[list[Cell], Stats]:
    engine = engine_for(spec)
    stats = Stats()
    cells: list[Cell] = []
    for principal in engine.principals[start:stop]:
        cells.extend(engine.cells_for(principal, stats))
    return cells, stats


def chunks(count: int, workers: int) -> list[tuple[int, int]]:
    size = max(1, min(MAX_CHUNK, count // max(1, workers * 8)))
    return [(start, min(count, start + size)) for start in range(0, count, size)]


class _Future(Protocol):
    def result(self) -> Any: ...


def in_order(submit: Callable[[tuple[int, int]], _Future], items: Iterable[tuple[int, int]],
             window: int) -> Iterator[Any]:
    """Results in submission order, never more than `window` submitted and not taken."""
    pending: deque[_Future] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class Sink(Protocol):
    def write(self, cells: Iterable[Cell]) -> None: ...


def run_local(spec: MatrixSpec, sink: Sink, *, jobs: int = 1,
              snapshot: Snapshot | None = None) -> Stats:
    engine = engine_for(spec, snapshot)
    total = Stats()
    parts = chunks(len(engine.principals), jobs)
    if jobs <= 1:
        results: Iterable[tuple[list[Cell], Stats]] = (
            compute_chunk(spec, start, stop) for start, stop in parts)
        for cells, stats in results:
            sink.write(cells)
            total.add(stats)
        return total
    # Forked workers inherit the engine already built here.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        def submit(part: tuple[int, int]) -> _Future:
            return pool.submit(compute_chunk, spec, *part)

        for cells, stats in in_order(submit, parts, window=jobs * 4):
            sink.write(cells)
            total.add(stats)
    return total


class Collect:
    """A sink that keeps every cell (tests, the report)."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []

    def write(self, cells: Iterable[Cell]) -> None:
        self.cells.extend(cells)

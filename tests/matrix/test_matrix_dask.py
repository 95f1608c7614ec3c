"""The matrix on Dask: a `LocalCluster` of two worker processes gives the same cells, in
the same order, as the local run, through the library and through the CLI with the
scheduler's address; a scheduler that cannot be reached, and a snapshot its workers
cannot read, are one line with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from matrix_org_builder import write_org
from test_matrix_cli import ORG, run

from policy_engine.matrix.dask_run import run_on
from policy_engine.matrix.run import Collect, MatrixSpec, run_local

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local


def _local(spec: MatrixSpec) -> list:
    sink = Collect()
    run_local(spec, sink)
    return sink.cells


def test_two_dask_workers_equal_the_local_run_cell_by_cell(cluster, tmp_path: Path) -> None:
    with distributed.Client(cluster) as client:
        for path in (ORG, write_org(tmp_path, seed=21, users=3, roles=3)):
            spec = MatrixSpec((str(path),))
            sink = Collect()
            stats = run_on(client, spec, sink)
            assert sink.cells == _local(spec) and stats.cells == len(sink.cells) > 0
        # Each worker built the engine once, when the plugin was registered.
        assert len(client.scheduler_info()["workers"]) == 2


def test_the_cli_on_a_scheduler_address_writes_the_local_file(cluster, tmp_path: Path,
                                                              capsys) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert run(["matrix", "--env", str(ORG), "-o", str(local)], capsys)[0] == 0
    code, _, err = run(["matrix", "--env", str(ORG), "-o", str(remote), "--dask",
                        cluster.scheduler_address], capsys)
    assert code == 0, err
    assert remote.read_text() == local.read_text()


def test_an_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    output = tmp_path / "never.jsonl"
    code, out, err = run(["matrix", "--env", str(ORG), "-o", str(output), "--dask",
                          "tcp://127.0.0.1:1"], capsys)
    assert code == 2 and out == "" and not output.exists()
    assert err.strip() == ("error: --dask: cannot reach the Dask scheduler at "
                           "tcp://127.0.0.1:1 within 3s (OSError)")


def test_a_snapshot_the_workers_cannot_read_is_one_line_exit_2(cluster, tmp_path: Path,
                                                               capsys) -> None:
    missing = tmp_path / "missing.yaml"
    code, _, err = run(["matrix", "--env", str(missing), "--dask",
                        cluster.scheduler_address], capsys)
    assert code == 2 and err.startswith(f"error: {missing}: cannot read")
    assert len(err.strip().splitlines()) == 1

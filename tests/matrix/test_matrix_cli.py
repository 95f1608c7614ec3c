"""`policy-engine matrix` end to end: every format written and read back, local worker
processes giving the same file as one process, narrowing options, and bad input in one
line with exit 2 (shared/DESIGN.md's CLI contract)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_engine.cli.app import main
from policy_engine.matrix.read import read_cells

ORG = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_each_format_round_trips_and_workers_write_the_same_file(tmp_path: Path, capsys) -> None:
    one = tmp_path / "one.jsonl"
    code, _, err = run(["matrix", "--env", str(ORG), "-o", str(one)], capsys)
    assert code == 0 and "evaluations instead of" in err
    two = tmp_path / "two.jsonl"
    assert run(["matrix", "--env", str(ORG), "-o", str(two), "--jobs", "2"], capsys)[0] == 0
    assert one.read_text() == two.read_text()  # same cells, same order
    cells = list(read_cells(one))
    assert len(cells) > 100
    for output_format in ("csv", "parquet"):
        path = tmp_path / f"m.{output_format}"
        args = ["matrix", "--env", str(ORG), "-o", str(path), "--format", output_format]
        assert run(args, capsys)[0] == 0
        assert list(read_cells(path)) == cells


def test_narrowing_by_resource_principal_level_and_account(capsys) -> None:
    code, out, _ = run(["matrix", "--env", str(ORG), "--resource", "*public-website*",
                        "--principal", "*", "--level", "read", "--account", "111122223333"],
                       capsys)
    lines = out.splitlines()
    assert code == 0 and json.loads(lines[0])["format"] == "policy-engine-matrix/1"
    rows = [json.loads(line) for line in lines[1:]]
    assert rows == [r for r in rows if "public-website" in r["resource"]
                    and r["level"] == "Read"]
    assert [r["reach"] for r in rows if r["principal"] == "*"] == ["public"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--level", "Reed"], "--level: unknown access level `Reed`"),
    (["--env", "/nonexistent/snapshot.yaml"], "/nonexistent/snapshot.yaml: cannot read"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], expected: str, capsys) -> None:
    base = ["matrix", *([] if "--env" in args else ["--env", str(ORG)])]
    code, out, err = run([*base, *args], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and expected in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("blocked", "args", "expected"), [
    ("pyarrow", ["--format", "parquet", "-o", "m.parquet"],
     "--format parquet: needs pyarrow, which is not installed: "
     "pip install 'policy-engine[parquet]'"),
    ("distributed", ["--dask", "local"],
     "--dask: needs Dask's distributed scheduler, which is not installed: "
     "pip install 'policy-engine[dask]'"),
])
def test_a_missing_optional_dependency_is_one_line_naming_its_extra(
        blocked: str, args: list[str], expected: str, tmp_path: Path, capsys,
        monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(__import__("sys").modules, blocked, None)  # import raises
    code, _, err = run(["matrix", "--env", str(ORG), *args], capsys)
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        f"error: {expected}"], err
    assert "Traceback" not in err

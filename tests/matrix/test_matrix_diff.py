"""`policy-engine matrix-diff OLD NEW`: access that appeared fails the pipeline (exit 1),
access that went away does not; matrix files and snapshots are both accepted; a file
that is not a matrix is refused in one line (exit 2). The change made here opens a
bucket to everyone with a `Principal: "*"` statement, public by
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
("The meaning of public") since the bucket has no Block Public Access settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from test_matrix_cli import ORG, run

PUBLIC_READ = {"Sid": "NowPublic", "Effect": "Allow", "Principal": "*",
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-prod-reports/*"}


@pytest.fixture(scope="module")
def opened(tmp_path_factory) -> Path:
    """A copy of the example organization with the reports bucket made public."""
    directory = tmp_path_factory.mktemp("opened")
    for path in ORG.parent.iterdir():
        shutil.copy(path, directory / path.name)
    snapshot = yaml.safe_load((directory / "snapshot.yaml").read_text())
    bucket = next(b for b in snapshot["resources"]["s3_buckets"]
                  if b["name"] == "example-prod-reports")
    bucket["policy"]["Statement"].append(PUBLIC_READ)
    (directory / "snapshot.yaml").write_text(yaml.safe_dump(snapshot))
    return directory / "snapshot.yaml"


def test_added_public_access_fails_and_is_listed_first(opened: Path, capsys) -> None:
    code, out, _ = run(["matrix-diff", str(ORG), str(opened), "--level", "Read"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == ("+ [public] * → arn:aws:s3:::example-prod-reports/* (Read): "
                        "s3:GetObject")
    assert lines[-1].startswith("access added:")
    code, out, _ = run(["matrix-diff", str(opened), str(ORG), "--level", "Read",
                        "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["access_added"] is False and report["added"] == []
    assert {"principal": "*", "level": "Read"}.items() <= report["removed"][0].items()


def test_matrix_files_and_snapshots_mix(opened: Path, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "baseline.csv"
    assert run(["matrix", "--env", str(ORG), "-o", str(baseline), "--format", "csv"],
               capsys)[0] == 0
    code, out, _ = run(["matrix-diff", str(baseline), str(ORG)], capsys)
    assert code == 0 and out.strip().startswith("no access added: 0 cells")
    code, out, _ = run(["matrix-diff", str(baseline), str(opened)], capsys)
    assert code == 1 and "[public] * → arn:aws:s3:::example-prod-reports/*" in out


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("m.jsonl", '{"format": "something-else"}\n', "not a matrix file"),
    ("m.csv", "a,b,c\n1,2,3\n", "not a matrix file"),
    ("m.parquet", "PAR1 but not really", "not a readable Parquet file"),
])
def test_a_file_of_the_wrong_format_is_one_line_exit_2(tmp_path: Path, capsys, name: str,
                                                       content: str, expected: str) -> None:
    bad = tmp_path / name
    bad.write_text(content)
    code, out, err = run(["matrix-diff", str(bad), str(ORG)], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {bad}: ") and expected in err
    assert len(err.strip().splitlines()) == 1

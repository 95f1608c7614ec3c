"""`policy-engine validate`: in-process (CliRunner) and as the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from policy_engine.cli.app import app
from policy_engine.errors import Problem
from policy_engine.formatters.problems import (
    RENDERERS,
    FileReport,
    ReportFormat,
    render_problem,
    source_excerpt,
)

CORPUS = Path(__file__).parents[1] / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
GOOD_TRUST = CORPUS / next(e["path"] for e in MANIFEST if e["valid"] and e["kind"] == "trust")

BAD = """{
  "Version": "2012-10-17",
  "Statement": [
\t{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
  ]
}
"""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_valid_file_exits_zero(runner: CliRunner) -> None:
    result = invoke(runner, "validate", str(GOOD_TRUST), "--kind", "trust")
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "1 file: 1 valid, 0 invalid" in result.stdout


def test_invalid_file_shows_the_line_and_a_caret(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(BAD, encoding="utf-8")
    result = invoke(runner, "validate", str(path), "--kind", "identity")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "Statement[0].Effect" in line)
    assert f"{path}:4:13: Statement[0].Effect: `Alow` is not Allow or Deny" in lines[header]
    assert "[invalid-effect]" in lines[header]
    source, caret = lines[header + 1], lines[header + 2]
    assert source.endswith('{"Effect": "Alow", "Action": "s3:GetObject", '
                           '"Resource": "arn:aws:s3:::b/*"}')
    assert caret[source.index('"Alow"')] == "^"


def test_json_format_lists_every_file(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(BAD, encoding="utf-8")
    result = invoke(runner, "validate", str(GOOD_TRUST), str(bad), str(tmp_path / "nope.json"),
                    "--format", "json", "--kind", "TRUST")
    assert result.exit_code == 2
    reports = json.loads(result.stdout)
    assert [r["valid"] for r in reports] == [True, False, False]
    assert [(p["code"], p["pointer"]) for p in reports[1]["problems"]] == [
        ("missing-element", "/Statement/0/Principal"), ("invalid-effect", "/Statement/0/Effect")]
    assert reports[2]["problems"][0]["code"] == "unreadable"
    assert {r["kind"] for r in reports} == {"trust"}


def test_kind_is_guessed_and_explained(runner: CliRunner, tmp_path: Path) -> None:
    role = tmp_path / "role.json"
    role.write_text(json.dumps({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}}), encoding="utf-8")
    result = invoke(runner, "validate", str(role), "--format", "json")
    report = json.loads(result.stdout)[0]
    assert result.exit_code == 0 and report["kind"] == "trust"
    assert report["kind_reason"].startswith("guessed") and "--kind" in report["kind_reason"]
    text = invoke(runner, "validate", str(role))
    assert "kind trust: guessed" in text.stdout


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe garbage", b"[" * 10_000, b"null"])
def test_unparseable_input_is_a_problem_not_a_crash(runner: CliRunner, tmp_path: Path,
                                                    content: bytes) -> None:
    path = tmp_path / "weird.json"
    path.write_bytes(content)
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["problems"]


def test_a_one_megabyte_file_is_refused_quickly(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"Statement": [{"Sid": "x" * 1_048_576}]}), encoding="utf-8")
    started = time.perf_counter()
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert time.perf_counter() - started < 1.0
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["problems"][0]["code"] == "oversize"


def test_the_whole_corpus_through_the_cli(runner: CliRunner) -> None:
    """The same corpus as the library test, by kind, in one invocation per kind."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for entry in MANIFEST:
        by_kind[entry["kind"]].append(entry)
    for kind, entries in by_kind.items():
        paths = [str(CORPUS / e["path"]) for e in entries]
        result = invoke(runner, "validate", *paths, "--kind", kind, "--format", "json")
        reports = json.loads(result.stdout)
        assert result.exit_code == (0 if all(e["valid"] for e in entries) else 2)
        for entry, report in zip(entries, reports, strict=True):
            assert report["valid"] is entry["valid"], entry["path"]
            if not entry["valid"]:
                found = {(p["code"], p["pointer"]) for p in report["problems"]}
                assert (entry["code"], entry.get("pointer", "")) in found, entry["path"]


def _installed_script() -> str:
    found = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    assert Path(found).exists(), "the console script is not installed"
    return found


def test_installed_script_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(BAD, encoding="utf-8")
    script = _installed_script()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    ok = subprocess.run([script, "validate", str(GOOD_TRUST), "--kind", "trust"],
                        capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run([script, "validate", str(bad), str(tmp_path / "missing.json")],
                            capture_output=True, text=True, env=env, timeout=60)
    assert failed.returncode == 2
    assert "`Alow` is not Allow or Deny" in failed.stdout
    assert "cannot read the file" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000, encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run([script, "validate", str(deep), "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert json.loads(result.stdout)[0]["problems"][0]["code"] == "too-deep"
    assert time.perf_counter() - started < 30
    usage = subprocess.run([script, "validate", str(bad), "--kind", "nonsense"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


# ------------------------------------------------------------------------ formatter


def test_every_report_format_has_a_renderer() -> None:
    assert set(RENDERERS) == set(ReportFormat)


def test_source_excerpt_keeps_the_caret_under_the_column() -> None:
    line, caret = source_excerpt("a\n\tb = c\n", 2, 2)
    assert line == "    b = c" and caret == "    ^"
    assert source_excerpt("x", 5, 1) is None
    assert source_excerpt('"鍵": 1', 1, 5)[1] == "     ^"  # a wide character takes two cells


def test_render_problem_without_source_text() -> None:
    problem = Problem(code="invalid-sid", message="`a b` is not a valid Sid",
                      pointer="/Statement/0/Sid", line=3, column=7, source="p.json")
    console = Console(width=200, no_color=True, record=True)
    console.print(render_problem(problem, None))
    assert console.export_text().strip() == (
        "p.json:3:7: Statement[0].Sid: `a b` is not a valid Sid  [invalid-sid]")


def test_json_rendering_is_a_list_of_results() -> None:
    report = FileReport("p.json", "identity", "given with --kind",
                        (Problem("oversize", "too big"),))
    assert json.loads(RENDERERS[ReportFormat.JSON]([report])) == [report.to_dict()]

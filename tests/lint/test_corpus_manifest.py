"""The lint comparison corpus stays honest: its manifest names real files, kinds, planned
codes and pointers that exist; and lint finds every listed problem at its place and
nothing on the constructs the manifest says are valid.

A problem whose codes no registered rule has yet is skipped with the reason (the rules are
written in parallel by other parts of issue 7); once they are merged every check is live.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from policy_engine.lint.api import lint_paths
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.registry import default_registry

ROOT = Path(__file__).parents[2]


def _load_manifest_module() -> ModuleType:
    path = ROOT / "benchmarks" / "lint_corpus_manifest.py"
    spec = importlib.util.spec_from_file_location("lint_corpus_manifest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lint_corpus_manifest", module)
    spec.loader.exec_module(module)
    return module


corpus = _load_manifest_module()
FILES = corpus.load_manifest()
BY_NAME = {f.name: f for f in FILES}
PROBLEMS = [(f.name, index) for f in FILES for index in range(len(f.problems))]
# Problems lint misses today for a reason outside the corpus; each names its gap. Not
# strict: once a rule reporting one of the problem's codes is merged the case passes.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@cache
def _findings(name: str) -> tuple[LintFinding, ...]:
    corpus_file = BY_NAME[name]
    report = lint_paths([corpus_file.path], kind=corpus_file.kind)
    assert not report.errors, f"{name} could not be read: {report.errors}"
    return report.findings


def _registered() -> frozenset[str]:
    return frozenset(default_registry().codes)


# --- the manifest itself --------------------------------------------------------------------


def test_manifest_and_directory_list_the_same_files():
    on_disk = {p.name for p in corpus.CORPUS.glob("*.json")} - {"manifest.json"}
    assert on_disk == set(BY_NAME)


def test_corpus_is_large_enough_and_has_clean_policies():
    assert len(FILES) >= 45
    assert sum(f.clean for f in FILES) >= 5
    assert all(f.problems for f in FILES if not f.clean)
    assert not any(f.problems for f in FILES if f.clean)


def test_every_file_is_a_json_policy():
    for corpus_file in FILES:
        policy = corpus_file.policy()
        assert isinstance(policy, dict) and "Statement" in policy, corpus_file.name


def test_every_code_is_planned():
    for corpus_file in FILES:
        for problem in corpus_file.problems:
            assert set(problem.codes) <= corpus.PLANNED_CODES, (corpus_file.name, problem)
        for valid in corpus_file.must_not_flag:
            assert set(valid.codes or ()) <= corpus.PLANNED_CODES, (corpus_file.name, valid)


def test_every_planned_catalogue_permissions_and_resources_code_is_exercised():
    primary = {p.code for f in FILES for p in f.problems}
    for group in corpus.MUST_COVER:
        missing = set(corpus.PLANNED[group]) - primary
        assert not missing, f"no corpus problem for the {group} codes {sorted(missing)}"


def test_every_pointer_names_something_in_its_file():
    for corpus_file in FILES:
        policy = corpus_file.policy()
        for item in (*corpus_file.problems, *corpus_file.must_not_flag):
            assert corpus.resolve(policy, item.pointer), (corpus_file.name, item.pointer)


def test_every_entry_has_a_note():
    for corpus_file in FILES:
        for item in (*corpus_file.problems, *corpus_file.must_not_flag):
            assert item.note.strip(), (corpus_file.name, item.pointer)


# --- lint against the manifest --------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), PROBLEMS,
                         ids=[f"{n}:{BY_NAME[n].problems[i].code}" for n, i in PROBLEMS])
def test_lint_reports_each_listed_problem(name: str, index: int):
    problem = BY_NAME[name].problems[index]
    if not set(problem.codes) & _registered():
        pytest.skip(f"no rule registered yet for {'/'.join(problem.codes)} (written by another "
                    "part of issue 7; live once merged)")
    gap = KNOWN_GAPS.get((name, problem.code))
    if gap is not None and not corpus.found(problem, _findings(name)):
        pytest.xfail(gap)
    findings = _findings(name)
    assert corpus.found(problem, findings), (
        f"{name}: {problem.code} not reported at {problem.pointer!r} ({problem.note}); lint "
        f"found: {[(f.code, f.pointer) for f in findings]}")


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_lint_flags_no_valid_construct(name: str):
    wrong = corpus.false_positives(BY_NAME[name], _findings(name))
    assert not wrong, "\n".join(
        f"{name}: {finding.code} at {finding.pointer!r} on a valid construct "
        f"({valid.note}): {finding.message}" for valid, finding in wrong)


def test_manifest_file_is_formatted_as_written():
    """The manifest stays hand-editable: two-space JSON, one trailing newline."""
    text = corpus.MANIFEST.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"

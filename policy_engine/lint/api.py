"""Lint files and snapshots into a `LintReport`: the library entry point the CLI wraps."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from policy_engine.catalog import data_version
from policy_engine.errors import PolicyEngineError, Problem
from policy_engine.lint.config import LintConfig
from policy_engine.lint.document import LintInput
from policy_engine.lint.inputs import InputType, read_input
from policy_engine.lint.registry import Registry, default_registry
from policy_engine.lint.report import FileSummary, LintReport
from policy_engine.lint.run import Linter
from policy_engine.lint.severity import DEFAULT_FAIL_ON, Severity
from policy_engine.model.kinds import PolicyKind

# Reads an account snapshot (`--env`) into a LintInput; set by `lint.inputs.snapshot`.
EnvReader = Callable[[Path], LintInput]


def lint_inputs(inputs: Iterable[LintInput], *, config: LintConfig | None = None,
                registry: Registry | None = None, fail_on: Severity | None = None,
                errors: Sequence[Problem] = ()) -> LintReport:
    registry = registry or default_registry()
    config = config or LintConfig()
    linter = Linter(registry, config)
    files: list[FileSummary] = []
    findings = []
    for read in inputs:
        files.append(_summary(read))
        findings.extend(linter.lint_all(read.documents))
    threshold = fail_on or config.fail_on or DEFAULT_FAIL_ON
    # The rules in force, each at the severity the configuration gives it (SARIF's
    # rule metadata states the level its results are reported at).
    in_force = tuple(replace(found, severity=config.severity_of(found))
                     for found in registry.rules if config.enabled(found))
    return LintReport(tuple(files), tuple(findings), tuple(errors), threshold, in_force,
                      data_version())


def read_inputs(paths: Sequence[Path], *, kind: PolicyKind | None = None,
                input_type: InputType = InputType.AUTO, envs: Sequence[Path] = (),
                env_reader: EnvReader | None = None
                ) -> tuple[list[LintInput], list[Problem]]:
    """Every readable input, and one problem for each that cannot be read (the others are
    still linted: one bad file does not hide the findings of the rest)."""
    inputs: list[LintInput] = []
    errors: list[Problem] = []
    for path in paths:
        try:
            inputs.append(read_input(path, kind=kind, input_type=input_type))
        except PolicyEngineError as error:
            errors.append(_first(error, str(path)))
    for path in envs:
        if env_reader is None:
            from policy_engine.lint.inputs.snapshot import read as env_reader
        try:
            inputs.append(env_reader(path))
        except PolicyEngineError as error:
            errors.append(_first(error, str(path)))
    return inputs, errors


def lint_paths(paths: Sequence[Path], *, kind: PolicyKind | None = None,
               input_type: InputType = InputType.AUTO, envs: Sequence[Path] = (),
               config: LintConfig | None = None, registry: Registry | None = None,
               fail_on: Severity | None = None) -> LintReport:
    inputs, errors = read_inputs(paths, kind=kind, input_type=input_type, envs=envs)
    return lint_inputs(inputs, config=config, registry=registry, fail_on=fail_on,
                       errors=errors)


def _first(error: PolicyEngineError, source: str) -> Problem:
    problem = error.problems[0]
    if problem.source == "<input>":
        problem = replace(problem, source=source)
    return problem


def _summary(read: LintInput) -> FileSummary:
    kinds = tuple(dict.fromkeys(document.kind.value for document in read.documents))
    reasons = {document.kind_reason for document in read.documents}
    return FileSummary(read.source, read.input_type, len(read.documents), kinds,
                       reasons.pop() if len(reasons) == 1 else "", read.text, read.notes)

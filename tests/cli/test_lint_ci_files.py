"""The files CI users copy: `.pre-commit-hooks.yaml` and the README's "Lint in CI"
section (its configuration example, pre-commit snippet and workflow)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from policy_engine.lint.config import _KEYS

ROOT = Path(__file__).parents[2]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Lint in CI\n", 1)[1].split("\n## ", 1)[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECTION, flags=re.S)


def test_the_hook_runs_the_lint_command() -> None:
    [hook] = HOOKS
    assert hook["id"] == "policy-engine-lint"
    assert hook["entry"] == "policy-engine lint"
    assert hook["language"] == "python"


@pytest.mark.parametrize("path", [
    "policies/app.json", "iam/roles/deployer.yaml", "infra/bucket-policy.json",
    "trust-policy.json", "deploy/app-trust.yml", "cloudformation/stack.yaml",
    "stack.template", "cfn/app.json", "build/tfplan.json", "plan.json",
    "policy.json", "templates/app-template.yaml"])
def test_the_hook_takes_policy_template_and_plan_files(path: str) -> None:
    assert re.search(HOOKS[0]["files"], path), path


@pytest.mark.parametrize("path", [
    "package.json", ".github/workflows/ci.yml", "docker-compose.yml", "tsconfig.json",
    "policies/README.md", "src/app.py", "renovate.json", "explanation.json"])
def test_the_hook_leaves_other_files_alone(path: str) -> None:
    assert not re.search(HOOKS[0]["files"], path), path


def test_the_readme_keeps_its_two_top_commands() -> None:
    top = README.split("## What it does", 1)[0]
    assert "pip install -e . && policy-engine demo" in top
    assert "pip install -e '.[dev]' && python -m pytest -q -n 2" in top


def test_the_configuration_example_is_valid_toml_with_known_settings() -> None:
    [example] = blocks("toml")
    table = tomllib.loads(example)["tool"]["policy-engine"]["lint"]
    assert set(table) <= set(_KEYS)
    assert set(table) == set(_KEYS)  # the example shows every setting


def test_the_pre_commit_snippet_names_the_hook() -> None:
    snippets = [yaml.safe_load(block) for block in blocks("yaml")]
    [config] = [s for s in snippets if "repos" in s]
    assert config["repos"][0]["hooks"][0]["id"] == HOOKS[0]["id"]


def test_the_workflow_uploads_sarif_even_when_lint_fails() -> None:
    snippets = [yaml.safe_load(block) for block in blocks("yaml")]
    [workflow] = [s for s in snippets if "jobs" in s]
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["lint"]["steps"]
    lint = next(step for step in steps if "policy-engine lint" in step.get("run", ""))
    assert "--format sarif > policy-lint.sarif" in lint["run"]
    upload = next(step for step in steps
                  if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == "policy-lint.sarif"

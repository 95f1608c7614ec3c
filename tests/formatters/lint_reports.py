"""Lint reports built from small files written to a temporary folder, for the lint
formatter tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policy_engine.lint.api import lint_paths
from policy_engine.lint.config import LintConfig
from policy_engine.lint.report import LintReport
from policy_engine.lint.severity import Severity

# Invalid Effect in statement 1 (an error, with a line and column).
BAD_EFFECT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}
  ]
}
"""
# No Version (a warning) in an otherwise valid identity policy.
NO_VERSION = {"Statement": [{"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket",
                             "Resource": "arn:aws:s3:::b"}]}
OLD_VERSION = {"Version": "2008-10-17", "Statement": [
    {"Sid": "Get", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::b/*"}]}


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2),
                    encoding="utf-8")
    return path


def sample_report(folder: Path, *, unreadable: bool = False,
                  config: LintConfig | None = None,
                  fail_on: Severity | None = None) -> LintReport:
    """Three policy files (an error, a missing and an outdated Version), optionally a
    missing file, linted with paths relative to `folder` (the caller chdirs there)."""
    write(folder, "policies/bad-effect.json", BAD_EFFECT)
    write(folder, "policies/no version.json", NO_VERSION)
    write(folder, "old.json", OLD_VERSION)
    paths = [Path("policies/bad-effect.json"), Path("policies/no version.json"),
             Path("old.json")]
    if unreadable:
        paths.append(Path("missing.json"))
    return lint_paths(paths, config=config, fail_on=fail_on)

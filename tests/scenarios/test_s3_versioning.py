"""The S3 versioning model of s3-cloudfront-hosting: versions, delete markers, versioned
reads, restores, and lifecycle applied to current and noncurrent versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scenarios.s3_lifecycle import SC, parse_lifecycle
from scenarios.s3_versioning import NULL_VERSION, Bucket, S3Error

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def _later(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _status(bucket: Bucket, key: str, version_id: str | None = None) -> int:
    with pytest.raises(S3Error) as raised:
        bucket.get(key, version_id)
    return raised.value.status


def test_each_put_adds_a_version_and_the_newest_is_current() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersioningEnabledBuckets.html"""
    bucket = Bucket("b")
    first = bucket.put("k", b"one", T0)
    second = bucket.put("k", b"two", _later(1))
    assert first.version_id != second.version_id
    assert bucket.get("k").body == b"two" and bucket.get("k", first.version_id).body == b"one"
    assert [v.body for v in bucket.versions("k")] == [b"two", b"one"]


def test_a_delete_adds_a_marker_plain_get_404_marker_get_405() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html"""
    bucket = Bucket("b")
    kept = bucket.put("k", b"one", T0)
    marker = bucket.delete("k", _later(1))
    assert marker is not None and marker.is_delete_marker
    assert bucket.versions("k")[0] == marker and len(bucket.versions("k")) == 2
    assert _status(bucket, "k") == 404
    assert _status(bucket, "k", marker.version_id) == 405
    assert bucket.get("k", kept.version_id).body == b"one"
    assert _status(bucket, "k", "no-such-version") == 404


def test_removing_the_marker_or_copying_an_old_version_restores() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManagingDelMarkers.html and
    RestoringPreviousVersions.html (copying keeps every version)."""
    bucket = Bucket("b")
    old = bucket.put("k", b"one", T0)
    bucket.put("k", b"two", _later(1))
    marker = bucket.delete("k", _later(2))
    assert marker is not None
    bucket.delete("k", _later(3), marker.version_id)
    assert bucket.get("k").body == b"two"
    copy = bucket.copy_version("k", old.version_id, _later(4))
    assert bucket.get("k").body == b"one" and copy.version_id != old.version_id
    assert len(bucket.versions("k")) == 3


def test_an_unversioned_bucket_replaces_and_deletes_for_good() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html (version ID
    null before versioning is enabled)."""
    bucket = Bucket("b", versioned=False)
    bucket.put("k", b"one", T0)
    assert bucket.put("k", b"two", _later(1)).version_id == NULL_VERSION
    assert len(bucket.versions("k")) == 1
    assert bucket.delete("k", _later(2)) is None and _status(bucket, "k") == 404
    assert bucket.versions("k") == ()


def test_lifecycle_expiration_adds_a_marker_then_noncurrent_expiry_deletes() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
    (Expiration in a versioned bucket adds a delete marker; NoncurrentVersionExpiration
    deletes for good; an expired object delete marker is removed)."""
    config = parse_lifecycle({"Rules": [{
        "ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 10},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 5}}]})
    bucket = Bucket("b")
    bucket.put("k", b"x" * 10, T0)
    assert bucket.apply_lifecycle(config, _later(5)) == []
    changes = bucket.apply_lifecycle(config, _later(11))
    assert changes == ["k: expired, a delete marker is now current"]
    assert bucket.versions("k")[0].is_delete_marker and len(bucket.versions("k")) == 2
    assert bucket.apply_lifecycle(config, _later(14)) == []  # noncurrent for 3 days only
    changes = bucket.apply_lifecycle(config, _later(17))
    assert changes[-1] == "k: the expired object delete marker is removed"
    assert bucket.versions("k") == ()


def test_newer_noncurrent_versions_are_kept_and_classes_follow_the_rules() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
    (NewerNoncurrentVersions keeps the newest noncurrent versions)."""
    config = parse_lifecycle({"Rules": [{
        "ID": "r", "Status": "Enabled", "Filter": {"Prefix": "k"},
        "Transitions": [{"Days": 0, "StorageClass": "GLACIER_IR"}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}}]})
    bucket = Bucket("b")
    for day, body in enumerate((b"a", b"b", b"c")):
        bucket.put("k", body * 200_000, _later(day))
    bucket.apply_lifecycle(config, _later(10))
    left = bucket.versions("k")
    assert [v.body[:1] for v in left if v.body] == [b"c", b"b"]
    assert all(v.storage_class is SC.GLACIER_IR for v in left)

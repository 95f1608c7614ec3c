"""An S3 bucket's object versions: uploads, delete markers, versioned reads, restores, and
lifecycle rules applied to current and noncurrent versions.

Sources (Amazon S3 User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/):
- Versioning.html / AddingObjectstoVersioningEnabledBuckets.html: in a versioning-enabled
  bucket each PUT adds a version with a new version ID and the previous one becomes
  noncurrent; in an unversioned bucket a PUT replaces the object (version ID `null`).
- DeleteMarker.html / DeletingObjectVersions.html: a DELETE without a version ID adds a
  delete marker, which becomes the current version; a plain GET then answers 404 Not
  Found (with `x-amz-delete-marker: true`); a GET of a delete marker's version ID
  answers 405 Method Not Allowed; a GET of an older version ID still returns it; a
  DELETE with a version ID removes that version for good (s3:DeleteObjectVersion).
- RestoringPreviousVersions.html / ManagingDelMarkers.html: deleting the delete marker
  (by its version ID) makes the previous version current again; copying an older
  version onto the same key makes a new current version and keeps every version.
- intro-lifecycle-rules.html: lifecycle Expiration on a versioned bucket adds a delete
  marker when the current version is not one, and removes a delete marker left with no
  versions (an expired object delete marker); NoncurrentVersionExpiration deletes
  noncurrent versions for good, keeping the NewerNoncurrentVersions newest of them.

Versioning-suspended buckets are not modelled (their writes use the `null` version ID).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from scenarios.s3_lifecycle import (
    LifecycleConfiguration,
    StorageClass,
    VersionFacts,
    state_at,
)

NULL_VERSION = "null"


class S3Error(Exception):
    """An S3 error response: the HTTP status and S3's error code."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str
    created: datetime
    body: bytes | None  # None: a delete marker
    storage_class: StorageClass = StorageClass.STANDARD

    @property
    def is_delete_marker(self) -> bool:
        return self.body is None

    @property
    def size(self) -> int:
        return len(self.body or b"")


@dataclass
class Bucket:
    """One bucket's objects; `versioned` is the Enabled state (False: never enabled)."""

    name: str
    versioned: bool = True
    _versions: dict[str, list[ObjectVersion]] = field(default_factory=dict)  # newest first
    _counter: int = 0

    def _new_id(self, key: str) -> str:
        if not self.versioned:
            return NULL_VERSION
        self._counter += 1
        digest = hashlib.sha256(f"{self.name}/{key}#{self._counter}".encode()).hexdigest()
        return digest[:32]

    def versions(self, key: str) -> tuple[ObjectVersion, ...]:
        """Newest first, delete markers included (ListObjectVersions)."""
        return tuple(self._versions.get(key, ()))

    def keys(self) -> tuple[str, ...]:
        return tuple(sorted(self._versions))

    def put(self, key: str, body: bytes, at: datetime) -> ObjectVersion:
        version = ObjectVersion(key, self._new_id(key), at, body)
        stack = self._versions.setdefault(key, [])
        if not self.versioned:
            stack.clear()
        stack.insert(0, version)
        return version

    def delete(self, key: str, at: datetime, version_id: str | None = None
               ) -> ObjectVersion | None:
        """Without a version ID: a new delete marker (versioned) or the object removed
        (unversioned). With one: that version removed for good. Returns the delete
        marker added, or None."""
        stack = self._versions.get(key, [])
        if version_id is not None:
            kept = [v for v in stack if v.version_id != version_id]
            if len(kept) == len(stack):
                raise S3Error(404, "NoSuchVersion", f"`{key}` has no version `{version_id}`")
            self._set(key, kept)
            return None
        if not self.versioned:
            self._set(key, [])
            return None
        marker = ObjectVersion(key, self._new_id(key), at, None)
        self._versions.setdefault(key, []).insert(0, marker)
        return marker

    def get(self, key: str, version_id: str | None = None) -> ObjectVersion:
        stack = self._versions.get(key, [])
        if version_id is None:
            if not stack or stack[0].is_delete_marker:
                marker = " (the current version is a delete marker)" if stack else ""
                raise S3Error(404, "NoSuchKey", f"`{key}` does not exist{marker}")
            return stack[0]
        found = next((v for v in stack if v.version_id == version_id), None)
        if found is None:
            raise S3Error(404, "NoSuchVersion", f"`{key}` has no version `{version_id}`")
        if found.is_delete_marker:
            raise S3Error(405, "MethodNotAllowed", f"version `{version_id}` of `{key}` is "
                          "a delete marker")
        return found

    def copy_version(self, key: str, version_id: str, at: datetime) -> ObjectVersion:
        """Restore by copying an older version onto the key: a new current version."""
        return self.put(key, self.get(key, version_id).body or b"", at)

    def _set(self, key: str, stack: list[ObjectVersion]) -> None:
        if stack:
            self._versions[key] = stack
        else:
            self._versions.pop(key, None)

    # -- lifecycle ------------------------------------------------------------------

    def facts(self, key: str) -> list[tuple[ObjectVersion, VersionFacts]]:
        """Each stored version (not delete markers) with what lifecycle looks at: a
        noncurrent version counts from its successor's creation."""
        stack = self._versions.get(key, [])
        found = []
        for index, version in enumerate(stack):
            if version.is_delete_marker:
                continue
            successor = stack[index - 1].created if index else None
            found.append((version, VersionFacts(key, version.size, version.created,
                                                successor)))
        return found

    def apply_lifecycle(self, config: LifecycleConfiguration, at: datetime) -> list[str]:
        """Run the rules as of `at`: set storage classes, expire current versions (a
        delete marker when versioned) and delete expired noncurrent versions. Returns
        one line per change."""
        changes: list[str] = []
        for key in self.keys():
            keep = _newer_noncurrent_kept(config, key)
            noncurrent_seen = 0
            for version, facts in self.facts(key):
                state = state_at(config, facts, at)
                if not facts.current:
                    noncurrent_seen += 1
                if state.expired and (facts.current or noncurrent_seen > keep):
                    changes.append(self._expire(version, facts, state.by[-1].at))
                elif state.storage_class is not version.storage_class:
                    self._replace(version, replace(version, storage_class=state.storage_class))
                    changes.append(f"{key} {version.version_id[:8]} -> {state.storage_class}")
            if self._only_marker_left(config, key):
                self._set(key, [])
                changes.append(f"{key}: the expired object delete marker is removed")
        return changes

    def _only_marker_left(self, config: LifecycleConfiguration, key: str) -> bool:
        """A delete marker with no versions left is removed by an Expiration action."""
        stack = self._versions.get(key, [])
        return len(stack) == 1 and stack[0].is_delete_marker and any(
            rule.expiration is not None and rule.applies_to(key, 0) for rule in config.rules)

    def _expire(self, version: ObjectVersion, facts: VersionFacts, when: datetime) -> str:
        if facts.current and self.versioned:
            self.delete(version.key, when)
            return f"{version.key}: expired, a delete marker is now current"
        self.delete(version.key, when, version.version_id)
        return f"{version.key} {version.version_id[:8]}: deleted for good"

    def _replace(self, old: ObjectVersion, new: ObjectVersion) -> None:
        stack = self._versions[old.key]
        stack[stack.index(old)] = new


def _newer_noncurrent_kept(config: LifecycleConfiguration, key: str) -> int:
    """How many of the newest noncurrent versions NoncurrentVersionExpiration keeps."""
    kept = []
    for rule in config.rules:
        expiry = rule.noncurrent_expiration
        if not rule.enabled or expiry is None or expiry.newer_noncurrent_versions is None:
            continue
        prefix = rule.filter.terms.prefix if rule.filter is not None else None
        if prefix is None or key.startswith(prefix):
            kept.append(expiry.newer_noncurrent_versions)
    return min(kept, default=0)

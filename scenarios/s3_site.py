"""The site's own S3 objects for s3-cloudfront-hosting: its lifecycle configuration, the
invalid configurations S3 refuses, and the scripted history of the origin bucket (two
deployments, an accidental delete, a restore) that the checks, the quiz and the
walk-through replay on the models in `scenarios.s3_versioning` / `scenarios.s3_lifecycle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from scenarios.s3_lifecycle import (
    LifecycleConfiguration,
    LifecycleError,
    VersionFacts,
    parse_lifecycle,
)
from scenarios.s3_versioning import Bucket, ObjectVersion, S3Error

_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/"
TRANSITIONS_PAGE: Final = _S3 + "userguide/lifecycle-transition-general-considerations.html"
# S3 answers InvalidArgument when an expiration is not after the rule's transitions.
PUT_LIFECYCLE_API: Final = _S3 + "API/API_PutBucketLifecycleConfiguration.html"
TRANSITION_API: Final = _S3 + "API/API_Transition.html"

PAGE: Final = "site/index.html"
VIDEO: Final = "media/launch.mp4"
THUMBNAIL: Final = "media/launch-thumb.png"
SPRING: Final = b"<h1>Spring sale</h1>"
SUMMER: Final = b"<h1>Summer sale</h1>"
VIDEO_BYTES: Final = 512 * 1024  # over the 128 KB below which nothing transitions
THUMBNAIL_BYTES: Final = 40 * 1024

FIRST_DEPLOY: Final = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
SECOND_DEPLOY: Final = datetime(2025, 3, 15, 16, 0, tzinfo=UTC)
ACCIDENT: Final = datetime(2025, 3, 20, 11, 0, tzinfo=UTC)
RESTORE: Final = datetime(2025, 3, 20, 11, 20, tzinfo=UTC)

SITE_LIFECYCLE: Final[dict[str, Any]] = {"Rules": [
    {"ID": "page-rollback-window", "Status": "Enabled", "Filter": {"Prefix": "site/"},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 60}},
    {"ID": "archive-media", "Status": "Enabled", "Filter": {"Prefix": "media/"},
     "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                     {"Days": 90, "StorageClass": "GLACIER_IR"},
                     {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
     "Expiration": {"Days": 730},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 30}},
]}


def _rule(**actions: Any) -> dict[str, Any]:
    return {"Rules": [{"ID": "candidate", "Status": "Enabled", "Filter": {"Prefix": "media/"},
                       **actions}]}


def _moves(*steps: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"Days": days, "StorageClass": target} for days, target in steps]


@dataclass(frozen=True)
class Candidate:
    """A lifecycle configuration someone proposes, and the documented rule it tests."""

    name: str
    value: dict[str, Any]
    rule: str  # what the documentation says, for checks and quiz explanations
    doc: str = TRANSITIONS_PAGE


CANDIDATES: Final = (
    Candidate("Standard-IA one week after upload", _rule(Transitions=_moves(
        (7, "STANDARD_IA"))), "objects stay 30 days in S3 Standard before Standard-IA"),
    Candidate("Glacier Flexible Retrieval 15 days after Standard-IA", _rule(
        Transitions=_moves((30, "STANDARD_IA"), (45, "GLACIER"))),
        "Standard-IA's 30-day minimum: one rule waits 30 days before a Glacier class"),
    Candidate("Standard-IA after Glacier Flexible Retrieval", _rule(
        Transitions=_moves((60, "GLACIER"), (120, "STANDARD_IA"))),
        "transitions only go down the waterfall"),
    Candidate("One Zone-IA, then Glacier Instant Retrieval", _rule(
        Transitions=_moves((30, "ONEZONE_IA"), (90, "GLACIER_IR"))),
        "One Zone-IA goes only to Glacier Flexible Retrieval or Deep Archive"),
    Candidate("expire before the archive transition", _rule(
        Transitions=_moves((90, "GLACIER")), Expiration={"Days": 60}),
        "expiration comes after the rule's transitions", PUT_LIFECYCLE_API),
    Candidate("noncurrent versions to Standard-IA after 10 days", _rule(
        NoncurrentVersionTransitions=[{"NoncurrentDays": 10, "StorageClass": "STANDARD_IA"}]),
        "noncurrent versions are 30 days noncurrent before Standard-IA"),
    Candidate("Standard-IA at 30, Glacier Flexible Retrieval at 60, expire at 365", _rule(
        Transitions=_moves((30, "STANDARD_IA"), (60, "GLACIER")), Expiration={"Days": 365}),
        "30 days in S3 Standard, then 30 days in Standard-IA: both minimums met"),
    Candidate("Glacier Instant Retrieval on the day of upload", _rule(
        Transitions=_moves((0, "GLACIER_IR"))),
        "Glacier classes take Days 0 (their minimum duration is a charge, not a rule)",
        TRANSITION_API),
)


def site_lifecycle() -> LifecycleConfiguration:
    return parse_lifecycle(SITE_LIFECYCLE, "the site's lifecycle configuration")


def verdict(candidate: Candidate) -> str:
    """`accepted`, or the one-line reason S3 refuses it."""
    try:
        parse_lifecycle(candidate.value, f"candidate `{candidate.name}`")
    except LifecycleError as error:
        return f"rejected: {error}"
    return "accepted"


@dataclass(frozen=True)
class History:
    """The origin bucket after the scripted history, with the versions it made."""

    bucket: Bucket
    spring: ObjectVersion
    summer: ObjectVersion
    marker: ObjectVersion


def deploy(bucket: Bucket) -> tuple[ObjectVersion, ObjectVersion]:
    """The first deployment and the second one's page: two versions of the page."""
    spring = bucket.put(PAGE, SPRING, FIRST_DEPLOY)
    bucket.put(VIDEO, bytes(VIDEO_BYTES), FIRST_DEPLOY)
    bucket.put(THUMBNAIL, bytes(THUMBNAIL_BYTES), FIRST_DEPLOY)
    summer = bucket.put(PAGE, SUMMER, SECOND_DEPLOY)
    return spring, summer


def history_until_accident() -> History:
    """Both deployments, then a DELETE of the page without a version ID."""
    bucket = Bucket("example-site-origin")
    spring, summer = deploy(bucket)
    marker = bucket.delete(PAGE, ACCIDENT)
    assert marker is not None  # a versioned bucket always answers with a delete marker
    return History(bucket, spring, summer, marker)


def outcome(attempt: Any) -> str:
    """What a GET answers: the body as text, or the S3 error's status and code."""
    try:
        return attempt().body.decode()
    except S3Error as error:
        return f"{error.status} {error.code}"


def on_day(start: datetime, days: int) -> datetime:
    """Noon UTC on the given day after `start` (clear of the midnight roundings)."""
    day = (start + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def video_facts() -> VersionFacts:
    return VersionFacts(VIDEO, VIDEO_BYTES, FIRST_DEPLOY)


def thumbnail_facts() -> VersionFacts:
    return VersionFacts(THUMBNAIL, THUMBNAIL_BYTES, FIRST_DEPLOY)


def spring_facts() -> VersionFacts:
    """The first page version, noncurrent since the second deployment."""
    return VersionFacts(PAGE, len(SPRING), FIRST_DEPLOY, SECOND_DEPLOY)

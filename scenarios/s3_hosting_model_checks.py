"""The model checks of s3-cloudfront-hosting: what the versioning and lifecycle models
answer for the site's objects, each expected result taken from the AWS page cited."""

from __future__ import annotations

from collections.abc import Callable

from policy_engine.scenario.api import ModelCheck
from scenarios.s3_lifecycle import LifecycleConfiguration, VersionFacts, expires_at, state_at
from scenarios.s3_site import (
    CANDIDATES,
    FIRST_DEPLOY,
    PAGE,
    RESTORE,
    SUMMER,
    Candidate,
    history_until_accident,
    on_day,
    outcome,
    site_lifecycle,
    spring_facts,
    thumbnail_facts,
    verdict,
    video_facts,
)

_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
DELETE_MARKER = _S3 + "DeleteMarker.html"
VERSIONS = _S3 + "RetrievingObjectVersions.html"
RESTORING = _S3 + "ManagingDelMarkers.html"
TRANSITIONS = _S3 + "lifecycle-transition-general-considerations.html"
RULES = _S3 + "intro-lifecycle-rules.html"
GET_OBJECT_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html"
MINIMUM_SIZE = ("https://docs.aws.amazon.com/AmazonS3/latest/API/"
                "API_PutBucketLifecycleConfiguration.html")


def _after_delete_current() -> str:
    current = history_until_accident().bucket.versions(PAGE)[0]
    return "delete marker" if current.is_delete_marker else "object version"


def _plain_get_after_delete() -> str:
    bucket = history_until_accident().bucket
    return outcome(lambda: bucket.get(PAGE))


def _older_version_get() -> str:
    story = history_until_accident()
    return outcome(lambda: story.bucket.get(PAGE, story.summer.version_id))


def _marker_version_get() -> str:
    story = history_until_accident()
    return outcome(lambda: story.bucket.get(PAGE, story.marker.version_id))


def _restored_by_removing_marker() -> str:
    story = history_until_accident()
    story.bucket.delete(PAGE, RESTORE, story.marker.version_id)
    return outcome(lambda: story.bucket.get(PAGE))


def _classes(facts: VersionFacts, days: tuple[int, ...]) -> Callable[[], str]:
    def walk() -> str:
        config = site_lifecycle()
        states = [state_at(config, facts, on_day(facts.created, d)) for d in days]
        return ", ".join(f"day {d}: {'expired' if s.expired else s.storage_class}"
                         for d, s in zip(days, states, strict=True))
    return walk


def _expiry(config: Callable[[], LifecycleConfiguration], facts: VersionFacts
            ) -> Callable[[], str]:
    def when() -> str:
        found = expires_at(config(), facts)
        return found.isoformat() if found is not None else "never"
    return when


def _versioning_checks() -> list[ModelCheck]:
    return [
        ModelCheck("a DELETE without a version ID adds a delete marker as the current "
                   "version", "delete marker", _after_delete_current, DELETE_MARKER),
        ModelCheck("a plain GET after the delete answers 404", "404 NoSuchKey",
                   _plain_get_after_delete, DELETE_MARKER),
        ModelCheck("a GET naming the older version's ID still returns it", SUMMER.decode(),
                   _older_version_get, VERSIONS),
        ModelCheck("a GET naming the delete marker's version ID answers 405",
                   "405 MethodNotAllowed", _marker_version_get, GET_OBJECT_API),
        ModelCheck("deleting the delete marker restores the object", SUMMER.decode(),
                   _restored_by_removing_marker, RESTORING),
    ]


def _lifecycle_checks() -> list[ModelCheck]:
    video = video_facts()
    return [
        ModelCheck("the video walks down the waterfall (rounded to the next midnight UTC)",
                   "day 30: STANDARD, day 31: STANDARD_IA, day 90: STANDARD_IA, "
                   "day 91: GLACIER_IR, day 181: DEEP_ARCHIVE, day 731: expired",
                   _classes(video, (30, 31, 90, 91, 181, 731)), RULES),
        ModelCheck("a thumbnail under 128 KB is not transitioned, only expired",
                   "day 31: STANDARD, day 181: STANDARD, day 731: expired",
                   _classes(thumbnail_facts(), (31, 181, 731)), MINIMUM_SIZE),
        ModelCheck("the video expires 730 days after upload, at the next midnight UTC",
                   "2027-03-02T00:00:00+00:00", _expiry(site_lifecycle, video), RULES),
        ModelCheck("the replaced page version expires 60 days after it became noncurrent",
                   "2025-05-15T00:00:00+00:00", _expiry(site_lifecycle, spring_facts()),
                   RULES),
        ModelCheck("the first upload is in S3 Standard", "STANDARD",
                   lambda: str(state_at(site_lifecycle(), video, FIRST_DEPLOY).storage_class),
                   TRANSITIONS),
    ]


_EXPECTED_VERDICTS = (
    "rejected: candidate `Standard-IA one week after upload`: Rules/0 (rule `candidate`): "
    "Transitions: the transition to `STANDARD_IA` on day 7: objects must stay at least 30 "
    "days in S3 Standard before moving to `STANDARD_IA` (Days >= 30)",
    "rejected: candidate `Glacier Flexible Retrieval 15 days after Standard-IA`: Rules/0 "
    "(rule `candidate`): Transitions: the transition to `GLACIER` on day 45: only 15 days "
    "after `STANDARD_IA` on day 30; STANDARD_IA has a 30-day minimum storage charge, so "
    "one rule needs 30 days between them",
    "rejected: candidate `Standard-IA after Glacier Flexible Retrieval`: Rules/0 (rule "
    "`candidate`): Transitions: the transition to `STANDARD_IA` on day 120: S3 cannot "
    "transition `GLACIER` (day 60) to `STANDARD_IA`; transitions only go down the waterfall",
    "rejected: candidate `One Zone-IA, then Glacier Instant Retrieval`: Rules/0 (rule "
    "`candidate`): Transitions: the transition to `GLACIER_IR` on day 90: S3 cannot "
    "transition `ONEZONE_IA` (day 30) to `GLACIER_IR`; transitions only go down the "
    "waterfall",
    "rejected: candidate `expire before the archive transition`: Rules/0 (rule "
    "`candidate`): Expiration: Days 60 must be greater than the rule's last transition "
    "(day 90)",
    "rejected: candidate `noncurrent versions to Standard-IA after 10 days`: Rules/0 (rule "
    "`candidate`): NoncurrentVersionTransitions: the transition to `STANDARD_IA` on day 10: "
    "objects must stay at least 30 days noncurrent before moving to `STANDARD_IA` "
    "(NoncurrentDays >= 30)",
    "accepted",
    "accepted",
)


def _candidate_checks() -> list[ModelCheck]:
    return [ModelCheck(f"lifecycle candidate: {c.name} ({c.rule})", expected,
                       _verdict_of(c), c.doc)
            for c, expected in zip(CANDIDATES, _EXPECTED_VERDICTS, strict=True)]


def _verdict_of(candidate: Candidate) -> Callable[[], str]:
    return lambda: verdict(candidate)


def model_checks() -> list[ModelCheck]:
    return [*_versioning_checks(), *_lifecycle_checks(), *_candidate_checks()]

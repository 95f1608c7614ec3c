"""Real-world behaviour: a refused service or operation is a warning and the rest is
fetched; throttling is retried; listings are read past their first page.

Failures are AWS-shaped answers injected on `before-send` (tests/fetch/inject.py), so
botocore parses and retries them as it would AWS's.
Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html,
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html (adaptive mode
retries Throttling), https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html (up to
100 topics per call), https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
(IsTruncated and Marker), https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_engine.fetch import FetchOptions, FetchSession, fetch_snapshot, snapshot_text
from policy_engine.snapshot import SnapshotError, load_snapshot
from tests.fetch import seed as S
from tests.fetch.inject import Counter, json_error, query_error, region_of, s3_error

pytestmark = pytest.mark.aws

REGIONS = FetchOptions(regions=(S.REGION, S.OTHER_REGION))


def test_a_service_that_answers_access_denied_is_a_warning_and_the_rest_is_fetched(
        server: str, tmp_path: Path) -> None:
    session = FetchSession(endpoint_url=server)
    denied = Counter(lambda: json_error(
        "AccessDeniedException", "User is not authorized to perform: kms:ListKeys"), fail=99)
    session.events.register("before-send.kms", denied)
    result = fetch_snapshot(session, REGIONS)
    warnings = [(w.service, w.operation, w.region, w.code) for w in result.warnings]
    assert sorted(warnings) == [
        ("kms", "ListAliases", S.OTHER_REGION, "AccessDeniedException"),
        ("kms", "ListAliases", S.REGION, "AccessDeniedException"),
        ("kms", "ListKeys", S.OTHER_REGION, "AccessDeniedException"),
        ("kms", "ListKeys", S.REGION, "AccessDeniedException")]
    resources = result.value["resources"]
    assert "kms_keys" not in resources
    assert {b["name"] for b in resources["s3_buckets"]} == {S.APP_BUCKET, S.SITE_BUCKET}
    assert len(resources["lambda_functions"]) == 1 and "organization" in result.value
    assert len(result.value["fetched"]["warnings"]) == 4
    # Every later load says what is missing; strict loading refuses the snapshot.
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot_text(result.value))
    loaded = load_snapshot(path)
    assert [w.code.value for w in loaded.warnings] == ["incomplete"] * 4
    assert "kms ListKeys (us-east-1) failed with AccessDeniedException" in \
        " ".join(w.message for w in loaded.warnings)
    with pytest.raises(SnapshotError):
        load_snapshot(path, strict=True)


def test_one_refused_operation_leaves_only_its_part_out(server: str) -> None:
    """GetBucketPolicy refused for one bucket: that bucket is kept with its other
    settings, the warning names the bucket, and the other bucket keeps its policy."""
    session = FetchSession(endpoint_url=server)

    def app_bucket(request) -> bool:
        return f"/{S.APP_BUCKET}" in request.url and "policy" in request.url

    session.events.register("before-send.s3.GetBucketPolicy", Counter(
        lambda: s3_error("AccessDenied", "Access Denied"), fail=99, when=app_bucket))
    result = fetch_snapshot(session, FetchOptions(regions=REGIONS.regions, services=("s3",)))
    (warning,) = result.warnings
    assert (warning.service, warning.operation, warning.resource, warning.code) == \
        ("s3", "GetBucketPolicy", S.APP_BUCKET, "AccessDenied")
    buckets = {b["name"]: b for b in result.value["resources"]["s3_buckets"]}
    assert "policy" not in buckets[S.APP_BUCKET]
    assert buckets[S.APP_BUCKET]["object_ownership"] == "BucketOwnerEnforced"
    assert buckets[S.SITE_BUCKET]["policy"]["Statement"][0]["Sid"] == "PublicRead"


def test_throttling_is_retried_until_it_succeeds(server: str) -> None:
    """Two Throttling answers, then moto's: the third attempt succeeds, no warning."""
    session = FetchSession(endpoint_url=server)
    assert session.config.retries == {"mode": "adaptive", "max_attempts": 10}
    throttled = Counter(lambda: query_error("Throttling", "Rate exceeded"), fail=2)
    session.events.register("before-send.sns.ListTopics", throttled)
    result = fetch_snapshot(session, FetchOptions(regions=(S.REGION,), services=("sns",)))
    assert (throttled.failed, throttled.sent) == (2, 3)
    assert result.warnings == []
    assert [t["arn"].rsplit(":", 1)[1] for t in result.value["resources"]["sns_topics"]] == \
        [S.TOPIC]


def test_throttling_that_never_ends_becomes_a_warning(server: str) -> None:
    session = FetchSession(endpoint_url=server, max_attempts=2)
    session.events.register("before-send.sns.ListTopics", Counter(
        lambda: query_error("Throttling", "Rate exceeded"), fail=99))
    result = fetch_snapshot(session, FetchOptions(regions=(S.REGION,), services=("sns",)))
    assert [(w.operation, w.code) for w in result.warnings] == [("ListTopics", "Throttling")]


def test_a_region_the_account_has_not_enabled_is_a_warning(server: str) -> None:
    """A Region that is not enabled refuses the account's credentials; the other Region's
    queues are fetched."""
    session = FetchSession(endpoint_url=server)
    session.events.register("before-send.sqs", Counter(
        lambda: json_error("UnrecognizedClientException",
                           "The security token included in the request is invalid.", 403),
        fail=99, when=lambda request: region_of(request) == S.OTHER_REGION))
    result = fetch_snapshot(session, FetchOptions(regions=REGIONS.regions, services=("sqs",)))
    assert [(w.operation, w.region, w.code) for w in result.warnings] == [
        ("ListQueues", S.OTHER_REGION, "UnrecognizedClientException")]
    assert [q["arn"] for q in result.value["resources"]["sqs_queues"]] == [
        f"arn:aws:sqs:{S.REGION}:{S.MANAGEMENT}:{S.QUEUE}"]


def test_an_endpoint_that_does_not_answer_is_a_warning(server: str) -> None:
    from botocore.exceptions import EndpointConnectionError

    def unreachable(request, **_: object) -> None:
        if region_of(request) == S.OTHER_REGION:
            raise EndpointConnectionError(endpoint_url=request.url)

    session = FetchSession(endpoint_url=server, max_attempts=1)
    session.events.register("before-send.ecr", unreachable)
    result = fetch_snapshot(session, FetchOptions(regions=REGIONS.regions, services=("ecr",)))
    assert [(w.operation, w.region, w.code) for w in result.warnings] == [
        ("DescribeRepositories", S.OTHER_REGION, "Unavailable")]
    assert len(result.value["resources"]["ecr_repositories"]) == 1

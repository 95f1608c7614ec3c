"""The narrated walk-through of s3-cloudfront-hosting: the site is deployed, read through
CloudFront, deleted by mistake and restored, and its media walked through the lifecycle.
Every S3 request is first put to the engine over the scenario's snapshot; only the ones
it allows are performed on the bucket model (`scenarios.s3_versioning`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policy_engine.scenario.api import Narrate
from policy_engine.scenario.checks import resolver_for
from policy_engine.whatif import parse_question
from scenarios.s3_hosting import (
    ACLS_DISABLED,
    ALL_BLOCKED,
    DISTRIBUTION,
    ORIGIN,
    SITE,
    buckets,
    objects,
)
from scenarios.s3_site import (
    ACCIDENT,
    FIRST_DEPLOY,
    PAGE,
    RESTORE,
    SPRING,
    SUMMER,
    THUMBNAIL,
    VIDEO,
    deploy,
    on_day,
    outcome,
    site_lifecycle,
)
from scenarios.s3_versioning import Bucket

OK = "[green]ok[/green]"
UNEXPECTED = "[red]UNEXPECTED[/red]"
DEPLOYER = "role/site-deployer"
ADMIN = "role/site-admin"
CLOUDFRONT = "cloudfront.amazonaws.com"
VIA_DISTRIBUTION = f"when AWS:SourceArn = {DISTRIBUTION} and aws:SourceAccount = {SITE}"
LIFECYCLE_DAYS = (31, 91, 181, 731, 762)


class _Gate:
    """Asks the engine about one request on the origin bucket."""

    def __init__(self, scenario: Any) -> None:
        self._resolver = resolver_for(scenario)

    def decide(self, caller: str, action: str, key: str, when: str = "") -> str:
        question = parse_question(f"can {caller} do {action} on {objects(ORIGIN, key)} "
                                  f"{when}".strip())
        return self._resolver.ask(question).decision.value


def _mark(holds: bool) -> str:
    return OK if holds else UNEXPECTED


def _short(version_id: str) -> str:
    return version_id[:8]


def _deploy_and_serve(gate: _Gate, bucket: Bucket, narrate: Narrate) -> None:
    decided = gate.decide(DEPLOYER, "s3:PutObject", PAGE)
    spring, summer = deploy(bucket) if decided == "allowed" else (None, None)
    narrate(f"{DEPLOYER} uploads {PAGE}, {VIDEO} and {THUMBNAIL}: engine {decided}; "
            f"{PAGE} now has versions "
            + ", ".join(_short(v.version_id) for v in reversed(bucket.versions(PAGE)))
            + f" (spring, then summer)  {_mark(spring is not None and summer is not None)}")
    via = gate.decide(CLOUDFRONT, "s3:GetObject", PAGE, VIA_DISTRIBUTION)
    served = outcome(lambda: bucket.get(PAGE)) if via == "allowed" else via
    narrate(f"the distribution fetches {PAGE} through OAC: engine {via}, serves "
            f"`{served}`  {_mark(served == SUMMER.decode())}")
    direct = gate.decide("anonymous", "s3:GetObject", PAGE)
    narrate(f"a visitor skips CloudFront and asks S3 directly: engine {direct} (OAC's "
            f"bucket policy names only the distribution)  {_mark(direct == 'implicitDeny')}")
    admin_put = gate.decide(ADMIN, "s3:PutObject", PAGE)
    narrate(f"{ADMIN} tries to upload a hotfix: engine {admin_put} (uploads only from "
            f"the deploy role)  {_mark(admin_put == 'explicitDeny')}")


def _delete_and_restore(gate: _Gate, bucket: Bucket, narrate: Narrate) -> None:
    deleted = gate.decide(DEPLOYER, "s3:DeleteObject", PAGE)
    marker = bucket.delete(PAGE, ACCIDENT) if deleted == "allowed" else None
    plain = outcome(lambda: bucket.get(PAGE))
    narrate(f"{DEPLOYER} deletes {PAGE} by mistake: engine {deleted}; S3 adds delete "
            f"marker {_short(marker.version_id) if marker else '-'} and a plain GET now "
            f"answers {plain}  {_mark(marker is not None and plain == '404 NoSuchKey')}")
    undo = gate.decide(DEPLOYER, "s3:DeleteObjectVersion", PAGE)
    narrate(f"{DEPLOYER} tries to remove the marker: engine {undo} (it may not delete "
            f"versions)  {_mark(undo == 'implicitDeny')}")
    spring = bucket.versions(PAGE)[-1]
    read_old = gate.decide(ADMIN, "s3:GetObjectVersion", PAGE)
    older = outcome(lambda: bucket.get(PAGE, spring.version_id)) \
        if read_old == "allowed" else read_old
    narrate(f"{ADMIN} reads version {_short(spring.version_id)}: engine {read_old}, gets "
            f"`{older}`  {_mark(older == SPRING.decode())}")
    remove = gate.decide(ADMIN, "s3:DeleteObjectVersion", PAGE)
    if remove == "allowed" and marker is not None:
        bucket.delete(PAGE, RESTORE, marker.version_id)
    restored = outcome(lambda: bucket.get(PAGE))
    narrate(f"{ADMIN} deletes the delete marker by its version ID: engine {remove}; a "
            f"plain GET serves `{restored}` again  {_mark(restored == SUMMER.decode())}")


def _age(bucket: Bucket, narrate: Narrate) -> None:
    config = site_lifecycle()
    expected = {31: "STANDARD_IA", 91: "GLACIER_IR", 181: "DEEP_ARCHIVE"}
    for days in LIFECYCLE_DAYS:
        when: datetime = on_day(FIRST_DEPLOY, days)
        changes = bucket.apply_lifecycle(config, when)
        video = bucket.versions(VIDEO)
        state = "a delete marker" if video and video[0].is_delete_marker else \
            (str(video[0].storage_class) if video else "gone")
        holds = {731: state == "a delete marker", 762: state == "gone"}.get(
            days, state == expected.get(days))
        narrate(f"day {days} ({when:%Y-%m-%d}): lifecycle " + ("; ".join(changes) or
                                                               "changes nothing")
                + f"; {VIDEO} is {state}  {_mark(holds)}")


def walk_through(scenario: Any, narrate: Narrate) -> None:
    gate = _Gate(scenario)
    bucket = Bucket(ORIGIN)
    origin = next(b for b in buckets() if b["name"] == ORIGIN)
    defaults = origin["public_access_block"] == ALL_BLOCKED and \
        origin["object_ownership"] == ACLS_DISABLED and bucket.versioned
    narrate(f"{ORIGIN} keeps a new bucket's defaults: Block Public Access on, ACLs "
            f"disabled (BucketOwnerEnforced); versioning is enabled  {_mark(defaults)}")
    _deploy_and_serve(gate, bucket, narrate)
    _delete_and_restore(gate, bucket, narrate)
    _age(bucket, narrate)

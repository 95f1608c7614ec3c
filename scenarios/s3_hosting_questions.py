"""The quiz questions of s3-cloudfront-hosting: access decisions the engine answers over
the scenario's snapshot, and versioning and lifecycle questions whose answers the
scenario's own models compute when the questions are built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policy_engine.scenario.questions import About, Option, choice, decision, true_false
from scenarios.s3_hosting import (
    BPA_PAGE,
    CAMPAIGN,
    DELETE_MARKER_PAGE,
    DISTRIBUTION,
    GET_OBJECT_API,
    LEGACY,
    LOCKED,
    MARKETING,
    OAC_PAGE,
    ORIGIN,
    OWNERSHIP_PAGE,
    SITE,
    STAGING_DISTRIBUTION,
    WEBSITE,
    objects,
)
from scenarios.s3_lifecycle import SC, StorageClass, expires_at, state_at
from scenarios.s3_site import (
    CANDIDATES,
    PAGE,
    RESTORE,
    SPRING,
    SUMMER,
    THUMBNAIL_BYTES,
    TRANSITIONS_PAGE,
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
RULES_PAGE = _S3 + "intro-lifecycle-rules.html"
RESTORE_PAGE = _S3 + "ManagingDelMarkers.html"
MIN_SIZE_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html"
ABOUT = About("cloudfront-oac", ("saa-c03:secure", "scs-c02:data-protection"), (OAC_PAGE,))
LIFECYCLE = About("s3-lifecycle", ("saa-c03:cost-optimized",), (RULES_PAGE,))
VERSIONING = About("s3-versioning", ("saa-c03:resilient",), (DELETE_MARKER_PAGE,))

OAI_CHANGE = ("Older material restricts the bucket to a CloudFront origin access identity "
              "(OAI), a special CloudFront user named in the bucket policy. AWS now "
              "recommends origin access control (OAC): the cloudfront.amazonaws.com service "
              "principal with an AWS:SourceArn condition, which also works with SSE-KMS, "
              "every Region and PUT/DELETE requests.")
DEFAULTS_CHANGE = ("Older material says a new bucket accepts a public bucket policy or ACL "
                   "as soon as you add one. Since April 2023 a new bucket has all four Block "
                   "Public Access settings on and Object Ownership BucketOwnerEnforced (ACLs "
                   "disabled); a public website needs them turned off on purpose.")
SIZE_CHANGE = ("Before September 2024 lifecycle's default let objects under 128 KB go to "
               "the Glacier Flexible Retrieval and Deep Archive classes; the default "
               "(TransitionDefaultMinimumObjectSize all_storage_classes_128K) now keeps "
               "them out of every class unless a rule's size filter says otherwise.")
_VIA = f"and aws:SourceAccount = {SITE}"


def _decisions() -> list[dict[str, Any]]:
    page = objects(ORIGIN, PAGE)
    return [
        decision(ABOUT, "s3-cloudfront-hosting-anonymous-origin-get",
                 f"Bucket {ORIGIN} keeps the new-bucket defaults (Block Public Access on, "
                 "ACLs disabled). Its policy allows only the service principal "
                 "cloudfront.amazonaws.com s3:GetObject when AWS:SourceArn is the site's "
                 "distribution. An anonymous visitor requests the object straight from "
                 "the S3 endpoint. Decision?", f"anonymous s3:GetObject {page}",
                 changed=OAI_CHANGE),
        decision(ABOUT, "s3-cloudfront-hosting-distribution-reads",
                 f"The same bucket policy. The distribution {DISTRIBUTION} fetches the "
                 "object from its origin with origin access control. Decision?",
                 f"cloudfront.amazonaws.com s3:GetObject {page} when AWS:SourceArn = "
                 f"{DISTRIBUTION} {_VIA}", difficulty="easy"),
        decision(ABOUT, "s3-cloudfront-hosting-other-distribution",
                 "The same bucket policy. A staging distribution in the same account, "
                 f"{STAGING_DISTRIBUTION}, is pointed at the bucket with its own OAC. "
                 "Decision for its origin request?",
                 f"cloudfront.amazonaws.com s3:GetObject {page} when AWS:SourceArn = "
                 f"{STAGING_DISTRIBUTION} {_VIA}", difficulty="hard"),
        decision(ABOUT, "s3-cloudfront-hosting-admin-uploads",
                 "Besides the CloudFront statement, the bucket policy denies s3:PutObject "
                 "to every principal whose aws:PrincipalArn is not role/site-deployer. "
                 "Role site-admin has an IAM policy allowing s3:* on the bucket. It "
                 "uploads a page. Decision?", f"role/site-admin s3:PutObject {page}",
                 topic="evaluation-same-account"),
        decision(ABOUT, "s3-cloudfront-hosting-restricted-public-policy",
                 f"Bucket {LEGACY} still has a policy allowing Principal \"*\" "
                 "s3:GetObject, but its Block Public Access settings are all back on "
                 "(RestrictPublicBuckets included). An anonymous visitor requests a page. "
                 "Decision?", f"anonymous s3:GetObject {objects(LEGACY, 'index.html')}",
                 topic="s3-access-control", references=(BPA_PAGE,),
                 changed=DEFAULTS_CHANGE),
        decision(ABOUT, "s3-cloudfront-hosting-block-public-policy-only",
                 f"Bucket {LOCKED} has had a policy allowing Principal \"*\" s3:GetObject "
                 "for years. Someone then turned on BlockPublicAcls, IgnorePublicAcls and "
                 "BlockPublicPolicy, but left RestrictPublicBuckets off. An anonymous "
                 "visitor requests a page. Decision?",
                 f"anonymous s3:GetObject {objects(LOCKED, 'index.html')}",
                 topic="s3-access-control", references=(BPA_PAGE,), difficulty="hard"),
        decision(ABOUT, "s3-cloudfront-hosting-account-level-block",
                 f"Bucket {CAMPAIGN} in account {MARKETING} has its own Block Public "
                 "Access settings off and a policy allowing Principal \"*\" s3:GetObject. "
                 "The account's Block Public Access settings are all on. An anonymous "
                 "visitor requests a page. Decision?",
                 f"anonymous s3:GetObject {objects(CAMPAIGN, 'index.html')}",
                 topic="s3-access-control", references=(BPA_PAGE,), difficulty="hard"),
        decision(ABOUT, "s3-cloudfront-hosting-website-old-version",
                 f"Website bucket {WEBSITE} (Block Public Access off, versioning on) has "
                 "a policy allowing Principal \"*\" s3:GetObject. An anonymous visitor "
                 "asks for index.html with a versionId. Decision?",
                 f"anonymous s3:GetObjectVersion {objects(WEBSITE, 'index.html')}",
                 topic="s3-versioning", references=(GET_OBJECT_API,)),
        decision(ABOUT, "s3-cloudfront-hosting-website-public-read",
                 f"Website bucket {WEBSITE}: its Block Public Access settings were turned "
                 "off on purpose and its policy allows Principal \"*\" s3:GetObject. An "
                 "anonymous visitor requests index.html. Decision?",
                 f"anonymous s3:GetObject {objects(WEBSITE, 'index.html')}",
                 topic="s3-access-control", difficulty="easy",
                 references=(_S3 + "WebsiteAccessPermissionsReqd.html", OWNERSHIP_PAGE)),
    ]


def _class_options(right: StorageClass, why_right: str) -> list[Option]:
    wrong = {SC.STANDARD: "Only until its first transition is due.",
             SC.STANDARD_IA: "Its first stop, 30 days after upload.",
             SC.GLACIER_IR: "Its second stop, 90 days after upload.",
             SC.DEEP_ARCHIVE: "Its last stop, 180 days after upload."}
    return [Option(str(c), why_right if c is right else wrong[c], c is right)
            for c in (SC.STANDARD, SC.STANDARD_IA, SC.GLACIER_IR, SC.DEEP_ARCHIVE)]


def _lifecycle_questions() -> list[dict[str, Any]]:
    config, video = site_lifecycle(), video_facts()
    day = 95
    on = state_at(config, video, on_day(video.created, day)).storage_class
    small = state_at(config, thumbnail_facts(), on_day(video.created, 200)).storage_class
    expiry = expires_at(config, spring_facts())
    accepted = [c for c in CANDIDATES if verdict(c) == "accepted"]
    rule = ("Rule archive-media: STANDARD_IA after 30 days, GLACIER_IR after 90, "
            "DEEP_ARCHIVE after 180, expire after 730.")
    return [
        choice(LIFECYCLE, "s3-cloudfront-hosting-video-class-day-95",
               f"{rule} A 512 KB video was uploaded under media/ on 2025-03-01 at "
               f"09:30 UTC. Which storage class is it in {day} days later?",
               _class_options(on, "Right: day 90's transition is due at the next midnight "
                              "UTC after 90 days, and the day-180 one is not yet."),
               references=(RULES_PAGE, TRANSITIONS_PAGE)),
        choice(LIFECYCLE, "s3-cloudfront-hosting-small-object-class",
               f"The same rule. A {THUMBNAIL_BYTES // 1024} KB thumbnail was uploaded "
               "under media/ on the same day, and the configuration keeps the default "
               "minimum object size. Which storage class is it in 200 days later?",
               _class_options(small, "Right: by default lifecycle does not transition "
                              "objects smaller than 128 KB to any storage class."),
               references=(MIN_SIZE_API, TRANSITIONS_PAGE), changed=SIZE_CHANGE,
               difficulty="hard"),
        choice(LIFECYCLE, "s3-cloudfront-hosting-accepted-configurations",
               "Which of these lifecycle rules does S3 accept?",
               [Option(c.name, f"{'Accepted' if c in accepted else 'Refused'}: {c.rule}.",
                       c in accepted) for c in CANDIDATES[:4] + CANDIDATES[6:]],
               references=(TRANSITIONS_PAGE,), difficulty="hard"),
        true_false(LIFECYCLE, "s3-cloudfront-hosting-noncurrent-expiry",
                   "Rule page-rollback-window expires noncurrent versions under site/ "
                   "after 60 days. The first page version became noncurrent when the "
                   "second deployment replaced it on 2025-03-15 at 16:00 UTC. It is "
                   "deleted for good at 2025-05-15 00:00 UTC.",
                   expiry is not None and expiry.isoformat() == "2025-05-15T00:00:00+00:00",
                   "Right: noncurrent days count from the successor's creation, and the "
                   "result is rounded up to the next midnight UTC.",
                   "Wrong: noncurrent days count from the successor's creation, rounded "
                   "up to the next midnight UTC.", topic="s3-lifecycle"),
    ]


def _versioning_questions() -> list[dict[str, Any]]:
    story = history_until_accident()
    plain = outcome(lambda: story.bucket.get(PAGE))
    marker = outcome(lambda: story.bucket.get(PAGE, story.marker.version_id))
    older = outcome(lambda: story.bucket.get(PAGE, story.spring.version_id))
    story.bucket.delete(PAGE, RESTORE, story.marker.version_id)
    restored = outcome(lambda: story.bucket.get(PAGE))
    intro = ("Versioning is enabled on the origin bucket. site/index.html has two "
             "versions (spring, then summer), and then someone runs DELETE on it without "
             "a version ID.")
    return [
        choice(VERSIONING, "s3-cloudfront-hosting-get-after-delete",
               f"{intro} What does a plain GET of site/index.html answer?", [
                   Option("404 Not Found", "Right: the delete marker is the current "
                          "version, so S3 acts as if the object were gone.",
                          plain == "404 NoSuchKey"),
                   Option("The summer version", "Wrong: that version is now noncurrent; "
                          "only a GET naming its version ID returns it.",
                          plain == SUMMER.decode()),
                   Option("405 Method Not Allowed", "Wrong: that is the answer to a GET "
                          "naming the delete marker's own version ID.",
                          plain == "405 MethodNotAllowed"),
               ]),
        choice(VERSIONING, "s3-cloudfront-hosting-get-marker-version",
               f"{intro} A GET names the delete marker's version ID. What does S3 answer?",
               [Option("405 Method Not Allowed", "Right: a delete marker has no data.",
                       marker == "405 MethodNotAllowed"),
                Option("404 Not Found", "Wrong: that is a plain GET's answer.",
                       marker == "404 NoSuchKey"),
                Option("The spring version", "Wrong: naming a version ID returns that "
                       "version only.", marker == SPRING.decode())],
               references=(GET_OBJECT_API, DELETE_MARKER_PAGE)),
        true_false(VERSIONING, "s3-cloudfront-hosting-older-version-readable",
                   f"{intro} A GET naming the spring version's ID still returns it.",
                   older == SPRING.decode(),
                   "Right: a delete marker hides the object from plain GETs only; every "
                   "version stays until it is deleted by its version ID.",
                   "Wrong: the versions are kept; only plain GETs are answered 404."),
        choice(VERSIONING, "s3-cloudfront-hosting-undelete",
               f"{intro} How do you bring the summer version back as the current one?", [
                   Option("Delete the delete marker by its version ID", "Right: the "
                          "previous version becomes current again.",
                          restored == SUMMER.decode()),
                   Option("Run DELETE on the key once more", "Wrong: that only adds "
                          "another delete marker.", False),
                   Option("Suspend versioning on the bucket", "Wrong: suspending keeps "
                          "every version and the marker as they are.", False),
               ], references=(RESTORE_PAGE, DELETE_MARKER_PAGE)),
    ]


def questions() -> Sequence[dict[str, Any]]:
    return [*_decisions(), *_lifecycle_questions(), *_versioning_questions()]

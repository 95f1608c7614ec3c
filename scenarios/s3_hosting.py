"""s3-cloudfront-hosting: a static site in a private bucket served through CloudFront with
origin access control (OAC), beside the public-website variant, with S3 Block Public
Access (BPA) set on buckets and on one account; versioning and lifecycle rules for the
site's objects are modelled by `scenarios.s3_versioning` and `scenarios.s3_lifecycle`.

Every access answer is the engine's, over the snapshot below: BPA is read from the
buckets' `public_access_block` and the account's `s3_public_access_block` and applied by
the engine (`policy_engine.engine.s3_access`); nothing here decides it again.

Rules the checks rest on:
- OAC: the bucket policy allows the service principal `cloudfront.amazonaws.com`
  s3:GetObject when `AWS:SourceArn` is the distribution's ARN; nothing else may read the
  bucket directly. AWS recommends OAC over the legacy origin access identity (OAI), and
  OAC needs Object Ownership BucketOwnerEnforced. A bucket configured as a website
  endpoint is a custom origin to CloudFront and cannot use OAC
  (AmazonCloudFront/.../private-content-restricting-access-to-s3.html).
- The website variant: a bucket policy granting `Principal: "*"` s3:GetObject, which
  can be put only with BlockPublicPolicy off and takes effect only with
  RestrictPublicBuckets off (AmazonS3/.../WebsiteAccessPermissionsReqd.html).
- BPA: RestrictPublicBuckets limits a public bucket policy to AWS service principals and
  the owner's account; BlockPublicPolicy only refuses PutBucketPolicy calls that would
  make the bucket public and leaves an existing public policy in force; the account's
  and the bucket's settings combine, the more restrictive winning
  (AmazonS3/.../access-control-block-public-access.html).
- Current defaults (what changed): since April 2023 a new bucket has all four BPA
  settings on and Object Ownership BucketOwnerEnforced, so ACLs are disabled; older
  material says new buckets accept ACLs and are public once a policy says so
  (AmazonS3/.../access-control-block-public-access.html, about-object-ownership.html).
- Versioned reads need s3:GetObjectVersion, and only s3:DeleteObjectVersion removes a
  version (or a delete marker) for good; a plain DELETE only adds a delete marker
  (AmazonS3/.../DeletingObjectVersions.html, API_GetObject.html).
- An explicit Deny in the bucket policy overrides any Allow (IAM policy evaluation logic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policy_engine.scenario.api import AccessCheck, Check, ModelCheck, Narrate
from policy_engine.scenario.build import (
    authorization_details,
    document,
    inline,
    role,
    trust_account,
)
from scenarios.s3_site import PAGE

SITE = "111122223333"  # the web team's account: site buckets and distributions
MARKETING = "444455556666"  # another account, with account-level BPA on
REGION = "us-east-1"
ORIGIN = "example-site-origin"  # private, behind CloudFront with OAC
WEBSITE = "example-public-website"  # the public-website variant, BPA off
LEGACY = "example-legacy-website"  # a public policy kept, but RestrictPublicBuckets on
CAMPAIGN = "example-campaign-site"  # MARKETING's public policy; its account blocks it
LOCKED = "example-locked-policy-site"  # BlockPublicPolicy on, RestrictPublicBuckets off
DISTRIBUTION_ID = "E1SITE2ORIGIN3"
STAGING_ID = "E9STAGING8TEST"
DISTRIBUTION = f"arn:aws:cloudfront::{SITE}:distribution/{DISTRIBUTION_ID}"
STAGING_DISTRIBUTION = f"arn:aws:cloudfront::{SITE}:distribution/{STAGING_ID}"
FOREIGN_DISTRIBUTION = f"arn:aws:cloudfront::{MARKETING}:distribution/E5OTHER6ACCOUNT"
DEPLOYER = f"arn:aws:iam::{SITE}:role/site-deployer"

_CF = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
OAC_PAGE = _CF + "private-content-restricting-access-to-s3.html"
WEBSITE_PAGE = _S3 + "WebsiteAccessPermissionsReqd.html"
BPA_PAGE = _S3 + "access-control-block-public-access.html"
DEFAULTS_PAGE = _S3 + "access-control-block-public-access.html"
OWNERSHIP_PAGE = _S3 + "about-object-ownership.html"
VERSIONS_PAGE = _S3 + "DeletingObjectVersions.html"
DELETE_MARKER_PAGE = _S3 + "DeleteMarker.html"
RESTORE_PAGE = _S3 + "RestoringPreviousVersions.html"
GET_OBJECT_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html"
EVALUATION_PAGE = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                   "reference_policies_evaluation-logic.html")

# The defaults of a bucket created since April 2023 (about-object-ownership.html).
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
               "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
# Public policies can no longer be put, but the one in place still applies.
POLICY_LOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                 "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
NONE_BLOCKED = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
                "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
ACLS_DISABLED = "BucketOwnerEnforced"


def objects(bucket: str, key: str = "*") -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def origin_policy() -> dict[str, Any]:
    """OAC's documented bucket policy, plus a guard: uploads only from the deploy role."""
    return document(
        {"Sid": "AllowCloudFrontServicePrincipalReadOnly", "Effect": "Allow",
         "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
         "Resource": objects(ORIGIN),
         "Condition": {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}},
        # aws:PrincipalArn is absent from anonymous and service requests, so StringNotEquals
        # matches them too: nobody but the deploy role writes.
        {"Sid": "UploadsOnlyFromTheDeployRole", "Effect": "Deny", "Principal": "*",
         "Action": "s3:PutObject", "Resource": objects(ORIGIN),
         "Condition": {"StringNotEquals": {"aws:PrincipalArn": DEPLOYER}}},
    )


def public_read_policy(bucket: str) -> dict[str, Any]:
    """The website endpoint's documented policy: anyone may read every object."""
    return document({"Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*",
                     "Action": "s3:GetObject", "Resource": objects(bucket)})


def _bucket(name: str, account: str, policy: dict[str, Any], block: dict[str, bool]
            ) -> dict[str, Any]:
    return {"name": name, "account": account, "region": REGION, "policy": policy,
            "public_access_block": block, "object_ownership": ACLS_DISABLED}


def buckets() -> list[dict[str, Any]]:
    return [
        _bucket(ORIGIN, SITE, origin_policy(), ALL_BLOCKED),
        _bucket(WEBSITE, SITE, public_read_policy(WEBSITE), NONE_BLOCKED),
        # The policy predates turning the defaults back on: RestrictPublicBuckets makes
        # S3 ignore what its public statement grants to anyone outside the account.
        _bucket(LEGACY, SITE, public_read_policy(LEGACY), ALL_BLOCKED),
        # BlockPublicPolicy refuses new public policies only; the existing one still works.
        _bucket(LOCKED, SITE, public_read_policy(LOCKED), POLICY_LOCKED),
        # The bucket's own settings are off, but its account blocks public access.
        _bucket(CAMPAIGN, MARKETING, public_read_policy(CAMPAIGN), NONE_BLOCKED),
    ]


def _site_roles() -> list[dict[str, Any]]:
    deploy = inline("deploy-site", {
        "Effect": "Allow", "Resource": objects(ORIGIN),
        "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]}, {
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{ORIGIN}"})
    admin = inline("administer-site-buckets", {
        "Effect": "Allow", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{ORIGIN}", objects(ORIGIN)]})
    return [role(SITE, "site-deployer", trust_account(SITE), deploy),
            role(SITE, "site-admin", trust_account(SITE), admin),
            role(SITE, "support", trust_account(SITE))]


def _marketing_roles() -> list[dict[str, Any]]:
    reader = inline("read-any-bucket", {"Effect": "Allow", "Action": "s3:GetObject",
                                        "Resource": "*"})
    return [role(MARKETING, "campaign-builder", trust_account(MARKETING), reader)]


def hosting_snapshot() -> dict[str, Any]:
    return {
        "format": "policy-engine-snapshot/1",
        "description": "s3-cloudfront-hosting: a private OAC origin, public-website "
                       "variants and Block Public Access at bucket and account level",
        "accounts": [
            {"id": SITE, "name": "web",
             "authorization_details": authorization_details(roles=_site_roles())},
            {"id": MARKETING, "name": "marketing",
             "s3_public_access_block": ALL_BLOCKED,
             "authorization_details": authorization_details(roles=_marketing_roles())},
        ],
        "resources": {"s3_buckets": buckets()},
    }


def _via(distribution: str) -> str:
    return f"when AWS:SourceArn = {distribution} and aws:SourceAccount = {SITE}"


def access_checks() -> list[AccessCheck]:
    page = objects(ORIGIN, PAGE)
    return [
        AccessCheck("an anonymous direct GET of the OAC origin is refused",
                    f"expect implicitDeny: anonymous s3:GetObject {page}", OAC_PAGE),
        AccessCheck("the distribution reads the origin through OAC",
                    f"expect allowed: cloudfront.amazonaws.com s3:GetObject {page} "
                    f"{_via(DISTRIBUTION)}", OAC_PAGE),
        AccessCheck("another distribution of the same account cannot read the origin",
                    f"expect implicitDeny: cloudfront.amazonaws.com s3:GetObject {page} "
                    f"{_via(STAGING_DISTRIBUTION)}", OAC_PAGE),
        AccessCheck("a distribution in another account cannot read the origin",
                    f"expect implicitDeny: cloudfront.amazonaws.com s3:GetObject {page} "
                    f"when AWS:SourceArn = {FOREIGN_DISTRIBUTION} and "
                    f"aws:SourceAccount = {MARKETING}", OAC_PAGE),
        AccessCheck("the deploy role uploads the site",
                    f"expect allowed: role/site-deployer s3:PutObject {page}", OAC_PAGE),
        AccessCheck("the bucket policy's Deny stops even an s3:* administrator uploading",
                    f"expect explicitDeny: role/site-admin s3:PutObject {page}",
                    EVALUATION_PAGE),
        AccessCheck("CloudFront cannot write through OAC: the Deny covers it",
                    f"expect explicitDeny: cloudfront.amazonaws.com s3:PutObject {page} "
                    f"{_via(DISTRIBUTION)}", OAC_PAGE),
        AccessCheck("a role of the account without a policy for the bucket cannot read it",
                    f"expect implicitDeny: role/support s3:GetObject {page}",
                    EVALUATION_PAGE),
        AccessCheck("the public-website variant serves anonymous readers",
                    f"expect allowed: anonymous s3:GetObject {objects(WEBSITE, 'index.html')}",
                    WEBSITE_PAGE),
        AccessCheck("the public-website policy grants reads only, not uploads",
                    f"expect implicitDeny: anonymous s3:PutObject "
                    f"{objects(WEBSITE, 'index.html')}", WEBSITE_PAGE),
        AccessCheck("a public read policy does not grant reads of older versions",
                    f"expect implicitDeny: anonymous s3:GetObjectVersion "
                    f"{objects(WEBSITE, 'index.html')}", GET_OBJECT_API),
        AccessCheck("RestrictPublicBuckets on the bucket blocks its public policy",
                    f"expect implicitDeny: anonymous s3:GetObject "
                    f"{objects(LEGACY, 'index.html')}", BPA_PAGE),
        AccessCheck("BlockPublicPolicy alone leaves an existing public policy in force",
                    f"expect allowed: anonymous s3:GetObject "
                    f"{objects(LOCKED, 'index.html')}", BPA_PAGE),
        AccessCheck("the account's Block Public Access blocks a bucket whose own is off",
                    f"expect implicitDeny: anonymous s3:GetObject "
                    f"{objects(CAMPAIGN, 'index.html')}", BPA_PAGE),
        AccessCheck("the deploy role can delete (add a delete marker)",
                    f"expect allowed: role/site-deployer s3:DeleteObject {page}",
                    DELETE_MARKER_PAGE),
        AccessCheck("the deploy role cannot delete a version for good",
                    f"expect implicitDeny: role/site-deployer s3:DeleteObjectVersion {page}",
                    VERSIONS_PAGE),
        AccessCheck("the administrator removes a delete marker to restore an object",
                    f"expect allowed: role/site-admin s3:DeleteObjectVersion {page}",
                    VERSIONS_PAGE),
    ]


class S3CloudFrontHosting:
    name = "s3-cloudfront-hosting"
    title = "Static hosting: S3 behind CloudFront with OAC, or a public website bucket"
    topic = "s3-access-control"
    summary = ("A private bucket read only by one CloudFront distribution (origin access "
               "control), public-website buckets with Block Public Access off, on, and "
               "on at the account level, uploads only from the deploy role, and the "
               "site's versions and lifecycle rules modelled day by day.")

    def snapshot(self) -> dict[str, Any]:
        return hosting_snapshot()

    def checks(self) -> Sequence[Check]:
        from scenarios.s3_hosting_model_checks import model_checks

        found: list[AccessCheck | ModelCheck] = [*access_checks(), *model_checks()]
        return found

    def questions(self) -> Sequence[Mapping[str, Any]]:
        from scenarios.s3_hosting_questions import questions

        return questions()

    def run(self, narrate: Narrate) -> None:
        from scenarios.s3_hosting_walk import walk_through

        walk_through(self, narrate)

    def describe(self) -> Any:
        from scenarios.s3_hosting_view import render

        return render()


SCENARIO = S3CloudFrontHosting()

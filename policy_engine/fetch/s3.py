"""S3: every bucket with its policy, tags, Block Public Access, Object Ownership and ACL,
and the account-level Block Public Access settings.

ListBuckets is global; each bucket's own reads go to a client in the bucket's Region
(GetBucketLocation: no constraint means us-east-1, `EU` means eu-west-1). "Not
configured" answers (NoSuchBucketPolicy, NoSuchTagSet, NoSuchPublicAccessBlockConfiguration,
OwnershipControlsNotFoundError) are answers, not warnings.

Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html,
API_GetBucketLocation.html, API_GetBucketPolicy.html, API_GetBucketTagging.html,
API_GetPublicAccessBlock.html, API_GetBucketOwnershipControls.html, API_GetBucketAcl.html,
API_control_GetPublicAccessBlock.html; https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html
(since April 2023 new buckets have Block Public Access on and ACLs disabled).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from policy_engine.fetch.found import Found, json_document, plain, tag_map
from policy_engine.fetch.reader import Reader

__all__ = ["bucket_region", "fetch_s3"]

ReaderFor = Callable[[str, str | None], Reader]


def bucket_region(location: dict[str, Any] | None) -> str | None:
    """GetBucketLocation's answer as a Region name; None when it could not be read."""
    if location is None:
        return None
    constraint = location.get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)


def fetch_s3(reader_for: ReaderFor, account: str, regions: Collection[str],
             home_region: str) -> Found:
    """The buckets in `regions` and the account's settings."""
    found = Found()
    listing = reader_for("s3", home_region)
    pages = listing.page_list("list_buckets")
    buckets = [bucket for page in pages or [] for bucket in page.get("Buckets", [])]
    owner = (pages or [{}])[0].get("Owner", {}).get("ID")
    if owner:  # the canonical user id ACL grants name the account by
        found.account["canonical_user_id"] = owner
    control = reader_for("s3control", home_region).call(
        "get_public_access_block", absent=("NoSuchPublicAccessBlockConfiguration",),
        AccountId=account)
    if control is not None:
        found.account["s3_public_access_block"] = control["PublicAccessBlockConfiguration"]
    entries = []
    for bucket in sorted(buckets, key=lambda b: b["Name"]):
        name = bucket["Name"]
        region = bucket_region(listing.call("get_bucket_location", resource=name,
                                            Bucket=name))
        if region is not None and region not in regions:
            continue
        entries.append(_bucket(reader_for("s3", region or home_region), name, account,
                               region))
    found.extend("s3_buckets", entries)
    return found


def _bucket(reader: Reader, name: str, account: str, region: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "account": account}
    if region is not None:
        entry["region"] = region
    policy = reader.call("get_bucket_policy", absent=("NoSuchBucketPolicy",), resource=name,
                         Bucket=name)
    if policy is not None:
        entry["policy"] = json_document(policy.get("Policy"))
    tagging = reader.call("get_bucket_tagging", absent=("NoSuchTagSet",), resource=name,
                          Bucket=name)
    if tagging and tagging.get("TagSet"):
        entry["tags"] = tag_map(tagging["TagSet"])
    block = reader.call("get_public_access_block",
                        absent=("NoSuchPublicAccessBlockConfiguration",), resource=name,
                        Bucket=name)
    if block is not None:
        entry["public_access_block"] = block["PublicAccessBlockConfiguration"]
    ownership = reader.call("get_bucket_ownership_controls",
                            absent=("OwnershipControlsNotFoundError",), resource=name,
                            Bucket=name)
    if ownership is not None:
        entry["object_ownership"] = ownership["OwnershipControls"]["Rules"][0][
            "ObjectOwnership"]
    acl = reader.call("get_bucket_acl", resource=name, Bucket=name)
    if acl is not None:
        entry["acl"] = plain({key: acl[key] for key in ("Owner", "Grants") if key in acl})
    return {key: value for key, value in entry.items() if value is not None}

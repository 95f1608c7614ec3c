"""What `policy-engine scenario show s3-cloudfront-hosting` adds: the buckets with their
Block Public Access and Object Ownership settings, the distribution and its origin access
control, the page's versions after the accidental delete, and the lifecycle rules with
the video's way down the storage classes. Rendering only; the facts come from the
scenario's snapshot and models."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from scenarios.s3_hosting import (
    DISTRIBUTION,
    ORIGIN,
    STAGING_DISTRIBUTION,
    buckets,
    hosting_snapshot,
)
from scenarios.s3_lifecycle import Rule, state_at
from scenarios.s3_site import PAGE, history_until_accident, on_day, site_lifecycle, video_facts

_SHORT = {"BlockPublicAcls": "BPA acls", "IgnorePublicAcls": "ignore acls",
          "BlockPublicPolicy": "BPA policy", "RestrictPublicBuckets": "restrict"}


def describe_rules(rules: Iterable[Rule]) -> list[str]:
    """One line per rule, for narration and `show`."""
    lines = []
    for rule in rules:
        parts = [f"{t.storage_class} after {t.days} d" for t in rule.transitions]
        if rule.expiration:
            parts.append(f"expire after {rule.expiration.days} d")
        parts += [f"noncurrent {t.storage_class} after {t.noncurrent_days} d"
                  for t in rule.noncurrent_transitions]
        if rule.noncurrent_expiration:
            parts.append(f"noncurrent expire after {rule.noncurrent_expiration.noncurrent_days}"
                         " d")
        scope = rule.filter.terms.prefix if rule.filter and rule.filter.terms.prefix else ""
        lines.append(f"{rule.id} ({rule.status}, prefix `{scope}`): " + ", ".join(parts))
    return lines


def _buckets_tree() -> Tree:
    tree = Tree(Text("S3 buckets (Block Public Access as set on the bucket)", style="bold"))
    for bucket in buckets():
        block = bucket["public_access_block"]
        on = [_SHORT[k] for k, v in block.items() if v] or ["all off"]
        node = tree.add(Text(f"{bucket['name']} (account {bucket['account']})",
                             style="bold"))
        node.add(Text(f"Block Public Access: {', '.join(on)}"))
        ownership = bucket["object_ownership"]
        acls = "ACLs disabled" if ownership == "BucketOwnerEnforced" else "ACLs apply"
        node.add(Text(f"Object Ownership: {ownership} ({acls})"))
        statements = bucket["policy"]["Statement"]
        node.add(Text("policy: " + "; ".join(s["Sid"] for s in statements)))
    for account in hosting_snapshot()["accounts"]:
        block = account.get("s3_public_access_block")
        if block:
            on = [_SHORT[k] for k, v in block.items() if v]
            tree.add(Text(f"account {account['id']}: account-level Block Public Access "
                          f"{', '.join(on)}"))
    return tree


def _distribution_tree() -> Tree:
    tree = Tree(Text("CloudFront", style="bold"))
    site = tree.add(Text(f"{DISTRIBUTION}", style="bold"))
    site.add(Text(f"origin {ORIGIN}.s3.us-east-1.amazonaws.com with origin access control "
                  "(signs with SigV4 as cloudfront.amazonaws.com)"))
    tree.add(Text(f"{STAGING_DISTRIBUTION}: not named in the origin's bucket policy"))
    return tree


def _versions_table() -> Table:
    story = history_until_accident()
    table = Table(title=f"{PAGE} after the accidental DELETE (newest first)", box=None)
    for column in ("version id", "created (UTC)", "kind", "size"):
        table.add_column(column)
    for version in story.bucket.versions(PAGE):
        kind = "delete marker (current)" if version.is_delete_marker else "object version"
        table.add_row(version.version_id, f"{version.created:%Y-%m-%d %H:%M}", kind,
                      "-" if version.is_delete_marker else f"{version.size} B")
    return table


def _lifecycle_tree() -> Tree:
    config, video = site_lifecycle(), video_facts()
    tree = Tree(Text("lifecycle configuration", style="bold"))
    for line in describe_rules(config.rules):
        tree.add(Text(line))
    walk = tree.add(Text(f"{video.key} ({video.size // 1024} KB, uploaded "
                         f"{video.created:%Y-%m-%d %H:%M} UTC)"))
    for days in (30, 31, 91, 181, 731):
        state = state_at(config, video, on_day(video.created, days))
        walk.add(Text(f"day {days}: {'expired' if state.expired else state.storage_class}"))
    return tree


def render() -> RenderableType:
    return Group(_buckets_tree(), _distribution_tree(), _versions_table(), _lifecycle_tree())

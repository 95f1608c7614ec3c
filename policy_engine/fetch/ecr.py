"""ECR: every private repository of a Region with its repository policy and tags.

GetRepositoryPolicy answers RepositoryPolicyNotFoundException when none is set.

Sources: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html,
API_GetRepositoryPolicy.html, API_ListTagsForResource.html;
https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html.
"""

from __future__ import annotations

from typing import Any

from policy_engine.fetch.found import Found, json_document, tag_map
from policy_engine.fetch.reader import Reader

__all__ = ["fetch_ecr"]


def fetch_ecr(reader: Reader) -> Found:
    found = Found()
    entries = []
    for repository in sorted(reader.pages("describe_repositories", "repositories") or [],
                             key=lambda r: r["repositoryArn"]):
        arn, name = repository["repositoryArn"], repository["repositoryName"]
        entry: dict[str, Any] = {"arn": arn}
        policy = reader.call("get_repository_policy",
                             absent=("RepositoryPolicyNotFoundException",), resource=arn,
                             repositoryName=name, registryId=repository["registryId"])
        document = json_document((policy or {}).get("policyText"))
        if document is not None:
            entry["policy"] = document
        tags = tag_map((reader.call("list_tags_for_resource", resource=arn,
                                    resourceArn=arn) or {}).get("tags"))
        if tags:
            entry["tags"] = tags
        entries.append(entry)
    found.extend("ecr_repositories", entries)
    return found

"""SQS queues and SNS topics of a Region, with their policies and tags.

A queue without a policy has no `Policy` attribute; every SNS topic has one (AWS writes
a default topic policy when the topic is made).

Sources: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html,
API_GetQueueAttributes.html (QueueArn, Policy), API_ListQueueTags.html;
https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html, API_GetTopicAttributes.html,
API_ListTagsForResource.html.
"""

from __future__ import annotations

from typing import Any

from policy_engine.fetch.found import Found, json_document, tag_map
from policy_engine.fetch.reader import Reader

__all__ = ["fetch_sns", "fetch_sqs"]


def fetch_sqs(reader: Reader) -> Found:
    found = Found()
    entries = []
    for url in sorted(reader.pages("list_queues", "QueueUrls") or []):
        attributes = reader.call("get_queue_attributes", resource=url, QueueUrl=url,
                                 AttributeNames=["QueueArn", "Policy"])
        if attributes is None:
            continue  # without QueueArn the queue cannot be named
        values = attributes.get("Attributes", {})
        entry: dict[str, Any] = {"arn": values["QueueArn"]}
        if json_document(values.get("Policy")) is not None:
            entry["policy"] = json_document(values["Policy"])
        tags = (reader.call("list_queue_tags", resource=url, QueueUrl=url) or {}).get("Tags")
        if tags:
            entry["tags"] = dict(tags)
        entries.append(entry)
    found.extend("sqs_queues", entries)
    return found


def fetch_sns(reader: Reader) -> Found:
    found = Found()
    entries = []
    topics = reader.pages("list_topics", "Topics") or []
    for arn in sorted(topic["TopicArn"] for topic in topics):
        entry: dict[str, Any] = {"arn": arn}
        attributes = reader.call("get_topic_attributes", resource=arn, TopicArn=arn)
        policy = json_document((attributes or {}).get("Attributes", {}).get("Policy"))
        if policy is not None:
            entry["policy"] = policy
        tags = tag_map((reader.call("list_tags_for_resource", resource=arn,
                                    ResourceArn=arn) or {}).get("Tags"))
        if tags:
            entry["tags"] = tags
        entries.append(entry)
    found.extend("sns_topics", entries)
    return found

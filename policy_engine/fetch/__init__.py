"""`policy-engine fetch`: read-only snapshots of a real AWS account, through boto3.

Imported only when the command runs (boto3 is the `aws` extra). `fetch_snapshot` reads
the caller's account — IAM, Organizations, S3, KMS, SQS, SNS, Lambda, Secrets Manager,
ECR — into a `policy-engine-snapshot/1` value; `write_atomically` puts it on disk. Every
call goes through `FetchSession`, whose guard refuses any operation that is not a Get,
List or Describe before it is sent.
"""

from policy_engine.fetch.reader import FetchWarning
from policy_engine.fetch.run import (
    SERVICES,
    Caller,
    FetchOptions,
    FetchResult,
    Listener,
    Task,
    fetch_snapshot,
)
from policy_engine.fetch.session import FetchError, FetchSession, WriteRefused, refusal
from policy_engine.fetch.write import check_snapshot, snapshot_text, write_atomically

__all__ = [
    "SERVICES",
    "Caller",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "FetchSession",
    "FetchWarning",
    "Listener",
    "Task",
    "WriteRefused",
    "check_snapshot",
    "fetch_snapshot",
    "refusal",
    "snapshot_text",
    "write_atomically",
]

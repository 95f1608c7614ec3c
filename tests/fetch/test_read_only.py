"""Read-only by construction, and nothing secret in the output.

The guard is a botocore `before-call` handler on the fetch session: a refused operation
raises before the request is signed or sent, so the server never sees it.
Sources: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html,
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html (access key ids and
secret access keys are credentials).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from policy_engine.fetch import FetchOptions, FetchSession, WriteRefused, fetch_snapshot, refusal
from tests.fetch import seed as S
from tests.fetch.helpers import fetch_into, member_env
from tests.fetch.inject import Counter


@pytest.mark.parametrize(("service", "operation", "allowed"), [
    ("iam", "GetAccountAuthorizationDetails", True),
    ("s3", "ListBuckets", True),
    ("kms", "DescribeKey", True),
    ("sts", "GetCallerIdentity", True),
    ("s3", "CreateBucket", False),
    ("s3", "PutBucketPolicy", False),
    ("iam", "CreateAccessKey", False),
    ("kms", "Decrypt", False),
    ("lambda", "InvokeFunction", False),
    ("sts", "AssumeRole", False),
    ("organizations", "LeaveOrganization", False),
    # reads that hand out secrets, credentials or presigned URLs
    ("secretsmanager", "GetSecretValue", False),
    ("sts", "GetSessionToken", False),
    ("ecr", "GetAuthorizationToken", False),
    ("ssm", "GetParameter", False),
    ("lambda", "GetFunction", False),
    ("s3", "GetObject", False),
])
def test_only_plain_reads_pass_the_guard(service: str, operation: str, allowed: bool) -> None:
    assert (refusal(service, operation) is None) is allowed


@pytest.mark.aws
def test_a_write_through_the_fetch_session_is_refused_before_it_is_sent(
        server: str) -> None:
    session = FetchSession(endpoint_url=server)
    sent = Counter()
    session.events.register("before-send", sent)
    s3 = session.client("s3")
    with pytest.raises(WriteRefused, match="CreateBucket"):
        s3.create_bucket(Bucket="must-not-exist")
    with pytest.raises(WriteRefused, match="PutBucketPolicy"):
        s3.put_bucket_policy(Bucket="must-not-exist", Policy="{}")
    assert sent.sent == 0  # nothing reached the wire
    plain = S.client(server, "s3")  # outside the fetch: the server has no bucket
    with pytest.raises(ClientError) as missing:
        plain.head_bucket(Bucket="must-not-exist")
    assert missing.value.response["Error"]["Code"] == "404"
    assert session.client("sts").get_caller_identity()["Account"] == S.MANAGEMENT
    assert sent.sent == 1  # the allowed read went out


@pytest.mark.aws
def test_a_secret_value_is_never_read_even_though_it_is_a_get(server: str) -> None:
    session = FetchSession(endpoint_url=server)
    with pytest.raises(WriteRefused, match="GetSecretValue"):
        session.client("secretsmanager").get_secret_value(SecretId=S.SECRET)


@pytest.mark.aws
def test_a_whole_fetch_sends_only_reads(server: str) -> None:
    """Every operation a full fetch sent, recorded on `before-call`, is Get/List/Describe."""
    session = FetchSession(endpoint_url=server)
    calls: set[tuple[str, str]] = set()

    def record(model: Any, **_: Any) -> None:
        calls.add((model.service_model.service_name, model.name))

    session.events.register("before-call", record)
    fetch_snapshot(session, FetchOptions(regions=(S.REGION,)))
    assert len(calls) >= 30
    assert [call for call in sorted(calls) if refusal(*call) is not None] == []
    assert ("secretsmanager", "GetSecretValue") not in calls


@pytest.mark.aws
def test_no_credential_or_secret_is_written_or_printed(server: str, seeded_once: S.Seeded,
                                                      tmp_path: Path) -> None:
    """The snapshot file and everything printed are scanned for the access key ids,
    secret keys and session token used (both accounts), and the secret's value."""
    ran, _ = fetch_into(tmp_path / "management.json", server)
    member, _ = fetch_into(tmp_path / "member.json", server,
                           env=member_env(seeded_once.member_credentials))
    texts = [(tmp_path / "management.json").read_text(), (tmp_path / "member.json").read_text(),
             ran.stdout, ran.stderr, member.stdout, member.stderr]
    secrets = [S.ACCESS_KEY_ID, S.SECRET_ACCESS_KEY, S.SECRET_VALUE,
               *seeded_once.member_credentials.values()]
    found = [(secret[:8], index) for secret in secrets for index, text in enumerate(texts)
             if secret in text]
    assert found == []
    assert all("AWS4-HMAC-SHA256" not in text and "Signature=" not in text for text in texts)
    assert S.SECRET in texts[0]  # the secret itself is listed, with its policy


@pytest.mark.aws
def test_an_access_key_id_in_an_aws_message_is_cut_out(server: str) -> None:
    from tests.fetch.inject import query_error

    session = FetchSession(endpoint_url=server)
    session.events.register("before-send.sns", Counter(lambda: query_error(
        "InvalidClientTokenId", f"The key {S.ACCESS_KEY_ID} is not valid", 403), fail=99))
    result = fetch_snapshot(session, FetchOptions(regions=(S.REGION,), services=("sns",)))
    (warning,) = result.warnings
    assert S.ACCESS_KEY_ID not in warning.message and "[access key id]" in warning.message

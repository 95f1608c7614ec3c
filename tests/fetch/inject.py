"""AWS-shaped answers injected on botocore's `before-send` event: the request is signed
and ready, and the answer goes through botocore's own parsing, retry and error handling,
exactly as one from AWS would. https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def answer(status: int, body: str, content_type: str) -> AWSResponse:
    return AWSResponse("http://injected", status, {"Content-Type": content_type},
                       _Body(body.encode()))


def json_error(code: str, message: str, status: int = 400) -> AWSResponse:
    """An error of a JSON-protocol service (KMS, SQS, Secrets Manager, ECR)."""
    return answer(status, f'{{"__type": "{code}", "message": "{message}"}}',
                  "application/x-amz-json-1.1")


def query_error(code: str, message: str, status: int = 400) -> AWSResponse:
    """An error of a Query-protocol service (SNS, IAM, STS)."""
    return answer(status, f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                          f"<Message>{message}</Message></Error><RequestId>1</RequestId>"
                          "</ErrorResponse>", "text/xml")


def s3_error(code: str, message: str, status: int = 403) -> AWSResponse:
    return answer(status, f"<Error><Code>{code}</Code><Message>{message}</Message></Error>",
                  "application/xml")


def region_of(request: AWSPreparedRequest) -> str:
    """The Region the request was signed for (from its SigV4 credential scope)."""
    authorization = request.headers.get("Authorization", b"")
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return text.split("Credential=", 1)[1].split("/")[2] if "Credential=" in text else ""


class Counter:
    """A `before-send` handler that counts requests and answers the first `fail` with
    `failure` when `when(request)` holds."""

    def __init__(self, failure: Callable[[], AWSResponse] | None = None, fail: int = 0,
                 when: Callable[[AWSPreparedRequest], bool] = lambda _: True) -> None:
        self.failure = failure
        self.fail = fail
        self.when = when
        self.sent = 0
        self.failed = 0

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not self.when(request):
            return None
        self.sent += 1
        if self.failure is not None and self.failed < self.fail:
            self.failed += 1
            return self.failure()
        return None

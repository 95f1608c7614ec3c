"""The boto3 session every fetcher reads through: read-only by construction, retrying.

Read-only: a botocore `before-call` handler — the last event before a request is signed
and sent — refuses every operation whose name does not start with Get, List or Describe
(`sts:GetCallerIdentity` is a Get), and the few reads that hand out secrets or
credentials (GetSecretValue, GetSessionToken, ...). It is registered on the session, so
every client made from it carries it; a refused call raises `WriteRefused` and nothing
reaches the network.

Retries: botocore's `adaptive` mode, which retries throttling errors with exponential
backoff and also slows the client down when AWS throttles it.

Sources: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
(retry modes), https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html
(event names, `before-call`), https://boto3.amazonaws.com/v1/documentation/api/latest/guide/credentials.html
(the credential chain `--profile` selects from).
"""

from __future__ import annotations

import threading
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ProfileNotFound

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode

__all__ = ["READ_PREFIXES", "FetchCancelled", "FetchError", "FetchSession", "WriteRefused",
           "refusal"]

READ_PREFIXES: Final = ("Get", "List", "Describe")

# Reads that return secret material or mint credentials: never needed to read policies.
# (service name as botocore spells it, operation)
SECRET_READS: Final = frozenset({
    ("secretsmanager", "GetSecretValue"), ("secretsmanager", "GetRandomPassword"),
    ("sts", "GetSessionToken"), ("sts", "GetFederationToken"),
    ("ecr", "GetAuthorizationToken"), ("ecr-public", "GetAuthorizationToken"),
    ("codeartifact", "GetAuthorizationToken"), ("ssm", "GetParameter"),
    ("ssm", "GetParameters"), ("ssm", "GetParametersByPath"),
    ("ssm", "GetParameterHistory"), ("kms", "GetParametersForImport"),
    ("ec2", "GetPasswordData"), ("sso", "GetRoleCredentials"),
    ("cognito-identity", "GetCredentialsForIdentity"),
    ("cognito-identity", "GetOpenIdToken"), ("redshift", "GetClusterCredentials"),
    # the code and content locations these return are presigned URLs (signatures)
    ("lambda", "GetFunction"), ("lambda", "GetLayerVersion"),
    ("lambda", "GetLayerVersionByArn"), ("s3", "GetObject"),
})

_MAX_ATTEMPTS: Final = 10
_THREADS_PER_CLIENT: Final = 10


class FetchError(PolicyEngineError):
    """The fetch cannot start or go on (no credentials, unknown profile, no endpoint)."""


class WriteRefused(FetchError):
    """An operation outside the read-only set was attempted; it was not sent."""


class FetchCancelled(Exception):
    """The fetch was stopped (Ctrl-C); calls not yet sent are not sent."""


def refusal(service: str, operation: str) -> str | None:
    """Why `operation` of `service` may not be sent, or None when it is a plain read."""
    if not operation.startswith(READ_PREFIXES):
        return (f"`{service}:{operation}` is not a Get, List or Describe operation; "
                "policy-engine fetch only reads")
    if (service, operation) in SECRET_READS:
        return (f"`{service}:{operation}` returns secrets or credentials; "
                "policy-engine fetch never reads them")
    return None


def _refuse_writes(model: Any, **_: Any) -> None:
    """`before-call` handler: raise before a non-read operation is signed or sent."""
    reason = refusal(model.service_model.service_name, model.name)
    if reason is not None:
        raise WriteRefused(Problem(ProblemCode.USAGE, reason, source="fetch"))


def _emulator_control_host(params: dict[str, Any], **_: Any) -> None:
    """S3 Control's endpoint rules put the account id in front of the host
    (`ACCOUNT.s3-control...`); an emulator's single address (`127.0.0.1:PORT`) cannot take
    a prefix, so with `--endpoint-url` the request goes to the address itself."""
    url = urlsplit(params["url"])
    head, _, rest = url.netloc.partition(".")
    if head.isdigit() and len(head) == 12 and rest:
        params["url"] = urlunsplit(url._replace(netloc=rest))


class FetchSession:
    """A boto3 session with the read-only guard, adaptive retries and a client cache.

    Clients are thread-safe once made; making them is not, so `client` holds a lock.
    """

    def __init__(self, *, profile: str | None = None, endpoint_url: str | None = None,
                 region: str | None = None, max_attempts: int = _MAX_ATTEMPTS) -> None:
        try:
            self.boto3 = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound:
            raise FetchError(Problem(ProblemCode.USAGE, f"the AWS profile `{profile}` is "
                                     "not in your AWS config or credentials file",
                                     source="--profile")) from None
        self.endpoint_url = endpoint_url
        self.config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            connect_timeout=10, read_timeout=60, max_pool_connections=_THREADS_PER_CLIENT,
            user_agent_extra="policy-engine-fetch",
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self.boto3.events.register("before-call", _refuse_writes)
        # Set on Ctrl-C: the threads still running stop at their next call.
        self.cancelled = threading.Event()
        self.boto3.events.register("before-call", self._stop_when_cancelled)
        if endpoint_url:
            self.boto3.events.register("before-call.s3-control", _emulator_control_host)
        self._clients: dict[tuple[str, str], BaseClient] = {}
        self._lock = threading.Lock()

    def _stop_when_cancelled(self, **_: Any) -> None:
        if self.cancelled.is_set():
            raise FetchCancelled

    @property
    def events(self) -> Any:
        """The session's event system (handlers added here reach clients made later)."""
        return self.boto3.events

    @property
    def default_region(self) -> str:
        """The profile's Region, else us-east-1 (where global services answer)."""
        return self.boto3.region_name or "us-east-1"

    def client(self, service: str, region: str | None = None) -> BaseClient:
        key = (service, region or self.default_region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                try:
                    found = self.boto3.client(service, region_name=key[1],
                                              endpoint_url=self.endpoint_url,
                                              config=self.config)
                except BotoCoreError as error:
                    raise FetchError(Problem(ProblemCode.ERROR, f"cannot make a {service} "
                                             f"client for {key[1]}: {error}",
                                             source="fetch")) from None
                self._clients[key] = found
            return found

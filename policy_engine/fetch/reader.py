"""One service in one Region, read call by call; what cannot be read becomes a warning.

A refused call (AccessDenied), a Region the account has not enabled, or an endpoint that
does not answer stops only what that call would have read: the warning names the
service, operation, Region and resource, and the fetch goes on. A "not configured"
answer (no bucket policy, no tags) is not a warning: it is the answer.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
(the AccessDenied error codes), https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
(a Region that is not enabled refuses the account's credentials),
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/paginators.html.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from policy_engine.fetch.session import FetchSession

__all__ = ["FetchWarning", "Reader", "WarningLog"]

# Anything shaped like an access key id is cut from AWS's messages before they are kept.
_ACCESS_KEY_ID: Final = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_MAX_MESSAGE: Final = 300


@dataclass(frozen=True, slots=True)
class FetchWarning:
    """One operation that was refused or failed."""

    service: str
    operation: str
    region: str | None
    resource: str | None
    code: str
    message: str

    def to_entry(self) -> dict[str, str]:
        """The snapshot file's `fetched.warnings` entry."""
        entry = {"service": self.service, "operation": self.operation, "region": self.region,
                 "resource": self.resource, "code": self.code, "message": self.message}
        return {key: value for key, value in entry.items() if value is not None}


@dataclass(slots=True)
class WarningLog:
    """The warnings of every thread, in the order they happened."""

    warnings: list[FetchWarning] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, warning: FetchWarning) -> None:
        with self._lock:
            self.warnings.append(warning)


def _clean(message: str) -> str:
    message = _ACCESS_KEY_ID.sub("[access key id]", " ".join(message.split()))
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE - 3] + "..."


class Reader:
    """Read operations of one service in one Region (None: the service is global)."""

    def __init__(self, session: FetchSession, service: str, region: str | None,
                 log: WarningLog) -> None:
        self.service = service
        self.region = region
        self.log = log
        self.client = session.client(service, region)

    def call(self, method: str, *, absent: Iterable[str] = (), resource: str | None = None,
             **params: Any) -> dict[str, Any] | None:
        """The response of one call; None when the thing is not configured (`absent`
        error codes) or the call failed (then a warning is recorded)."""
        try:
            return getattr(self.client, method)(**params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in set(absent):
                self._warn(method, resource, error)
        except NoCredentialsError:
            raise
        except BotoCoreError as error:
            self._warn(method, resource, error)
        return None

    def pages(self, method: str, key: str, *, resource: str | None = None,
              **params: Any) -> list[Any] | None:
        """Every item of `key` over all pages; None when a page could not be read (the
        items of a partial listing are not kept: they would look like all of them)."""
        pages = self.page_list(method, resource=resource, **params)
        return None if pages is None else [item for page in pages for item in page.get(key, [])]

    def page_list(self, method: str, *, resource: str | None = None,
                  **params: Any) -> list[dict[str, Any]] | None:
        """Every page of a paginated operation, whole; None (warned) if one failed."""
        try:
            return list(self.client.get_paginator(method).paginate(**params))
        except ClientError as error:
            self._warn(method, resource, error)
        except NoCredentialsError:
            raise
        except BotoCoreError as error:
            self._warn(method, resource, error)
        return None

    def _warn(self, method: str, resource: str | None, error: Exception) -> None:
        operation = self.client.meta.method_to_api_mapping.get(method, method)
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            code = str(details.get("Code") or "Unknown")
            message = str(details.get("Message") or error)
        else:  # no answer at all: a Region that is not reachable, a timeout
            code, message = "Unavailable", str(error)
        self.log.record(FetchWarning(self.service, operation, self.region, resource, code,
                                     _clean(message)))

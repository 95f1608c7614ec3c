"""One fetch: who the caller is, which Regions, every service task on a bounded thread
pool, and the results merged into one `policy-engine-snapshot/1` value.

Global services (IAM, Organizations, S3's bucket list) are one task each; regional ones
one task per Region. Tasks share nothing but the thread-safe warning log and the
session's client cache. The value records when the fetch started, the caller's account
and ARN (from sts:GetCallerIdentity, which needs no permission) and every warning — never
a credential.

Sources: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
(no permission needed), https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
(AllRegions false: the Regions enabled for the account).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Protocol

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from policy_engine.errors import Problem, ProblemCode
from policy_engine.fetch.ecr import fetch_ecr
from policy_engine.fetch.found import Found
from policy_engine.fetch.iam import fetch_iam
from policy_engine.fetch.kms import fetch_kms
from policy_engine.fetch.lambda_ import fetch_lambda
from policy_engine.fetch.messaging import fetch_sns, fetch_sqs
from policy_engine.fetch.organizations import fetch_organization
from policy_engine.fetch.reader import FetchWarning, Reader, WarningLog
from policy_engine.fetch.s3 import fetch_s3
from policy_engine.fetch.secrets import fetch_secrets
from policy_engine.fetch.session import FetchError, FetchSession
from policy_engine.snapshot.snapshot_file import SNAPSHOT_FORMAT

__all__ = ["GLOBAL_SERVICES", "REGIONAL_SERVICES", "SERVICES", "Caller", "FetchOptions",
           "FetchResult", "Listener", "Task", "fetch_snapshot"]

# Regional services: one task per Region, reading through one service's client.
REGIONAL_SERVICES: Final[MappingProxyType[str, Callable[[Reader], Found]]] = \
    MappingProxyType({
        "kms": fetch_kms, "sqs": fetch_sqs, "sns": fetch_sns, "lambda": fetch_lambda,
        "secretsmanager": fetch_secrets, "ecr": fetch_ecr,
    })
GLOBAL_SERVICES: Final = ("iam", "organizations", "s3")
SERVICES: Final = (*GLOBAL_SERVICES, *REGIONAL_SERVICES)
DEFAULT_JOBS: Final = 8


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """`regions` None: every Region enabled for the account; `services` None: all."""

    regions: tuple[str, ...] | None = None
    services: tuple[str, ...] | None = None
    jobs: int = DEFAULT_JOBS


@dataclass(frozen=True, slots=True)
class Caller:
    account: str
    arn: str


@dataclass(frozen=True, slots=True)
class Task:
    service: str
    region: str | None

    @property
    def label(self) -> str:
        return self.service if self.region is None else f"{self.service} {self.region}"


class Listener(Protocol):
    """Progress: told the plan once, then each task as it ends."""

    def planned(self, tasks: Sequence[Task]) -> None: ...

    def finished(self, task: Task, summary: str, warnings: int) -> None: ...


class _Silent:
    def planned(self, tasks: Sequence[Task]) -> None:
        pass

    def finished(self, task: Task, summary: str, warnings: int) -> None:
        pass


@dataclass(slots=True)
class FetchResult:
    value: dict[str, Any]
    caller: Caller
    regions: tuple[str, ...]
    warnings: list[FetchWarning] = field(default_factory=list)


def fetch_snapshot(session: FetchSession, options: FetchOptions = FetchOptions(),
                   listener: Listener | None = None) -> FetchResult:
    """Read the caller's account; raises `FetchError` when it cannot start."""
    listener = listener or _Silent()
    services = _services(options.services)
    taken_at = datetime.now(UTC).replace(microsecond=0)
    caller = _caller(session)
    log = WarningLog()
    # IAM and Organizations are global: no Region to list unless another service needs one
    needs_regions = any(service not in ("iam", "organizations") for service in services)
    regions = options.regions or (_enabled_regions(session, log) if needs_regions else ())
    tasks = [Task(service, None) for service in GLOBAL_SERVICES if service in services]
    tasks += [Task(service, region) for service in REGIONAL_SERVICES if service in services
              for region in regions]
    listener.planned(tasks)
    found = _run(tasks, lambda task: _fetch(session, task, caller, regions, log),
                 max(1, options.jobs), log, listener, session.cancelled.set)
    value = _assemble(found, caller)
    value["fetched"] = {
        "taken_at": taken_at.isoformat().replace("+00:00", "Z"), "account": caller.account,
        "caller_arn": caller.arn, "regions": list(regions), "services": list(services),
        "warnings": [w.to_entry() for w in log.warnings],
    }
    return FetchResult(value, caller, tuple(regions), list(log.warnings))


def _services(chosen: tuple[str, ...] | None) -> tuple[str, ...]:
    if chosen is None:
        return SERVICES
    unknown = [name for name in chosen if name not in SERVICES]
    if unknown:
        raise FetchError(Problem(ProblemCode.USAGE, f"unknown service `{unknown[0]}` "
                                 f"(expected some of {', '.join(SERVICES)})",
                                 source="--services"))
    return tuple(name for name in SERVICES if name in chosen)


def _caller(session: FetchSession) -> Caller:
    try:
        identity = session.client("sts").get_caller_identity()
    except NoCredentialsError:
        raise FetchError(Problem(ProblemCode.USAGE, "no AWS credentials found: give "
                                 "--profile, set AWS_PROFILE or the AWS_ACCESS_KEY_ID "
                                 "variables, or run `aws configure`",
                                 source="fetch")) from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise FetchError(Problem(ProblemCode.ERROR, f"sts GetCallerIdentity failed with "
                                 f"{code}: the credentials are not valid",
                                 source="fetch")) from None
    except BotoCoreError as error:
        raise FetchError(Problem(ProblemCode.ERROR, f"cannot reach AWS: {error}",
                                 source="fetch")) from None
    return Caller(identity["Account"], identity["Arn"])


def _enabled_regions(session: FetchSession, log: WarningLog) -> tuple[str, ...]:
    """The Regions enabled for the account; the session's own when they cannot be listed."""
    answer = Reader(session, "ec2", session.default_region, log).call(
        "describe_regions", AllRegions=False)
    names = sorted(region["RegionName"] for region in (answer or {}).get("Regions", []))
    return tuple(names) or (session.default_region,)


def _fetch(session: FetchSession, task: Task, caller: Caller, regions: Sequence[str],
           log: WarningLog) -> Found:
    if task.service == "iam":
        return fetch_iam(Reader(session, "iam", None, log))
    if task.service == "organizations":
        return fetch_organization(Reader(session, "organizations", None, log))
    if task.service == "s3":
        return fetch_s3(lambda service, region: Reader(session, service, region, log),
                        caller.account, regions, session.default_region)
    return REGIONAL_SERVICES[task.service](Reader(session, task.service, task.region, log))


def _run(tasks: Sequence[Task], work: Callable[[Task], Found], jobs: int, log: WarningLog,
         listener: Listener, cancel: Callable[[], None]) -> list[Found]:
    """Every task on at most `jobs` threads; on Ctrl-C (or any failure) the tasks not
    started are dropped and the running ones stop at their next call."""
    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fetch")
    results: list[Found] = []
    try:
        futures: dict[Future[Found], Task] = {executor.submit(work, t): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            found = future.result()
            results.append(found)
            listener.finished(task, found.summary(), _task_warnings(log, task))
    except BaseException:
        cancel()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return results


def _task_warnings(log: WarningLog, task: Task) -> int:
    return sum(1 for w in log.warnings if w.service == task.service and
               (task.region is None or w.region == task.region))


_RESOURCE_KEYS: Final = ("s3_buckets", "kms_keys", "sqs_queues", "sns_topics",
                         "lambda_functions", "lambda_layer_versions",
                         "secretsmanager_secrets", "ecr_repositories")


def _assemble(parts: Sequence[Found], caller: Caller) -> dict[str, Any]:
    """The snapshot value: the caller's account, the organization, the resources."""
    account: dict[str, Any] = {"id": caller.account}
    organization = None
    names: dict[str, str] = {}
    resources: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        account.update(part.account)
        organization = part.organization or organization
        names.update(part.account_names)
        for kind, entries in part.resources.items():
            resources.setdefault(kind, []).extend(entries)
    if "name" not in account and caller.account in names:
        account["name"] = names[caller.account]
    ordered = {key: account[key] for key in ("id", "name", "authorization_details",
                                              "identity_providers", "s3_public_access_block",
                                              "canonical_user_id") if key in account}
    value: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "description": f"account {caller.account}, read by policy-engine fetch as "
                       f"{caller.arn}",
        "accounts": [ordered],
    }
    if organization is not None:
        value["organization"] = organization
    value["resources"] = {
        key: sorted(resources[key], key=lambda e: e.get("arn") or e.get("name", ""))
        for key in _RESOURCE_KEYS if resources.get(key)}
    return value

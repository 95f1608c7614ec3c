"""The lambda-layers architecture: who publishes which layer versions, who is granted each
one, which functions use them, and the archives behind them (real .zip files, built in
memory once per process).

The shared-libs account publishes five layer versions and grants each one as
AddLayerVersionPermission would: common-utils:1 to its own account, python-deps:1 to
one partner account, python-deps:2 and node-tracing:1 to the organization, jq-cli:1 to
every AWS account. Sources: permissions-layer-cross-account.html (statements for an
account, the organization, all accounts; permissions apply to one version);
packaging-layers.html (the folders of each archive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from policy_engine.scenario.build import authorization_details, inline, role, trust_account
from scenarios.layer_archive import MIB, build_archive
from scenarios.layer_model import Architecture, LayerVersion
from scenarios.layer_service import LocalLambda

REGION: Final = "us-east-1"
SHARED: Final = "111122223333"  # shared-libs: publishes the layers (organization member)
MEMBER: Final = "222233334444"  # analytics: another account of the organization
PARTNER: Final = "444455556666"  # an outside partner granted one layer version by id
OUTSIDER: Final = "777788889999"  # an account nobody granted anything
MANAGEMENT: Final = "999900001111"
ORG_ID: Final = "o-k3layers01"

X86, ARM = Architecture.X86_64, Architecture.ARM64
BOTH: Final = (X86, ARM)


def layer_arn(name: str, version: int) -> str:
    return f"arn:aws:lambda:{REGION}:{SHARED}:layer:{name}:{version}"


COMMON_UTILS: Final = layer_arn("common-utils", 1)
DEPS_V1: Final = layer_arn("python-deps", 1)
DEPS_V2: Final = layer_arn("python-deps", 2)
DEPS_V3: Final = layer_arn("python-deps", 3)  # published by mistake, then deleted
NODE_TRACING: Final = layer_arn("node-tracing", 1)
JQ_CLI: Final = layer_arn("jq-cli", 1)

_SITE_312: Final = "python/lib/python3.12/site-packages"


@cache
def archive(name: str) -> bytes:
    """The .zip of one layer build, by name (the same bytes on every call)."""
    return build_archive(_CONTENTS[name]())


_CONTENTS: Final[dict[str, Callable[[], dict[str, bytes | int]]]] = {
    # An in-house helper package that still vendors an old urllib3.
    "common-utils": lambda: {
        "python/common_utils/__init__.py": b"from .dates import business_days\n",
        "python/common_utils/dates.py": b"def business_days(start, end):\n    ...\n",
        "python/urllib3/__init__.py": b"__version__ = '1.26.18'\n"},
    # Built with pip's --target into the Python 3.12 site directory.
    "python-deps-1": lambda: {
        f"{_SITE_312}/requests/__init__.py": b"__version__ = '2.31.0'\n",
        f"{_SITE_312}/urllib3/__init__.py": b"__version__ = '2.0.7'\n"},
    # Rebuilt into python/, which every Python version searches.
    "python-deps-2": lambda: {
        "python/requests/__init__.py": b"__version__ = '2.32.3'\n",
        "python/urllib3/__init__.py": b"__version__ = '2.2.3'\n"},
    "python-deps-3": lambda: {"requests/__init__.py": b"__version__ = '2.32.3'\n"},
    "node-tracing": lambda: {
        "nodejs/node_modules/tracer/package.json": b'{"name": "tracer", "main": "index.js"}',
        "nodejs/node_modules/tracer/index.js": b"exports.trace = (name) => name;\n"},
    "jq-cli": lambda: {"bin/jq": b"\x7fELF jq 1.7.1 (x86_64)\n"},
    # Large layers for the size quota: zero-filled files of so many MiB.
    "data-science": lambda: {"python/numpy/__init__.py": b"__version__ = '2.1.0'\n",
                             "python/numpy/_core/_multiarray_umath.so": 160},
    "ml-models": lambda: {"python/models/forecast.bin": 70},
}


@dataclass(frozen=True)
class Publication:
    """One PublishLayerVersion call and the grants that follow it."""

    name: str
    build: str  # the archive name in _CONTENTS
    runtimes: tuple[str, ...]
    architectures: tuple[Architecture, ...]
    grants: tuple[tuple[str, str, str | None], ...]  # (statement id, principal, org id)
    why: str


PUBLICATIONS: Final = (
    Publication("common-utils", "common-utils", ("python3.12", "python3.13"), BOTH,
                (("same-account", SHARED, None),),
                "in-house helpers for the shared-libs account's own functions"),
    Publication("python-deps", "python-deps-1", ("python3.12",), (X86,),
                (("partner-etl", PARTNER, None),),
                "requests built for Python 3.12, shared with the partner by account id"),
    Publication("python-deps", "python-deps-2", ("python3.12", "python3.13"), BOTH,
                (("engineering-org", "*", ORG_ID),),
                "rebuilt into python/ for both architectures, shared with the organization"),
    Publication("node-tracing", "node-tracing", ("nodejs20.x", "nodejs22.x"), BOTH,
                (("engineering-org", "*", ORG_ID),), "a tracing module for Node.js"),
    Publication("jq-cli", "jq-cli", (), (X86,), (("public", "*", None),),
                "the jq binary, public: any AWS account may use it"),
)


def published_service() -> LocalLambda:
    """The Region's layer versions once every publication and grant is done."""
    service = LocalLambda(REGION)
    for publication in PUBLICATIONS:
        publish(service, publication)
    return service


def publish(service: LocalLambda, publication: Publication) -> LayerVersion:
    version = service.publish_layer_version(
        SHARED, publication.name, archive(publication.build), publication.runtimes,
        publication.architectures)
    for statement_id, principal, organization in publication.grants:
        service.add_layer_version_permission(version.arn, statement_id, principal,
                                             organization)
    return version


# ---------------------------------------------------------------- IAM

_USE_ANY_LAYER: Final = {"Effect": "Allow", "Action": "lambda:GetLayerVersion",
                         "Resource": "arn:aws:lambda:*:*:layer:*:*"}


def _deployer(account: str, name: str = "deployer") -> dict[str, Any]:
    return role(account, name, trust_account(account), inline("deploy-functions", {
        "Effect": "Allow", "Action": ["lambda:CreateFunction",
                                      "lambda:UpdateFunctionConfiguration"],
        "Resource": f"arn:aws:lambda:{REGION}:{account}:function:*"}, _USE_ANY_LAYER))


def _publisher() -> dict[str, Any]:
    return role(SHARED, "layer-publisher", trust_account(SHARED), inline("manage-layers", {
        "Effect": "Allow", "Action": ["lambda:PublishLayerVersion", "lambda:GetLayerVersion",
                                      "lambda:DeleteLayerVersion",
                                      "lambda:AddLayerVersionPermission",
                                      "lambda:RemoveLayerVersionPermission"],
        "Resource": f"arn:aws:lambda:{REGION}:{SHARED}:layer:*"}))


def accounts() -> list[dict[str, Any]]:
    def entry(account: str, name: str, *roles: dict[str, Any]) -> dict[str, Any]:
        return {"id": account, "name": name,
                "authorization_details": authorization_details(roles=list(roles))}

    return [
        entry(SHARED, "shared-libs", _publisher(), _deployer(SHARED, "app-deployer"),
              role(SHARED, "intern", trust_account(SHARED))),
        entry(MEMBER, "analytics", _deployer(MEMBER)),
        entry(PARTNER, "partner", _deployer(PARTNER),
              role(PARTNER, "trainee", trust_account(PARTNER))),
        entry(OUTSIDER, "stranger", _deployer(OUTSIDER)),
    ]


def organization() -> dict[str, Any]:
    """SHARED, MEMBER and the management account; PARTNER and OUTSIDER are outside it."""
    full = ["p-FullAWSAccess"]
    return {"id": ORG_ID, "management_account": MANAGEMENT,
            "root": {"id": "r-k3la", "policies": full,
                     "accounts": [{"id": a, "policies": full}
                                  for a in (MANAGEMENT, SHARED, MEMBER)]}}


# The functions the walk-through creates: (caller, name, account, settings, layer ARNs in
# merge order).
FUNCTIONS: Final = (
    (f"{SHARED}:role/app-deployer", "report-builder", SHARED,
     {"runtime": "python3.13", "code_unzipped_bytes": 2 * MIB}, (COMMON_UTILS, DEPS_V2)),
    (f"{MEMBER}:role/deployer", "ingest", MEMBER,
     {"runtime": "nodejs22.x", "architecture": ARM, "code_unzipped_bytes": MIB},
     (NODE_TRACING,)),
    (f"{PARTNER}:role/deployer", "etl", PARTNER,
     {"runtime": "python3.12", "code_unzipped_bytes": 3 * MIB}, (DEPS_V1, JQ_CLI)),
)


def snapshot_for(service: LocalLambda) -> dict[str, Any]:
    """The accounts, the organization, and the service's layer versions and functions
    (the planned functions when none was created yet)."""
    functions = service.function_entries() or [
        {"arn": f"arn:aws:lambda:{REGION}:{account}:function:{name}"}
        for _, name, account, _, _ in FUNCTIONS]
    return {
        "format": "policy-engine-snapshot/1",
        "description": "lambda-layers: a layer publisher, an organization member, a "
                       "partner and a stranger",
        "accounts": accounts(),
        "organization": organization(),
        "resources": {"lambda_layer_versions": service.snapshot_entries(),
                      "lambda_functions": functions},
    }

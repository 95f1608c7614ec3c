"""The quiz questions of lambda-layers: who may use which layer version (decisions the
engine answers over the scenario's snapshot), and questions about limits, merge order and
archive layouts whose answers the scenario's own model computes when they are built."""

from __future__ import annotations

from typing import Any, Final

from policy_engine.scenario.questions import About, Option, choice, decision, true_false
from scenarios.lambda_layers import (
    CROSS_ACCOUNT_PAGE,
    PERMISSION_API,
    PRINCIPAL_PAGE,
    configuration,
    forecast,
    small_python_layer,
)
from scenarios.layer_archive import PACKAGING_PAGE, build_archive, check_layout, parse_runtime
from scenarios.layer_archive import read_archive as _read
from scenarios.layer_model import (
    ADDING_PAGE,
    LAYERS_PAGE,
    QUOTAS_PAGE,
    PackageType,
    Rule,
    function_configuration,
    provider_of,
    verdict,
    violations,
)
from scenarios.layer_world import (
    ARM,
    COMMON_UTILS,
    DEPS_V1,
    DEPS_V2,
    JQ_CLI,
    MEMBER,
    ORG_ID,
    OUTSIDER,
    PARTNER,
    SHARED,
)

ACCESS: Final = About("lambda-layers", ("saa-c03:secure", "sap-c02:organizational-complexity"),
                      (CROSS_ACCOUNT_PAGE,))
LIMITS: Final = About("lambda-layers", ("saa-c03:high-performing", "sap-c02:new-solutions"),
                      (ADDING_PAGE,))
GET: Final = "lambda:GetLayerVersion"
NODE_PATHS_CHANGED: Final = (
    "Older material lists nodejs/node14/node_modules and ruby/gems/2.7.0; the folders "
    "follow the runtime's version, and the guide now shows node18, node20 and node22 "
    "folders and ruby/gems/3.4.0.")


def _decisions() -> list[dict[str, Any]]:
    partner, member = f"{PARTNER}:role/deployer", f"{MEMBER}:role/deployer"
    outsider = f"{OUTSIDER}:role/deployer"
    return [
        decision(ACCESS, "lambda-layers-partner-granted-version",
                 f"Account {SHARED} ran add-layer-version-permission for python-deps "
                 f"version 1 with --principal {PARTNER}. Role deployer in {PARTNER} has an "
                 f"IAM policy allowing {GET} on every layer. It adds python-deps:1 to a "
                 "function. Decision?", f"{partner} {GET} {DEPS_V1}"),
        decision(ACCESS, "lambda-layers-partner-next-version",
                 f"The same partner grant exists on python-deps:1 only. The owner publishes "
                 f"python-deps:2 and grants it to organization {ORG_ID}, which the partner "
                 "is not in. The partner's deployer asks for python-deps:2. Decision?",
                 f"{partner} {GET} {DEPS_V2}", difficulty="hard"),
        decision(ACCESS, "lambda-layers-org-member",
                 f"python-deps:2 was shared with --principal '*' --organization-id "
                 f"{ORG_ID}. Account {MEMBER} is in that organization and its deployer "
                 f"role's IAM policy allows {GET}. Decision?", f"{member} {GET} {DEPS_V2}"),
        decision(ACCESS, "lambda-layers-outside-org",
                 f"python-deps:2 was shared with --principal '*' --organization-id "
                 f"{ORG_ID}. Account {OUTSIDER} is not in the organization; its deployer "
                 f"role's IAM policy allows {GET} on every layer. Decision?",
                 f"{outsider} {GET} {DEPS_V2}"),
        decision(ACCESS, "lambda-layers-public-layer",
                 f"jq-cli:1 was shared with --principal '*' and no organization id. The "
                 f"deployer role of account {OUTSIDER}, allowed {GET} by its IAM policy, "
                 "adds it. Decision?", f"{outsider} {GET} {JQ_CLI}"),
        decision(ACCESS, "lambda-layers-same-account-statement",
                 f"common-utils:1's policy has one statement allowing {GET} to "
                 f"arn:aws:iam::{SHARED}:root, the layer's own account. Role intern in "
                 f"{SHARED} has no IAM policies. It asks for the layer version. Decision?",
                 f"{SHARED}:role/intern {GET} {COMMON_UTILS}", difficulty="hard",
                 references=(PRINCIPAL_PAGE, ADDING_PAGE)),
        decision(ACCESS, "lambda-layers-partner-deletes",
                 f"The partner account {PARTNER} was granted {GET} on python-deps:1. Its "
                 "deployer role, whose IAM policy allows every Lambda layer action it "
                 "needs, calls lambda:DeleteLayerVersion on python-deps:1. Decision?",
                 f"{partner} lambda:DeleteLayerVersion {DEPS_V1}",
                 references=(PERMISSION_API,)),
    ]


def _loads(path: str, runtime: str) -> bool:
    """Whether a file at `path` in a layer archive is found by `runtime`."""
    report = check_layout(_read(build_archive({path: b"x"})), parse_runtime(runtime))
    return report.ok


def _path_options(runtime: str, paths: list[str], why_ok: str, why_not: str) -> list[Option]:
    return [Option(f"`{path}`", why_ok if _loads(path, runtime) else why_not,
                   _loads(path, runtime)) for path in paths]


def _limit_questions() -> list[dict[str, Any]]:
    too_big = verdict(forecast(25))
    fits = {mib: verdict(forecast(mib)) == "valid" for mib in (10, 15, 25, 30)}
    six_rules = {v.rule for v in violations(function_configuration(
        name="six", account=SHARED, runtime="python3.13",
        layers=tuple(small_python_layer(f"helper-{n}") for n in "abcdef")))}
    image = {v.rule for v in violations(configuration(
        "image-fn", (DEPS_V2,), package_type=PackageType.IMAGE))}
    arm = {v.rule for v in violations(configuration(
        "etl-arm", (DEPS_V1,), runtime="python3.12", architecture=ARM))}
    return [
        choice(LIMITS, "lambda-layers-quota-over",
               "Function forecast's own package is 25 MB unzipped; it adds a 160 MB and a "
               "70 MB layer (unzipped). What does Lambda do?", [
                   Option("Refuses it: function and layers together exceed 250 MB unzipped",
                          "Right: the 250 MB unzipped quota counts the function and all its "
                          "layers.", "package-too-large" in too_big),
                   Option("Accepts it: each layer is under 250 MB on its own", "Wrong: the "
                          "quota is for the total, not per layer.",
                          too_big == "valid"),
                   Option("Accepts it: only the 50 MB zipped upload limit applies to layers",
                          "Wrong: 50 MB is the direct-upload limit of a zipped package; the "
                          "unzipped total still has to fit in 250 MB.", False),
               ], references=(QUOTAS_PAGE, ADDING_PAGE)),
        choice(LIMITS, "lambda-layers-quota-which-fit",
               "The same function keeps the 160 MB and 70 MB layers. Which sizes of its own "
               "unzipped package fit the quota?",
               [Option(f"{mib} MB", f"{'Fits' if ok else 'Too big'}: {mib} + 230 = "
                       f"{mib + 230} MB against 250 MB.", ok) for mib, ok in fits.items()],
               difficulty="hard", references=(QUOTAS_PAGE,)),
        true_false(LIMITS, "lambda-layers-six-layers",
                   "A function may list six layers if their total size fits in 250 MB.",
                   Rule.TOO_MANY_LAYERS not in six_rules,
                   "Wrong: a function can use at most five layers, whatever their size.",
                   "Right: the limit is five layers per function, on top of the size quota."),
        true_false(LIMITS, "lambda-layers-container-image",
                   "A function deployed as a container image can add the python-deps layer.",
                   Rule.IMAGE_WITH_LAYERS not in image,
                   "Wrong: layers work only with .zip functions; an image carries its "
                   "dependencies itself.", "Right: container image functions cannot use "
                   "layers; build the dependencies into the image.",
                   references=(LAYERS_PAGE,)),
        true_false(LIMITS, "lambda-layers-architecture",
                   "python-deps:1 declares only the x86_64 architecture. It is a good choice "
                   "for an arm64 function running python3.12.",
                   Rule.ARCHITECTURE_INCOMPATIBLE not in arm,
                   "Wrong: the layer's compiled code is built for x86_64; layers must match "
                   "the function's architecture.", "Right: an arm64 function needs a layer "
                   "built for arm64 (or for both)."),
        _merge_question(),
        *_layout_questions(),
    ]


def _merge_question() -> dict[str, Any]:
    urllib3 = "/opt/python/urllib3/__init__.py"
    winner = provider_of(configuration("report-builder", (COMMON_UTILS, DEPS_V2),
                                       runtime="python3.13"), urllib3)
    return choice(LIMITS, "lambda-layers-merge-order",
                  "Function report-builder lists common-utils:1 first and python-deps:2 "
                  f"second. Both layers contain python/urllib3/__init__.py. Whose copy is at "
                  f"{urllib3}?", [
                      Option("python-deps:2's", "Right: layers merge in the listed order, "
                             "so the later layer's file replaces the earlier one.",
                             winner == "python-deps:2"),
                      Option("common-utils:1's", "Wrong: it merges first; the later layer "
                             "overwrites it.", winner == "common-utils:1"),
                      Option("Neither: Lambda refuses layers with overlapping files",
                             "Wrong: Lambda merges them; the order decides.", winner is None),
                  ], difficulty="hard")


def _layout_questions() -> list[dict[str, Any]]:
    node = _path_options("nodejs22.x", [
        "nodejs/node_modules/tracer/index.js", "node_modules/tracer/index.js",
        "nodejs/node22/node_modules/tracer/index.js",
        "nodejs/node20/node_modules/tracer/index.js"],
        "Loads: on NODE_PATH for nodejs22.x.", "Not found: nodejs22.x does not search it.")
    python = _path_options("python3.13", [
        "python/requests/__init__.py",
        "python/lib/python3.13/site-packages/requests/__init__.py",
        "python/lib/python3.12/site-packages/requests/__init__.py",
        "requests/__init__.py"],
        "Imports: python/ and the python3.13 site directory are on the path.",
        "Not found: python3.13 does not search it.")
    java = _path_options("java21", [
        "java/lib/jackson-core-2.17.0.jar", "java/jackson-core-2.17.0.jar",
        "lib/jackson-core-2.17.0.jar"],
        "On the classpath: java/lib holds the jars.",
        "Not on the classpath: only the jars in java/lib are.")
    about = About("lambda-layers", LIMITS.domains, (PACKAGING_PAGE,))
    return [
        choice(about, "lambda-layers-node-paths", "Which files of a layer archive can a "
               "nodejs22.x function require by module name?", node,
               changed=NODE_PATHS_CHANGED),
        choice(about, "lambda-layers-python-paths", "Which files of a layer archive can a "
               "python3.13 function import as the package requests?", python,
               difficulty="hard"),
        choice(about, "lambda-layers-java-paths", "Which jar of a layer archive is on a "
               "java21 function's classpath?", java),
    ]


def questions() -> list[dict[str, Any]]:
    return _decisions() + _limit_questions()

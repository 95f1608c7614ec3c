"""lambda-layers: layer versions shared with the same account, one partner account, the
organization and the public, functions that use them, and the documented limits and
archive layouts that decide whether a function configuration works.

Who may use a layer version is the engine's answer over the snapshot (each version's own
policy, as AddLayerVersionPermission writes it, and the callers' IAM policies):
- In the owner's account an identity-based policy allowing lambda:GetLayerVersion is
  enough; a statement naming the account itself (`arn:aws:iam::ACCOUNT:root`) delegates
  to IAM and grants no identity on its own
  (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
- Another account needs a statement for it in the version's policy and its own
  identity-based permission; `*` with aws:PrincipalOrgID admits the organization's
  accounts only; `*` alone admits every account. Each version has its own policy, and
  the only action it can grant is lambda:GetLayerVersion
  (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).

The limits, compatibility rules, merge order and layouts are the scenario's own model
(`scenarios.layer_model`, `scenarios.layer_archive`), which reads real .zip archives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from rich.console import RenderableType

from policy_engine.scenario.api import AccessCheck, Check, ModelCheck, Narrate
from scenarios import layer_world as world
from scenarios.layer_archive import (
    MIB,
    PACKAGING_PAGE,
    build_archive,
    check_layout,
    parse_runtime,
    read_archive,
)
from scenarios.layer_model import (
    ADDING_PAGE,
    LAYERS_PAGE,
    QUOTAS_PAGE,
    FunctionConfiguration,
    LayerVersion,
    PackageType,
    function_configuration,
    provider_of,
    verdict,
)
from scenarios.layer_world import (
    ARM,
    COMMON_UTILS,
    DEPS_V1,
    DEPS_V2,
    JQ_CLI,
    MEMBER,
    OUTSIDER,
    PARTNER,
    SHARED,
)

_LAMBDA: Final = "https://docs.aws.amazon.com/lambda/latest/dg/"
CROSS_ACCOUNT_PAGE: Final = _LAMBDA + "permissions-layer-cross-account.html"
PRINCIPAL_PAGE: Final = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                         "reference_policies_elements_principal.html")
CROSS_ACCOUNT_EVALUATION: Final = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                                   "reference_policies_evaluation-logic-cross-account.html")
PERMISSION_API: Final = ("https://docs.aws.amazon.com/lambda/latest/api/"
                         "API_AddLayerVersionPermission.html")
GET: Final = "lambda:GetLayerVersion"


def layers_by_arn() -> dict[str, LayerVersion]:
    return {arn: v.layer for arn, v in world.published_service().versions.items()}


def small_python_layer(name: str) -> LayerVersion:
    """A one-package layer (for the layer-count rule), not published."""
    content = build_archive({f"python/{name}/__init__.py": b"VALUE = 1\n"})
    return LayerVersion(arn=world.layer_arn(name, 1), compatible_runtimes=("python3.13",),
                        archive=read_archive(content))


def big_layer(name: str) -> LayerVersion:
    return LayerVersion(arn=world.layer_arn(name, 1), compatible_runtimes=("python3.13",),
                        archive=read_archive(world.archive(name)))


def configuration(name: str, layers: Sequence[str], **settings: Any
                  ) -> FunctionConfiguration:
    known = layers_by_arn()
    return function_configuration(name=name, account=SHARED,
                                  layers=tuple(known[arn] for arn in layers), **settings)


def forecast(code_mib: int) -> FunctionConfiguration:
    return function_configuration(
        name="forecast", account=SHARED, runtime="python3.13",
        code_unzipped_bytes=code_mib * MIB,
        layers=(big_layer("data-science"), big_layer("ml-models")))


def _layout(files: Mapping[str, bytes], runtime: str) -> str:
    """`ok`, or the first problem line the layout checker finds."""
    report = check_layout(read_archive(build_archive(files)), parse_runtime(runtime))
    return "ok" if report.ok else report.problems[0]


def _access_checks() -> list[Check]:
    shared, partner = f"{SHARED}:role", f"{PARTNER}:role"
    member, outsider = f"{MEMBER}:role", f"{OUTSIDER}:role"
    return [
        AccessCheck("the owner's deployer uses its own layer by its IAM policy",
                    f"expect allowed: {shared}/app-deployer {GET} {COMMON_UTILS}",
                    ADDING_PAGE),
        AccessCheck("a same-account statement naming the account grants no one by itself",
                    f"expect implicitDeny: {shared}/intern {GET} {COMMON_UTILS}",
                    PRINCIPAL_PAGE),
        AccessCheck("the granted partner account uses python-deps:1",
                    f"expect allowed: {partner}/deployer {GET} {DEPS_V1}",
                    CROSS_ACCOUNT_PAGE),
        AccessCheck("the partner's grant does not cover python-deps:2 (each version has "
                    "its own policy)", f"expect implicitDeny: {partner}/deployer {GET} "
                    f"{DEPS_V2}", CROSS_ACCOUNT_PAGE),
        AccessCheck("a partner role without its own IAM permission cannot use the layer",
                    f"expect implicitDeny: {partner}/trainee {GET} {DEPS_V1}",
                    CROSS_ACCOUNT_EVALUATION),
        AccessCheck("the partner's grant does not let it delete the version",
                    f"expect implicitDeny: {partner}/deployer lambda:DeleteLayerVersion "
                    f"{DEPS_V1}", PERMISSION_API),
        AccessCheck("the partner cannot grant the version onwards",
                    f"expect implicitDeny: {partner}/deployer "
                    f"lambda:AddLayerVersionPermission {DEPS_V1}", PERMISSION_API),
        AccessCheck("the owner's publisher deletes a version by its IAM policy",
                    f"expect allowed: {shared}/layer-publisher lambda:DeleteLayerVersion "
                    f"{DEPS_V1}", ADDING_PAGE),
        AccessCheck("an organization member uses the org-shared python-deps:2",
                    f"expect allowed: {member}/deployer {GET} {DEPS_V2}",
                    CROSS_ACCOUNT_PAGE),
        AccessCheck("an account outside the organization cannot use python-deps:2",
                    f"expect implicitDeny: {outsider}/deployer {GET} {DEPS_V2}",
                    CROSS_ACCOUNT_PAGE),
        AccessCheck("the organization member is not the partner: python-deps:1 is refused",
                    f"expect implicitDeny: {member}/deployer {GET} {DEPS_V1}",
                    CROSS_ACCOUNT_PAGE),
        AccessCheck("any account uses the public jq-cli:1",
                    f"expect allowed: {outsider}/deployer {GET} {JQ_CLI}",
                    CROSS_ACCOUNT_PAGE),
        AccessCheck("an outside account cannot use the same-account layer",
                    f"expect implicitDeny: {outsider}/deployer {GET} {COMMON_UTILS}",
                    CROSS_ACCOUNT_EVALUATION),
    ]


def _model_checks() -> list[Check]:
    six = tuple(small_python_layer(f"helper-{n}") for n in "abcdef")
    jar = b"PK\x03\x04 jar"
    return [
        ModelCheck("report-builder's configuration is valid", "valid",
                   lambda: verdict(configuration("report-builder", (COMMON_UTILS, DEPS_V2),
                                                 runtime="python3.13")), ADDING_PAGE),
        ModelCheck("six layers are one too many", "rejected: too-many-layers",
                   lambda: verdict(function_configuration(
                       name="six", account=SHARED, runtime="python3.13", layers=six)),
                   ADDING_PAGE),
        ModelCheck("25 MB of code and 230 MB of layers exceed 250 MB unzipped",
                   "rejected: package-too-large", lambda: verdict(forecast(25)), QUOTAS_PAGE),
        ModelCheck("15 MB of code and the same layers fit in 250 MB", "valid",
                   lambda: verdict(forecast(15)), QUOTAS_PAGE),
        ModelCheck("a Python layer on a Node.js function", "rejected: runtime-incompatible, "
                   "layout", lambda: verdict(configuration("ingest", (DEPS_V2,),
                                                           runtime="nodejs22.x")),
                   ADDING_PAGE),
        ModelCheck("an x86_64-only layer on an arm64 function",
                   "rejected: architecture-incompatible",
                   lambda: verdict(configuration("etl-arm", (DEPS_V1,), runtime="python3.12",
                                                 architecture=ARM)), ADDING_PAGE),
        ModelCheck("a container image function cannot use layers", "rejected: "
                   "image-has-layers", lambda: verdict(configuration(
                       "image-fn", (DEPS_V2,), package_type=PackageType.IMAGE)), LAYERS_PAGE),
        ModelCheck("the later layer's urllib3 wins in /opt", "python-deps:2",
                   lambda: str(provider_of(configuration(
                       "report-builder", (COMMON_UTILS, DEPS_V2), runtime="python3.13"),
                       "/opt/python/urllib3/__init__.py")), ADDING_PAGE),
        ModelCheck("reversing the order lets common-utils' old urllib3 win", "common-utils:1",
                   lambda: str(provider_of(configuration(
                       "report-builder", (DEPS_V2, COMMON_UTILS), runtime="python3.13"),
                       "/opt/python/urllib3/__init__.py")), ADDING_PAGE),
        ModelCheck("python-deps:1 loads on python3.12", "ok",
                   lambda: "ok" if check_layout(layers_by_arn()[DEPS_V1].archive,
                                                parse_runtime("python3.12")).ok else "broken",
                   PACKAGING_PAGE),
        ModelCheck("python-deps:1's 3.12 site directory is not searched by python3.13",
                   "`python/lib/python3.12/site-packages/` is for another python version; "
                   "python3.13 searches `python/lib/python3.13/site-packages/` (2 files)",
                   lambda: check_layout(layers_by_arn()[DEPS_V1].archive,
                                        parse_runtime("python3.13")).problems[0],
                   PACKAGING_PAGE),
        ModelCheck("node_modules at the archive root is not found",
                   "`node_modules/` at the archive root lands in /opt/node_modules, which "
                   "nodejs22.x does not search; put it under `nodejs/node_modules/`",
                   lambda: _layout({"node_modules/tracer/index.js": b"x"}, "nodejs22.x"),
                   PACKAGING_PAGE),
        ModelCheck("a module in nodejs/node22/node_modules loads on nodejs22.x", "ok",
                   lambda: _layout({"nodejs/node22/node_modules/tracer/index.js": b"x"},
                                   "nodejs22.x"), PACKAGING_PAGE),
        ModelCheck("jars belong in java/lib", "`java/jackson-core-2.17.0.jar` is not on the "
                   "classpath: put jar files in `java/lib/`",
                   lambda: _layout({"java/jackson-core-2.17.0.jar": jar}, "java21"),
                   PACKAGING_PAGE),
        ModelCheck("gems for Ruby 3.3 are not on ruby3.4's GEM_PATH",
                   "`ruby/gems/3.3.0/` is for another ruby version; ruby3.4 searches "
                   "`ruby/gems/3.4.0/`",
                   lambda: _layout({"ruby/gems/3.3.0/gems/json-2.7.2/lib/json.rb": b"x"},
                                   "ruby3.4"), PACKAGING_PAGE),
    ]


class LambdaLayers:
    name = "lambda-layers"
    title = "Lambda layers shared across accounts, and the limits of a function"
    topic = "lambda-layers"
    summary = ("Layer versions granted to their own account, a partner, the organization "
               "and the public; functions that use them; the five-layer and 250 MB limits, "
               "runtime and architecture compatibility, merge order into /opt, and archive "
               "layouts read from real .zip files.")

    def snapshot(self) -> dict[str, Any]:
        return world.snapshot_for(world.published_service())

    def checks(self) -> Sequence[Check]:
        return (*_access_checks(), *_model_checks())

    def questions(self) -> Sequence[Mapping[str, Any]]:
        from scenarios.lambda_layers_questions import questions

        return questions()

    def run(self, narrate: Narrate) -> None:
        from scenarios.layer_walkthrough import walk_through

        walk_through(self, narrate)

    def describe(self) -> RenderableType:
        from scenarios.layer_view import render_layers

        return render_layers(world.published_service(), world.FUNCTIONS)


SCENARIO = LambdaLayers()

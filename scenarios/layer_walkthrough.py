"""The narrated walk-through of lambda-layers: publish layer versions (real archives, their
layouts checked), grant them, delete a bad build, then create functions whose every
GetLayerVersion the engine allows or refuses, and show the /opt each function gets."""

from __future__ import annotations

import json
from typing import Any, Protocol

from policy_engine.analysis.resolve import Resolver
from policy_engine.scenario.api import Narrate
from policy_engine.snapshot.load import load_snapshot_value
from policy_engine.whatif import parse_question
from scenarios import layer_world as world
from scenarios.layer_archive import check_layout, parse_runtime
from scenarios.layer_model import megabytes, merged_opt
from scenarios.layer_service import Authorize, LambdaError, LocalLambda


class ScenarioLike(Protocol):
    name: str


def engine_authorizer(snapshot: dict[str, Any], source: str) -> Authorize:
    """Each Lambda call asked of the engine over `snapshot`."""
    resolver = Resolver(load_snapshot_value(snapshot, source=source))

    def authorize(caller: str, action: str, resource: str) -> tuple[bool, str]:
        result = resolver.ask(parse_question(f"can {caller} do {action} on {resource}"))
        return result.allowed, f"{result.decision.value}: {result.verdict.reason}"

    return authorize


def _publish(service: LocalLambda, narrate: Narrate) -> None:
    narrate("[bold]1. The shared-libs account publishes layer versions[/bold]")
    for publication in world.PUBLICATIONS:
        version = world.publish(service, publication)
        archive = version.archive
        narrate(f"PublishLayerVersion {version.label}: {len(archive.entries)} files, "
                f"{archive.zipped_bytes:,} bytes zipped, {archive.unzipped_bytes:,} "
                f"unzipped; runtimes {', '.join(version.compatible_runtimes) or 'any'}; "
                f"architectures {', '.join(version.compatible_architectures)} "
                f"({publication.why})")
        for runtime in version.compatible_runtimes[:1]:
            report = check_layout(archive, parse_runtime(runtime))
            found = sorted({d.path + "/ (" + d.variable + ")"
                            for d in report.loadable.values()})
            narrate(f"  layout for {runtime}: "
                    f"{'ok, found in ' + ', '.join(found) if report.ok else report.problems}")
        for statement in service.versions[version.arn].statements:
            shown = {k: statement[k] for k in ("Sid", "Principal", "Condition")
                     if k in statement}
            narrate(f"  AddLayerVersionPermission: {json.dumps(shown)}")


def _bad_build(service: LocalLambda, narrate: Narrate) -> None:
    narrate("[bold]2. A bad build is published, checked and deleted[/bold]")
    version = service.publish_layer_version(world.SHARED, "python-deps",
                                            world.archive("python-deps-3"), ("python3.13",))
    report = check_layout(version.archive, parse_runtime("python3.13"))
    narrate(f"PublishLayerVersion {version.label}: layout for python3.13: "
            f"{'; '.join(report.problems)}")
    service.delete_layer_version(version.arn)
    narrate(f"DeleteLayerVersion {version.label}: new functions can no longer add it "
            "(functions already using a deleted version keep it)")


def _create(service: LocalLambda, authorize: Authorize, narrate: Narrate) -> None:
    narrate("[bold]3. Functions add layers; the engine decides each GetLayerVersion[/bold]")
    for caller, name, account, settings, layers in world.FUNCTIONS:
        config, warnings = service.create_function(caller, authorize, name=name,
                                                   account=account, layers=layers,
                                                   **settings)
        narrate(f"CreateFunction {account}:{name} ({config.runtime}, "
                f"{config.architecture}) by {caller}: created, "
                f"{megabytes(config.total_unzipped_bytes)} unzipped with "
                f"{len(config.layers)} layer(s) [green]ok[/green]")
        for warning in warnings:
            narrate(f"  [yellow]warning[/yellow] {warning.message}")
        for opt_file in merged_opt(config.layers):
            replaced = f", replacing {', '.join(opt_file.replaced)}'s copy" \
                if opt_file.replaced else ""
            narrate(f"  {opt_file.path} ({opt_file.size:,} bytes) from "
                    f"{opt_file.layer}{replaced}")


def _attempt(service: LocalLambda, authorize: Authorize, narrate: Narrate, caller: str,
             name: str, account: str, layers: tuple[str, ...], **settings: Any) -> None:
    """A CreateFunction call that Lambda refuses, or accepts with the checker's warnings."""
    try:
        _, warnings = service.create_function(caller, authorize, name=name, account=account,
                                               layers=layers, **settings)
    except LambdaError as error:
        narrate(f"CreateFunction {account}:{name}: refused, {error}")
        return
    if not warnings:
        narrate(f"CreateFunction {account}:{name}: created")
        return
    narrate(f"CreateFunction {account}:{name}: Lambda accepts it, but "
            f"{len(warnings)} problem(s) will break it:")
    for warning in warnings:
        narrate(f"  [yellow]{warning.rule}[/yellow] {warning.message}")


def _refusals(service: LocalLambda, authorize: Authorize, narrate: Narrate) -> None:
    narrate("[bold]4. Calls that go wrong[/bold]")
    python = {"runtime": "python3.13"}
    _attempt(service, authorize, narrate, f"{world.OUTSIDER}:role/deployer", "scraper",
             world.OUTSIDER, (world.DEPS_V2,), **python)
    _attempt(service, authorize, narrate, f"{world.PARTNER}:role/deployer", "etl-v2",
             world.PARTNER, (world.DEPS_V2,), **python)
    _attempt(service, authorize, narrate, f"{world.SHARED}:role/app-deployer", "nightly",
             world.SHARED, (world.DEPS_V3,), **python)
    _attempt(service, authorize, narrate, f"{world.MEMBER}:role/deployer", "ingest-legacy",
             world.MEMBER, (world.DEPS_V2,), runtime="nodejs22.x")


def _quota(service: LocalLambda, scenario: ScenarioLike, narrate: Narrate) -> None:
    narrate("[bold]5. Large layers against the five-layer and 250 MB limits[/bold]")
    big = [world.publish(service, world.Publication(
        name, name, ("python3.13",), (), (), "large")) for name in ("data-science",
                                                                  "ml-models")]
    for version in big:
        narrate(f"PublishLayerVersion {version.label}: "
                f"{version.archive.zipped_bytes:,} bytes zipped, "
                f"{megabytes(version.unzipped_bytes)} unzipped")
    authorize = engine_authorizer(world.snapshot_for(service), f"scenario {scenario.name}")
    deployer = f"{world.SHARED}:role/app-deployer"
    arns = tuple(version.arn for version in big)
    for code_mib in (25, 15):
        _attempt(service, authorize, narrate, deployer, f"forecast-{code_mib}mb",
                 world.SHARED, arns, runtime="python3.13",
                 code_unzipped_bytes=code_mib * world.MIB)
    created = service.functions.get(f"{world.SHARED}:forecast-15mb")
    if created is not None:
        narrate(f"  forecast-15mb created: {megabytes(created.total_unzipped_bytes)} of "
                "the 250 MB quota")
    every = (world.COMMON_UTILS, world.DEPS_V2, world.JQ_CLI, world.NODE_TRACING, *arns)
    _attempt(service, authorize, narrate, deployer, "kitchen-sink", world.SHARED, every,
             runtime="python3.13")


def walk_through(scenario: ScenarioLike, narrate: Narrate) -> None:
    service = LocalLambda(world.REGION)
    _publish(service, narrate)
    _bad_build(service, narrate)
    authorize = engine_authorizer(world.snapshot_for(service), f"scenario {scenario.name}")
    _create(service, authorize, narrate)
    _refusals(service, authorize, narrate)
    _quota(service, scenario, narrate)

"""Commands over account snapshots: ask, check, who-can, what-can, assume-paths.

`--env SNAPSHOT` may be repeated; the files merge (accounts by id, resources by ARN).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import InputReadError, Problem

EnvOption = Annotated[list[Path], typer.Option(
    "--env", "-e", help="Snapshot file (authorization details or policy-engine snapshot); "
    "repeat to merge several.")]


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"


# An assertions file is a list of questions written by hand: a few MiB is already huge.
_MAX_ASSERTION_BYTES = 16 * 1024 * 1024

def _resolver(env: list[Path]):
    from policy_engine.analysis.resolve import Resolver
    from policy_engine.snapshot import load_snapshot

    if not env:
        raise InputReadError(Problem("usage", "give at least one snapshot with --env FILE"))
    snapshot = load_snapshot(env)
    for warning in snapshot.warnings:
        print(f"warning: {warning.one_line()}", file=sys.stderr)
    return Resolver(snapshot)


def _print(renderable: object) -> None:
    from rich.console import Console

    Console().print(renderable)


def ask(
    expression: Annotated[str, typer.Argument(
        help='A what-if question, e.g. "can role/app do s3:GetObject on arn:aws:s3:::b/k"')],
    env: EnvOption,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
    expect: Annotated[str | None, typer.Option(
        help="allowed, denied, explicitDeny or implicitDeny: exit 1 when not met.")] = None,
) -> None:
    """Answer one what-if question against a snapshot, with its explanation."""
    from policy_engine.whatif import parse_question

    question = parse_question(expression, source="<expr>")
    resolver = _resolver(env)
    result = resolver.ask(question)
    # A caller outside the snapshot: an Allow holds only if its own account allows it.
    allowed_if = resolver.caller(question.principal).allowed_if
    if output_format is OutputFormat.JSON:
        import json

        body = result.to_dict()
        if allowed_if is not None:
            body["outside_snapshot"] = True
            if result.allowed:
                body["allowed_if"] = allowed_if
        print(json.dumps(body, indent=2))
    else:
        from policy_engine.formatters import decision_text

        title = f"allowed only if {allowed_if}" if allowed_if and result.allowed else None
        _print(decision_text.render(result, title=title))
    if expect is not None:
        from policy_engine.whatif import parse_script

        assertion = parse_script(f"expect {expect}: {expression}", source="<expr>").items[0]
        if not assertion.accepts(result.decision.value):  # type: ignore[union-attr]
            raise typer.Exit(ExitCode.CHECK_FAILED)


def check(
    assertions_file: Annotated[Path, typer.Argument(help="What-if assertions, one a line.")],
    env: EnvOption,
    output_format: Annotated[CheckFormat, typer.Option("--format")] = CheckFormat.TEXT,
) -> None:
    """Run every assertion of a file; exit 1 when any fails."""
    from policy_engine.analysis.check import run_checks
    from policy_engine.files import FileReadError, read_bounded
    from policy_engine.whatif import parse_script

    try:
        data = read_bounded(assertions_file, max_bytes=_MAX_ASSERTION_BYTES,
                            what="assertions file")
        text = data.decode("utf-8")
    except FileReadError as error:
        raise InputReadError(error.problems) from None
    except UnicodeDecodeError as error:
        raise InputReadError(Problem("invalid-character", "the file is not UTF-8 text "
                                     f"(byte {error.start} cannot be decoded)",
                                     source=str(assertions_file))) from None
    script = parse_script(text, source=str(assertions_file))
    report = run_checks(_resolver(env), script)
    if output_format is CheckFormat.JSON:
        from policy_engine.formatters import accounts_json

        print(accounts_json.render_check(report))
    elif output_format is CheckFormat.JUNIT:
        from policy_engine.formatters import accounts_json

        print(accounts_json.render_check_junit(report))
    else:
        from policy_engine.formatters import accounts_text

        _print(accounts_text.render_check(report))
    if not report.passed:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def who_can_command(
    action: Annotated[str, typer.Argument(help="service:Action")],
    resource: Annotated[str, typer.Argument(help="Resource ARN or *")],
    env: EnvOption,
    resource_account: Annotated[str | None, typer.Option(
        help="Account of a resource whose ARN names none (an S3 bucket not in the snapshot).")
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Every principal of the snapshot allowed to do ACTION on RESOURCE, and the external
    access the resource policy gives (allowed only if the outsider's own account allows it)."""
    from policy_engine.analysis.who_can import who_can

    _check_action(action)
    resolver = _resolver(env)
    grants = who_can(resolver, action, resource,
                     _resource_account(resolver, resource, resource_account))
    _warn_about_resource(action, resource)
    if output_format is OutputFormat.JSON:
        from policy_engine.formatters import accounts_json

        print(accounts_json.render_who_can(action, resource, grants))
    else:
        from policy_engine.formatters import accounts_text

        _print(accounts_text.render_who_can(action, resource, grants))


def what_can_command(
    principal: Annotated[str, typer.Argument(help="user/NAME, role/NAME, ACCOUNT:role/NAME, "
                                             "an ARN, ...")],
    env: EnvOption,
    resource: Annotated[str, typer.Argument(help="Resource ARN (default: *)")] = "*",
    service: Annotated[str | None, typer.Option(help="Only this service prefix.")] = None,
    resource_account: Annotated[str | None, typer.Option(
        help="Account of a resource whose ARN names none (an S3 bucket not in the snapshot).")
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Every catalogue action PRINCIPAL is allowed on RESOURCE (or on `*`)."""
    from policy_engine.analysis.what_can import what_can

    resolver = _resolver(env)
    account = _resource_account(resolver, resource, resource_account)
    report = what_can(resolver, principal, resource, service=service,
                      resource_account=account)
    if output_format is OutputFormat.JSON:
        from policy_engine.formatters import accounts_json

        print(accounts_json.render_what_can(report))
    else:
        from policy_engine.formatters import accounts_text

        _print(accounts_text.render_what_can(report))


def assume_paths_command(
    principal: Annotated[str, typer.Argument(help="Where the chains start.")],
    env: EnvOption,
    to: Annotated[str | None, typer.Option(
        help="Only chains ending at this role (role/NAME, ACCOUNT:role/NAME or its ARN).")
    ] = None,
    max_hops: Annotated[int, typer.Option(min=1, max=10)] = 5,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Chains of sts:AssumeRole* a principal can walk, each hop checked on both sides."""
    from policy_engine.analysis.assume_paths import search_assume_paths

    resolver = _resolver(env)
    start = resolver.caller(principal)
    target_arn = None
    if to is not None:
        target = resolver.caller(to).entity
        if target is None or not resolver.caller(to).is_role:
            raise InputReadError(Problem("unknown-principal", f"`{to}` is not a role in the "
                                         "snapshot", source="--to"))
        target_arn = target.arn
    search = search_assume_paths(resolver, start, to=target_arn, max_hops=max_hops)
    paths = list(search.paths)
    if output_format is OutputFormat.JSON:
        from policy_engine.formatters import accounts_json

        print(accounts_json.render_assume_paths(start.display, paths, search.blocked,
                                                allowed_if=start.allowed_if))
    else:
        from rich.text import Text

        from policy_engine.formatters import accounts_text

        _print(accounts_text.render_assume_paths(start.display, paths))
        if not paths and search.blocked is not None:
            _print(Text(accounts_text.describe_blocked(start.display, search.blocked)))
        if start.allowed_if is not None:
            _print(Text(f"{start.display} is outside the snapshot: a first hop from it is "
                        f"allowed only if {start.allowed_if}"))


def _resource_account(resolver, resource: str, given: str | None) -> str | None:
    """The RESOURCE argument checked as a question's resource is, and its account: the one
    given, in the ARN, or assumed (a note on stderr says so)."""
    from policy_engine.analysis.resolve import OPTION_FIX
    from policy_engine.arn import is_account_id
    from policy_engine.whatif import resource_problem

    problem = resource_problem(resource)
    if problem is not None:
        raise InputReadError(Problem("invalid-arn", problem, source="RESOURCE"))
    if given is not None:
        in_arn = resource.split(":", 5)[4] if resource.count(":") >= 5 else ""
        if not is_account_id(given):
            raise InputReadError(Problem("invalid-value", f"`{given}` is not an account id "
                                         "(12 digits expected)", source="--resource-account"))
        if in_arn and in_arn != given:
            raise InputReadError(Problem("invalid-value", f"`{given}` contradicts the account "
                                         f"`{in_arn}` in the resource ARN",
                                         source="--resource-account"))
    account, notes = resolver.resource_account(resource, given, fix=OPTION_FIX,
                                               source="RESOURCE")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return account


def _check_action(action: str) -> None:
    """One real action (a did-you-mean otherwise): the rule case files and questions obey."""
    from policy_engine.request_checks import action_problem

    service, colon, name = action.partition(":")
    if not colon or not service or not name or "*" in action or "?" in action:
        raise InputReadError(Problem("invalid-action", f"`{action}` is not one action "
                                     "(expected service:Action, no wildcards)"))
    problem = action_problem(action, source="ACTION", pointer="")
    if problem is not None:
        raise InputReadError(problem)


def _warn_about_resource(action: str, resource: str) -> None:
    """A note, once the question is answered, when the resource is of no type the action
    acts on."""
    from policy_engine.request_checks import resource_warning

    warning = resource_warning(action, resource)
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)

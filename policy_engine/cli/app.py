"""The `policy-engine` command: registers the sub-commands and maps errors to exit codes.

Command modules are plain functions that know nothing of `app`; this module is the one
place that names them, so the order below is the order `policy-engine --help` lists them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from policy_engine.cli import (
    accounts,
    demo,
    diff,
    fetch,
    lint,
    matrix,
    schema,
    simulate,
    validate,
)
from policy_engine.cli.exit_codes import ExitCode
from policy_engine.cli.quiz import quiz_app
from policy_engine.cli.scenario import scenario_app
from policy_engine.errors import PolicyEngineError

COMMANDS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("ask", accounts.ask),
    ("check", accounts.check),
    ("who-can", accounts.who_can_command),
    ("what-can", accounts.what_can_command),
    ("assume-paths", accounts.assume_paths_command),
    ("matrix", matrix.matrix),
    ("matrix-diff", matrix.matrix_diff),
    ("report", matrix.report),
    ("demo", demo.demo),
    ("diff", diff.diff),
    ("fetch", fetch.fetch),
    ("lint", lint.lint),
    ("schema", schema.schema),
    ("simulate", simulate.simulate),
    ("validate", validate.validate),
)

# Commands with sub-commands of their own.
GROUPS: tuple[tuple[str, typer.Typer], ...] = (
    ("quiz", quiz_app),
    ("scenario", scenario_app),
)


def build_app() -> typer.Typer:
    built = typer.Typer(
        name="policy-engine",
        help="Evaluate, explain and check AWS IAM policies offline.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name, command in COMMANDS:
        built.command(name)(command)
    for name, group in GROUPS:
        built.add_typer(group, name=name)
    return built


app = build_app()


def _error_text(error: PolicyEngineError, all_problems: bool) -> str:
    """One line, or with `--all-problems` one line per problem."""
    if all_problems:
        return "\nerror: ".join(problem.one_line() for problem in error.problems)
    text = error.one_line()
    return text[:-1] + f"; {ALL_PROBLEMS} lists them)" if len(error.problems) > 1 else text


ALL_PROBLEMS = "--all-problems"


def main(argv: list[str] | None = None) -> None:
    # `--all-problems` may follow any command, so it is taken off before typer parses.
    args = list(sys.argv[1:] if argv is None else argv)
    all_problems = ALL_PROBLEMS in args
    args = [arg for arg in args if arg != ALL_PROBLEMS]
    try:
        app(args=args, standalone_mode=True)
    except PolicyEngineError as error:
        print(f"error: {_error_text(error, all_problems)}", file=sys.stderr)
        caret = getattr(error, "caret_text", None)
        if caret:  # syntax errors: the offending line with a caret under the column
            print(caret, file=sys.stderr)
        sys.exit(ExitCode.BAD_INPUT)
    except KeyboardInterrupt:
        sys.exit(130)
    except RecursionError:
        print("error: the input is nested too deeply to process", file=sys.stderr)
        sys.exit(ExitCode.BAD_INPUT)
    except Exception as error:  # a bug of ours: still one line, never a traceback
        print(f"error: internal error ({type(error).__name__}: {error}); please report it "
              "with the input that caused it", file=sys.stderr)
        sys.exit(ExitCode.INTERNAL_ERROR)

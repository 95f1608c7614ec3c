"""The `policy-engine` command: wires sub-commands and maps errors to exit codes.

Exit codes everywhere: 0 ran, 1 a check failed, 2 bad input or usage (message on stderr).
"""

from __future__ import annotations

import sys

import typer

from policy_engine.errors import PolicyEngineError

app = typer.Typer(
    name="policy-engine",
    help="Evaluate, explain and check AWS IAM policies offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR = 0, 1, 2, 3


def _register_commands() -> None:
    # Each command lives in its own module and registers itself on `app`.
    from policy_engine.cli import commands  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    _register_commands()
    try:
        app(args=argv, standalone_mode=True)
    except PolicyEngineError as error:
        print(f"error: {error.one_line()}", file=sys.stderr)
        caret = getattr(error, "caret_text", None)
        if caret:  # syntax errors: the offending line with a caret under the column
            print(caret, file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        sys.exit(130)
    except RecursionError:
        print("error: the input is nested too deeply to process", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as error:  # a bug of ours: still one line, never a traceback
        print(f"error: internal error ({type(error).__name__}: {error}); please report it "
              "with the input that caused it", file=sys.stderr)
        sys.exit(EXIT_INTERNAL_ERROR)

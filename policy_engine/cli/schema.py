"""`policy-engine schema --kind KIND [--output FILE]`: print a JSON Schema (draft 2020-12).

Point an editor at the output (e.g. VS Code's `json.schemas`) to get completion and errors
while writing a policy of that kind.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated

import typer

from policy_engine.errors import InputReadError, PolicyEngineError, Problem
from policy_engine.schema import export_schema, schema_names

# Modules that register more schemas when imported (each calls `register_schema_provider`).
PROVIDER_MODULES = ("policy_engine.snapshot",)


def _load_providers() -> None:
    for module in PROVIDER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def schema(
    kind: Annotated[str, typer.Option(
        help="Which schema: a policy kind (identity, s3-bucket, trust, scp, …).")],
    output: Annotated[Path | None, typer.Option(
        help="Write the schema to this file instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of a policy kind (or a snapshot file), for editors."""
    _load_providers()
    if kind not in schema_names():
        raise PolicyEngineError(Problem(
            code="usage", message=f"no schema named `{kind}`; choose one of: "
            + ", ".join(schema_names()), source="--kind"))
    text = json.dumps(export_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputReadError(Problem(code="unwritable", message=f"cannot write the file: "
                                     f"{error.strerror or error}", source=str(output))) from None

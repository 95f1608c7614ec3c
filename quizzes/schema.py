"""The JSON Schema of a bank file, generated from the question model.

`quizzes/schema/bank.schema.json` is this function's output, kept for editors; a test
fails when the two drift. Rules the schema cannot state (answer letters among the
options, the count of answers per kind, unique ids, a loadable case) are checked by
`quizzes.bank`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quizzes.model import BankFile

SCHEMA_PATH = Path(__file__).parent / "schema" / "bank.schema.json"


def bank_schema() -> dict[str, Any]:
    schema = BankFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_bank_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(json.dumps(bank_schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_bank_schema()

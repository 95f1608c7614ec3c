"""Reading matrix files back (for `matrix-diff`), one cell at a time, by their format:
a JSON Lines file whose first line names `policy-engine-matrix/1`, a CSV file with the
matrix's columns, or a Parquet file whose schema metadata names the format. Anything
else is refused in one line naming the file and what was wrong."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from policy_engine.errors import InputReadError, Problem, ProblemCode
from policy_engine.matrix.model import LIST_FIELDS, ROW_FIELDS, Cell, cell_from_row
from policy_engine.matrix.writers import CSV_SEPARATOR, FORMAT, require_pyarrow

PARQUET_MAGIC = b"PAR1"


def _wrong(path: Path, message: str) -> InputReadError:
    return InputReadError(Problem(ProblemCode.UNKNOWN_FORMAT, message, source=str(path)))


def read_cells(path: Path) -> Iterator[Cell]:
    try:
        with path.open("rb") as stream:
            start = stream.read(4)
    except OSError as error:
        raise InputReadError(Problem(ProblemCode.UNREADABLE,
                                     f"cannot read the file: {error.strerror}",
                                     source=str(path))) from None
    if start == PARQUET_MAGIC:
        return _parquet(path)
    if start.startswith(b"{"):
        return _jsonl(path)
    return _csv(path)


def _jsonl(path: Path) -> Iterator[Cell]:
    with path.open(encoding="utf-8") as stream:
        try:
            header = json.loads(stream.readline())
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _wrong(path, f"not a matrix file: the first line does not name {FORMAT}")
        for number, line in enumerate(stream, start=2):
            try:
                row = json.loads(line)
                yield cell_from_row(row)
            except (ValueError, TypeError, KeyError):
                raise InputReadError(Problem(
                    ProblemCode.INVALID_JSON, "not a matrix cell (JSON object with the "
                    "matrix's fields expected)", line=number, source=str(path))) from None


def _csv(path: Path) -> Iterator[Cell]:
    try:
        stream = path.open(encoding="utf-8", newline="")
        reader = csv.reader(stream)
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error):
        raise _wrong(path, "not a matrix file (JSON Lines, CSV or Parquet)") from None
    if header is None or tuple(header) != ROW_FIELDS:
        stream.close()
        raise _wrong(path, "not a matrix file: expected JSON Lines naming "
                     f"{FORMAT}, Parquet, or CSV with the columns {','.join(ROW_FIELDS)}")
    with stream:
        for number, values in enumerate(reader, start=2):
            if len(values) != len(ROW_FIELDS):
                raise InputReadError(Problem(ProblemCode.WRONG_TYPE,
                                             f"{len(values)} columns, expected "
                                             f"{len(ROW_FIELDS)}", line=number,
                                             source=str(path)))
            row: dict[str, object] = {}
            for name, value in zip(ROW_FIELDS, values, strict=True):
                if name in LIST_FIELDS:
                    row[name] = value.split(CSV_SEPARATOR) if value else []
                else:
                    row[name] = value or None
            yield cell_from_row(row)


def _parquet(path: Path) -> Iterator[Cell]:
    pa = require_pyarrow()
    try:
        handle = pa.parquet.ParquetFile(str(path))
    except Exception as error:  # pyarrow raises its own kinds for a damaged file
        raise _wrong(path, f"not a readable Parquet file ({error})") from None
    metadata = handle.schema_arrow.metadata or {}
    if metadata.get(b"format") != FORMAT.encode():
        raise _wrong(path, f"a Parquet file, but not a matrix file ({FORMAT})")
    for batch in handle.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            yield cell_from_row(row)

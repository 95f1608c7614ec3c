"""Matrix files, written one cell at a time so memory stays bounded: JSON Lines (one
object per cell), CSV (list fields joined with ` | `) and Parquet (list columns, written
in row groups; `pyarrow` is imported only when Parquet is asked for).

Every file starts with the same header so `matrix-diff` can tell a matrix file from any
other: JSON Lines has a first line `{"format": "policy-engine-matrix/1", ...}`; CSV has
its fixed column names; Parquet carries the format in its schema metadata.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

from policy_engine.errors import InputReadError, Problem, ProblemCode, missing_extra
from policy_engine.matrix.model import LIST_FIELDS, ROW_FIELDS, Cell

FORMAT = "policy-engine-matrix/1"
CSV_SEPARATOR = " | "
PARQUET_ROW_GROUP = 50_000


class MatrixFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


class CellWriter(Protocol):
    def write(self, cells: Iterable[Cell]) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    def __init__(self, stream: IO[str], header: dict[str, Any]) -> None:
        self.stream = stream
        stream.write(json.dumps({"format": FORMAT, **header}, sort_keys=True) + "\n")

    def write(self, cells: Iterable[Cell]) -> None:
        self.stream.write("".join(json.dumps(c.to_row(), ensure_ascii=False) + "\n"
                                  for c in cells))

    def close(self) -> None:
        self.stream.flush()


class CsvWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(ROW_FIELDS)

    def write(self, cells: Iterable[Cell]) -> None:
        for cell in cells:
            row = cell.to_row()
            self.writer.writerow([CSV_SEPARATOR.join(row[f]) if f in LIST_FIELDS  # type: ignore[arg-type]
                                  else ("" if row[f] is None else row[f]) for f in ROW_FIELDS])

    def close(self) -> None:
        self.stream.flush()


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise missing_extra("pyarrow", "parquet", option="--format parquet") from None
    return pyarrow


class ParquetWriter:
    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        pa = require_pyarrow()
        self.pa = pa
        columns = [pa.field(f, pa.list_(pa.string()) if f in LIST_FIELDS else pa.string())
                   for f in ROW_FIELDS]
        metadata = {b"format": FORMAT.encode(), b"header": json.dumps(header).encode()}
        self.schema = pa.schema(columns, metadata=metadata)
        self.writer = pa.parquet.ParquetWriter(str(path), self.schema)
        self.pending: list[dict[str, object]] = []

    def write(self, cells: Iterable[Cell]) -> None:
        self.pending.extend(c.to_row() for c in cells)
        if len(self.pending) >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.writer.write_table(self.pa.Table.from_pylist(self.pending, schema=self.schema))
            self.pending = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def open_writer(path: Path | None, output_format: MatrixFormat, header: dict[str, Any],
                stream: IO[str]) -> tuple[CellWriter, IO[str] | None]:
    """The writer, and the file it opened (None: `stream`, or Parquet's own)."""
    if output_format is MatrixFormat.PARQUET:
        if path is None:
            raise InputReadError(Problem(ProblemCode.USAGE,
                                         "--format parquet needs a file: give -o FILE",
                                         source="--format"))
        return ParquetWriter(path, header), None
    opened = None
    if path is not None:
        try:
            opened = stream = path.open("w", encoding="utf-8", newline="")
        except OSError as error:
            raise InputReadError(Problem(ProblemCode.UNWRITABLE,
                                         f"cannot write: {error.strerror}",
                                         source=str(path))) from None
    if output_format is MatrixFormat.CSV:
        return CsvWriter(stream), opened
    return JsonlWriter(stream, header), opened

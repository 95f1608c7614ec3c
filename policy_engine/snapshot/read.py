"""Pass 1 of loading: read each input, keep where its elements are, check it against its model.

A file is JSON or YAML. Files up to `EAGER_LOCATION_CHARS` are read with full location
tracking (and duplicate-key detection); larger JSON files (the output of a big account) are
decoded by `json.loads` alone and their lines and columns are worked out only when there is
a problem to show.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.files import FileReadError, read_bounded
from policy_engine.pydantic_errors import problems_from_validation_error
from policy_engine.snapshot.authorization_details import AUTHORIZATION_DETAILS_KEYS
from policy_engine.snapshot.messages import ProblemLog, SnapshotError
from policy_engine.snapshot.model import Origin
from policy_engine.snapshot.snapshot_file import PATTERN_WORDS
from policy_engine.source import (
    SourceDocument,
    guess_format,
    load_json_text,
    load_text,
)

__all__ = [
    "EAGER_LOCATION_CHARS",
    "MAX_FILE_CHARS",
    "Input",
    "is_authorization_details",
    "read_file",
    "read_text",
    "validate",
]

EAGER_LOCATION_CHARS: Final = 8 * 1024 * 1024
# Far above any real account's authorization details (the 50 MB benchmark loads in
# seconds), and a bound: `--env /dev/zero` or a runaway file must not eat the machine.
DEFAULT_MAX_SNAPSHOT_BYTES: Final = 512 * 1024 * 1024
MAX_BYTES_VARIABLE: Final = "POLICY_ENGINE_MAX_SNAPSHOT_BYTES"


def max_snapshot_bytes() -> int:
    """The size bound for one snapshot file: the environment's setting, else the default."""
    configured = os.environ.get(MAX_BYTES_VARIABLE, "").strip()
    if not configured:
        return DEFAULT_MAX_SNAPSHOT_BYTES
    if not configured.isdigit() or int(configured) == 0:
        raise SnapshotError(Problem(
            ProblemCode.USAGE, f"{MAX_BYTES_VARIABLE} is `{configured}`: give a number of "
            f"bytes, such as {DEFAULT_MAX_SNAPSHOT_BYTES}", source="environment"))
    return int(configured)
MAX_FILE_CHARS: Final = 1 << 31

# Problems about a key itself (rather than its value) point at the key's line and column.
_T = TypeVar("_T", bound=BaseModel)


class Input:
    """One file's value, and where each of its elements is (computed lazily if need be)."""

    def __init__(self, source: str, value: Any, *, document: SourceDocument | None = None,
                 text: str | None = None, base_dir: Path | None = None) -> None:
        self.source = source
        self.value = value
        self.document = document
        self.text = text  # kept only when locations are still to be computed
        self.base_dir = base_dir

    def _located(self) -> SourceDocument | None:
        if self.document is None and self.text is not None:
            text, self.text = self.text, None
            try:
                self.document = load_text(text, source=self.source, fmt="json",
                                          max_chars=MAX_FILE_CHARS)
            except PolicyEngineError:
                return None
        return self.document

    def located(self) -> SourceDocument | None:
        """Where every element is; for a large file, worked out on this first call."""
        return self._located()

    def origin(self, pointer: str) -> Origin:
        """Where `pointer` is; never forces the location scan of a large file."""
        found = self.document.locate(pointer) if self.document is not None else None
        return Origin(self.source, pointer, *(found or (None, None)))

    def problem(self, code: str, message: str, pointer: str, *, at_key: bool = False) -> Problem:
        """A problem at `pointer` in this input, located at the key or at the value."""
        return self.place(Problem(code, message, pointer, source=self.source), at_key=at_key)

    def place(self, problem: Problem, *, at_key: bool | None = None) -> Problem:
        """`problem` with its line and column in this file (when it is about this file)."""
        if problem.line is not None or problem.source != self.source:
            return problem
        document = self._located()
        return problem if document is None else document.place(problem, at_key=at_key)


def read_file(path: Path, log: ProblemLog, *,
              referenced_at: tuple[Input, str] | None = None) -> Input | None:
    """The file's input, or None with its problem logged (at `referenced_at` if named there)."""
    source = str(path)
    try:
        data = read_bounded(path, max_bytes=max_snapshot_bytes(), what="snapshot file",
                            limit_hint=f"set {MAX_BYTES_VARIABLE} to read more")
    except FileReadError as error:
        problem = error.problems[0]
        if problem.code is ProblemCode.UNREADABLE:
            problem = replace(problem, code=ProblemCode.MISSING_FILE)
        if referenced_at is not None:
            parent, pointer = referenced_at
            message = problem.message.replace("cannot read the file", f"cannot read `{source}`")
            if not message.startswith("cannot read"):
                message = f"`{source}`: {message}"
            problem = parent.problem(problem.code, message, pointer)
        log.problems.append(problem)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        log.problems.append(Problem(
            "invalid-character",
            f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
            source=source))
        return None
    return read_text(text, source, path.parent, log)


def read_text(text: str, source: str, base_dir: Path | None, log: ProblemLog) -> Input | None:
    """JSON or YAML text as an input, or None with its problems logged."""
    log.add_source(source)
    fmt = guess_format(text, source)
    try:
        if fmt == "yaml" or len(text) <= EAGER_LOCATION_CHARS:
            document = load_text(text, source=source, fmt=fmt, max_chars=MAX_FILE_CHARS)
            return Input(source, document.value, document=document, base_dir=base_dir)
        try:
            value = json.loads(text)
        except ValueError:
            load_json_text(text, source=source, max_chars=MAX_FILE_CHARS)  # locates it
            raise
        return Input(source, value, text=text, base_dir=base_dir)
    except PolicyEngineError as error:
        log.problems.extend(error.problems)
    except ValueError as error:
        log.problems.append(Problem("invalid-json", f"the file is not JSON ({error})",
                                    source=source))
    return None


def is_authorization_details(value: Any) -> bool:
    """Whether `value` looks like the output of `aws iam get-account-authorization-details`."""
    return isinstance(value, dict) and bool(AUTHORIZATION_DETAILS_KEYS & value.keys())


def validate(model: type[_T], item: Input, log: ProblemLog) -> _T | None:
    """The input's value as `model`, or None with every shape problem logged."""
    try:
        return model.model_validate(item.value)
    except ValidationError as error:
        log.problems.extend(problems_from_validation_error(
            error, item.value, model, source=item.source, pattern_words=PATTERN_WORDS,
            place=lambda problem, at_key: item.place(problem, at_key=at_key)))
        return None

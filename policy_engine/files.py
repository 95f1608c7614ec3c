"""Files on disk read as one bounded document: the first step of every file input.

Only regular files are read, and never more than the caller's bound, so `--env /dev/zero`,
a named pipe given to `validate`, or a runaway file is one clear problem instead of a hang
or a machine out of memory.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode


class FileReadError(PolicyEngineError):
    """A file that cannot be read as one bounded document (missing, not a file, too big)."""


def read_bounded(path: Path, *, max_bytes: int, what: str = "file", limit_hint: str = "",
                 oversize: Callable[[int], Problem] | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, read with that bound.

    A device, pipe or directory is refused before it is opened for reading (`/dev/zero`
    never ends; a named pipe would block), and the bound holds even when the file grows
    while it is read.
    """
    source = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise FileReadError(Problem(
                code=ProblemCode.UNREADABLE,
                message=f"not a regular file ({_file_type(info.st_mode)}); give the path of "
                        f"a {what}", source=source))
        if info.st_size > max_bytes:
            raise FileReadError(oversize(info.st_size) if oversize else
                                _too_big(info.st_size, max_bytes, what, limit_hint, source))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise FileReadError(Problem(
            code=ProblemCode.UNREADABLE,
            message=f"cannot read the file: {(error.strerror or str(error)).lower()}",
            source=source)) from None
    if len(data) > max_bytes:
        raise FileReadError(oversize(len(data)) if oversize else
                            _too_big(len(data), max_bytes, what, limit_hint, source))
    return data


def read_text_bounded(path: Path, *, max_bytes: int, what: str = "file") -> str:
    """`read_bounded`, decoded as UTF-8; bytes that are not UTF-8 are one FileReadError."""
    data = read_bounded(path, max_bytes=max_bytes, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileReadError(Problem(
            code=ProblemCode.INVALID_CHARACTER,
            message=f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
            source=str(path))) from None


def _too_big(size: int, max_bytes: int, what: str, limit_hint: str, source: str) -> Problem:
    hint = f"; {limit_hint}" if limit_hint else ""
    return Problem(code=ProblemCode.OVERSIZE,
                   message=f"the {what} is {size:,} bytes; at most {max_bytes:,} are read"
                           f"{hint}", source=source)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"

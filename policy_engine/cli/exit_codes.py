"""Exit codes of every `policy-engine` command (shared/DESIGN.md fixes 0, 1 and 2)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CHECK_FAILED = 1  # the command ran, and a check it was asked to make failed
    BAD_INPUT = 2  # bad input or usage; the message is on stderr
    INTERNAL_ERROR = 3  # a bug of ours, reported in one line

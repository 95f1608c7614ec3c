"""A located lint finding: what every output format is made from."""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.errors import pointer_to_path
from policy_engine.lint.severity import Severity


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One finding in one file. `pointer` is absolute in the file (a template's policy
    sits under its resource's pointer); `subject` names what carries the policy (`role/app
    trust policy`, a bucket ARN) when the file holds more than one."""

    code: str
    name: str
    severity: Severity
    message: str
    source: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    kind: str | None = None
    subject: str | None = None
    sid: str | None = None

    @property
    def path(self) -> str:
        return pointer_to_path(self.pointer)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.source, self.line or 0, self.column or 0, self.pointer, self.code)

    def one_line(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        path = self.path
        subject = f"{self.subject}: " if self.subject else ""
        return (f"{where}: {self.severity.value}: {subject}{path + ': ' if path else ''}"
                f"{self.message} [{self.code}]")

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.source,
            "pointer": self.pointer,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "subject": self.subject,
            "sid": self.sid,
        }

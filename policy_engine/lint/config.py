"""Lint configuration: `[tool.policy-engine.lint]` in `pyproject.toml`, or `[lint]` in
`.policy-engine.toml` (that file wins when both exist), or a file given with `--config`.

```toml
[tool.policy-engine.lint]
fail-on = "warning"                       # error | security-warning | warning | suggestion
disable = ["MISSING_VERSION"]             # rule codes
enable = ["SOME_OFF_BY_DEFAULT_RULE"]
severity = { PASS_ROLE_WITH_STAR_IN_RESOURCE = "error" }
per-file-ignores = { "legacy/*.json" = ["MISSING_VERSION"], "vendor/*" = ["*"] }
ignore-sids = { BreakGlass = ["*"], LegacyRead = ["ALLOW_WITH_NOT_ACTION"] }
```

Every rule code is checked against the registry when the configuration is read: an
unknown code is a one-line error naming the file and the key, exit 2.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Final

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.lint.finding import LintFinding
from policy_engine.lint.registry import Registry
from policy_engine.lint.rule import LintRule
from policy_engine.lint.severity import Severity

ALL: Final = "*"
_KEYS: Final = ("fail-on", "disable", "enable", "severity", "per-file-ignores", "ignore-sids")
CONFIG_FILE: Final = ".policy-engine.toml"


class LintConfigError(PolicyEngineError):
    """The configuration cannot be used (unreadable, bad TOML, unknown key or code)."""


@dataclass(frozen=True)
class LintConfig:
    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    ignore_sids: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({}))
    fail_on: Severity | None = None
    source: str | None = None

    def enabled(self, found: LintRule) -> bool:
        if found.code in self.disable:
            return False
        return found.enabled_by_default or found.code in self.enable

    def severity_of(self, found: LintRule) -> Severity:
        return self.severity.get(found.code, found.severity)

    def ignored(self, finding: LintFinding) -> bool:
        if finding.sid is not None:
            codes = self.ignore_sids.get(finding.sid)
            if codes is not None and (ALL in codes or finding.code in codes):
                return True
        if not self.per_file_ignores:
            return False
        names = _names_of(finding.source, self.root)
        return any(ALL in codes or finding.code in codes
                   for pattern, codes in self.per_file_ignores
                   if any(fnmatchcase(name, pattern) for name in names))

    @property
    def root(self) -> str | None:
        """The folder of the configuration file: per-file patterns are relative to it."""
        return os.path.dirname(os.path.abspath(self.source)) if self.source else None


def _names_of(source: str, root: str | None) -> tuple[str, ...]:
    """The names a per-file pattern may match: the path as given, without `./`, relative to
    the configuration's folder (so `lint` run from a subfolder, or given absolute paths,
    still honours the patterns), and the bare file name."""
    path = PurePosixPath(Path(source).as_posix())
    names = [str(path), str(path).removeprefix("./"), path.name]
    if root is not None:
        absolute = os.path.abspath(source)
        if absolute.startswith(root.rstrip(os.sep) + os.sep):
            names.append(Path(os.path.relpath(absolute, root)).as_posix())
    return tuple(dict.fromkeys(names))


# ------------------------------------------------------------------------------ reading

def find_config(start: Path) -> Path | None:
    """The nearest `.policy-engine.toml`, else the nearest `pyproject.toml` that has a
    `[tool.policy-engine.lint]` table, looking in `start` and its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        project = folder / "pyproject.toml"
        if project.is_file() and _lint_table(_read_toml(project), project) is not None:
            return project
    return None


def load_config(path: Path | None, registry: Registry, *, start: Path | None = None
                ) -> LintConfig:
    """The configuration at `path`, or the one found from `start` (the working folder);
    an empty configuration when there is none."""
    chosen = path if path is not None else find_config(start or Path.cwd())
    if chosen is None:
        return LintConfig()
    table = _lint_table(_read_toml(chosen), chosen)
    if table is None:
        if path is not None:
            raise _error(chosen, "", "has no lint table: write `[lint]` (or "
                         "`[tool.policy-engine.lint]` in pyproject.toml)")
        return LintConfig()
    return parse_config(table, registry, source=str(chosen))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LintConfigError(Problem(ProblemCode.UNREADABLE, f"cannot read the lint "
                              f"configuration: {error.strerror or error}", source=str(path))
                              ) from None
    except UnicodeDecodeError:
        raise LintConfigError(Problem(ProblemCode.INVALID_CHARACTER,
                              "the lint configuration is not UTF-8 text", source=str(path))
                              ) from None
    except tomllib.TOMLDecodeError as error:
        raise LintConfigError(Problem(ProblemCode.SYNTAX_ERROR,
                              f"the lint configuration is not valid TOML: {error}",
                              source=str(path))) from None


def _lint_table(document: dict[str, Any], path: Path) -> Any:
    if path.name != "pyproject.toml" and "lint" in document:
        return document["lint"]
    tool = document.get("tool")
    ours = tool.get("policy-engine") if isinstance(tool, dict) else None
    return ours.get("lint") if isinstance(ours, dict) else None


def _error(path: Path | str, key: str, message: str) -> LintConfigError:
    where = f"`{key}` " if key else ""
    return LintConfigError(Problem(ProblemCode.INVALID_VALUE, f"lint configuration {where}"
                                   f"{message}", source=str(path)))


def parse_config(table: Any, registry: Registry, *, source: str) -> LintConfig:
    if not isinstance(table, dict):
        raise _error(source, "", "must be a table")
    unknown = [key for key in table if key.replace("_", "-") not in _KEYS]
    if unknown:
        raise _error(source, unknown[0], f"is not a lint setting (known: {', '.join(_KEYS)})")
    values = {key.replace("_", "-"): value for key, value in table.items()}

    def codes(key: str, value: Any, *, allow_all: bool = False) -> frozenset[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _error(source, key, "must be a list of rule codes")
        found = frozenset(v.upper() if v != ALL else v for v in value)
        for code in sorted(found):
            if code == ALL and allow_all:
                continue
            if registry.get(code) is None:
                raise _error(source, key, f"names `{code}`, which is not a lint rule code "
                             "(`policy-engine lint --list-rules` lists them)")
        return found

    def table_of(key: str) -> dict[str, Any]:
        value = values.get(key, {})
        if not isinstance(value, dict):
            raise _error(source, key, "must be a table")
        return value

    severities: dict[str, Severity] = {}
    for code, level in table_of("severity").items():
        codes(f"severity.{code}", [code])
        severities[code.upper()] = _severity(level, source, f"severity.{code}")
    ignores = tuple((pattern, codes(f"per-file-ignores.{pattern}", listed, allow_all=True))
                    for pattern, listed in table_of("per-file-ignores").items())
    sids = {sid: codes(f"ignore-sids.{sid}", listed, allow_all=True)
            for sid, listed in table_of("ignore-sids").items()}
    fail_on = values.get("fail-on")
    return LintConfig(
        disable=codes("disable", values.get("disable", [])),
        enable=codes("enable", values.get("enable", [])),
        severity=MappingProxyType(severities),
        per_file_ignores=ignores,
        ignore_sids=MappingProxyType(sids),
        fail_on=None if fail_on is None else _severity(fail_on, source, "fail-on"),
        source=source,
    )


def _severity(value: Any, source: str, key: str) -> Severity:
    try:
        return Severity(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise _error(source, key, f"is {value!r}, not a severity (one of "
                     f"{', '.join(s.value for s in Severity)})") from None

"""The lint comparison corpus (`benchmarks/lint_corpus/`) and how findings are judged
against its manifest. Shared by `lint_vs_parliament.py` and `tests/lint/test_corpus_manifest.py`.

The manifest (`lint_corpus/manifest.json`) gives, per policy file:
- `kind`: the policy kind the file is linted as (`--kind`);
- `problems`: the real problems the file holds, each `{code, pointer, note}` with an
  optional `also` (other codes accepted for the same problem, e.g. a grammar code when the
  parser already refuses the construct). A finding reports a problem when its code is one
  of the problem's codes and its pointer and the problem's overlap: one contains the other
  (rules may point at the statement or at the element inside it);
- `must_not_flag`: valid-but-unusual constructs, each `{pointer, note}` and optionally
  `codes`. A finding at or inside the pointer is a false positive when its code is listed
  (no list: when it is of warning severity or above) and it reports none of the file's
  problems;
- `clean: true`: the file holds no problem; any finding of warning severity or above that
  reports no listed problem is a false positive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind

CORPUS: Final = Path(__file__).parent / "lint_corpus"
MANIFEST: Final = CORPUS / "manifest.json"

# The codes issue 7 plans, by the helper writing them (exact spelling from the brief).
PLANNED: Final[dict[str, tuple[str, ...]]] = {
    "catalogue": (
        "UNKNOWN_SERVICE", "UNKNOWN_ACTION", "ACTION_WILDCARD_MATCHES_NOTHING",
        "RESOURCE_TYPE_MISMATCH", "UNKNOWN_CONDITION_KEY", "DATA_TYPE_MISMATCH",
        "MISSING_SET_OPERATOR", "FORALLVALUES_WITHOUT_NULL_CHECK",
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
        "STRING_LIKE_WITHOUT_WILDCARD", "STRING_EQUALS_WITH_WILDCARD", "NULL_WITH_IF_EXISTS"),
    "permissions": (
        "PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "ALLOW_WITH_NOT_ACTION", "ALLOW_WITH_NOT_RESOURCE", "FULL_ADMIN_ACCESS",
        "PRIVILEGE_ESCALATION", "PRIVILEGE_ESCALATION_COMBINATION", "DATA_EXFILTRATION_ON_STAR",
        "CREDENTIALS_EXPOSURE_ON_STAR", "PERMISSIONS_MANAGEMENT_ON_STAR"),
    "resources": (
        "PUBLIC_ACCESS", "ANY_ACCOUNT_ACCESS", "CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID",
        "MISSING_SECURE_TRANSPORT", "KMS_KEY_LOCKOUT", "STATEMENT_NEVER_APPLIES",
        "SHADOWED_STATEMENT"),
    "grammar": (
        "INVALID_POLICY_ELEMENT", "MISSING_ELEMENT", "UNSUPPORTED_ELEMENT",
        "UNSUPPORTED_ELEMENT_COMBINATION", "INVALID_JSON_TYPE", "EMPTY_VALUE", "INVALID_VALUE",
        "INVALID_VERSION", "INVALID_EFFECT", "INVALID_ACTION", "INVALID_ARN",
        "INVALID_PRINCIPAL_FORMAT", "INVALID_SID", "UNIQUE_SIDS_REQUIRED",
        "INVALID_CONDITION_OPERATOR", "INVALID_CONDITION", "UNSUPPORTED_FOR_KIND",
        "POLICY_SIZE_EXCEEDED", "INVALID_CHARACTER", "DUPLICATE_KEY", "TOO_DEEP",
        "UNUSUAL_ACTION", "UNUSUAL_CONDITION_KEY", "POLICY_ERROR"),
    "general": ("MISSING_VERSION", "OUTDATED_VERSION"),
}
PLANNED_CODES: Final = frozenset(code for codes in PLANNED.values() for code in codes)
# The groups every one of whose codes the corpus must exercise at least once.
MUST_COVER: Final = ("catalogue", "permissions", "resources")


class FindingLike(Protocol):
    """A lint finding as `LintFinding` or its JSON form gives it."""

    code: str
    pointer: str
    severity: Any


@dataclass(frozen=True)
class Finding:
    """A finding read from `--format json` output (or any tool), for judging."""

    code: str
    pointer: str
    severity: str
    message: str = ""


@dataclass(frozen=True)
class Problem:
    code: str
    pointer: str
    note: str
    also: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.also)


@dataclass(frozen=True)
class Valid:
    """A construct that must not be flagged (by `codes`, or by anything >= warning)."""

    pointer: str
    note: str
    codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CorpusFile:
    name: str
    path: Path
    kind: PolicyKind
    problems: tuple[Problem, ...]
    must_not_flag: tuple[Valid, ...]
    clean: bool = False

    def policy(self) -> Any:
        return json.loads(self.path.read_text(encoding="utf-8"))


def load_manifest(root: Path = CORPUS) -> list[CorpusFile]:
    value = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    files = []
    for name, entry in value["files"].items():
        problems = tuple(Problem(p["code"], p["pointer"], p["note"], tuple(p.get("also", ())))
                         for p in entry.get("problems", ()))
        valid = tuple(Valid(v["pointer"], v["note"],
                            tuple(v["codes"]) if v.get("codes") else None)
                      for v in entry.get("must_not_flag", ()))
        files.append(CorpusFile(name, root / name, PolicyKind(entry["kind"]), problems, valid,
                                bool(entry.get("clean", False))))
    return files


# --- pointers ------------------------------------------------------------------------------


def inside(pointer: str, area: str) -> bool:
    """`pointer` is `area` or names something within it."""
    return area == "" or pointer == area or pointer.startswith(area + "/")


def overlaps(one: str, other: str) -> bool:
    return inside(one, other) or inside(other, one)


def resolve(value: Any, pointer: str) -> bool:
    """Whether the JSON pointer names something in `value` ("" is the whole value)."""
    if pointer == "":
        return True
    current = value
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, dict) and token in current:
            current = current[token]
        else:
            return False
    return True


# --- judging -------------------------------------------------------------------------------


def _severity(finding: FindingLike) -> Severity:
    value = finding.severity
    return value if isinstance(value, Severity) else Severity(str(value))


def reports(finding: FindingLike, problem: Problem) -> bool:
    return finding.code in problem.codes and overlaps(finding.pointer, problem.pointer)


def found(problem: Problem, findings: Iterable[FindingLike]) -> list[FindingLike]:
    return [finding for finding in findings if reports(finding, problem)]


def flags(finding: FindingLike, valid: Valid) -> bool:
    """The finding lands on the valid construct and is one it must not get."""
    if not inside(finding.pointer, valid.pointer):
        return False
    if valid.codes is not None:
        return finding.code in valid.codes
    return _severity(finding).at_least(Severity.WARNING)


def false_positives(corpus_file: CorpusFile, findings: Sequence[FindingLike]
                    ) -> list[tuple[Valid, FindingLike]]:
    """Each finding on a must-not-flag construct (or, in a clean file, any finding of
    warning or above) that reports none of the file's listed problems."""
    constructs = list(corpus_file.must_not_flag)
    if corpus_file.clean:
        constructs.append(Valid("", "a clean file: no finding of warning or above"))
    out = []
    for finding in findings:
        if any(reports(finding, problem) for problem in corpus_file.problems):
            continue
        for valid in constructs:
            if flags(finding, valid):
                out.append((valid, finding))
                break
    return out


def extras(corpus_file: CorpusFile, findings: Sequence[FindingLike]) -> list[FindingLike]:
    """Findings the manifest neither lists as problems nor names as false positives."""
    wrong = {id(finding) for _, finding in false_positives(corpus_file, findings)}
    return [finding for finding in findings if id(finding) not in wrong
            and not any(reports(finding, problem) for problem in corpus_file.problems)]

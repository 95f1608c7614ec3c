"""Text -> validated `PolicyDocument`, or every problem found, each with where it is.

`parse_policy` raises `PolicyValidationError` carrying all problems; `validate_policy`
never raises, whatever it is given; `load_policy` reads a file. The checks themselves are
the rule table of `policy_engine.validation`: the pydantic models decide the structure
(elements, types, enums), and the rules what pydantic cannot express (conflicting
elements, action and ARN syntax, principal shapes, condition operators, policy variables,
Sids, allowed characters, per-kind rules and size quotas), over the raw JSON value, so
that one pass reports everything at once. This module runs that table, keeps one problem
per pointer and places each in the source.

Rules and their AWS pages live in `policy_engine.model.kinds`; the condition operators and
their value rules in `policy_engine.model.operators`, the same table the engine compiles
from, so the validator accepts exactly the operators the evaluator implements.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from policy_engine.errors import (
    InputReadError,
    PolicyEngineError,
    PolicyValidationError,
    Problem,
    ProblemCode,
)
from policy_engine.files import FileReadError, read_bounded
from policy_engine.model.kinds import DEFAULT_QUOTAS, KindRules, PolicyKind, Quotas, rules_for
from policy_engine.model.policy import PolicyDocument
from policy_engine.source import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_DEPTH,
    Format,
    Location,
    SourceDocument,
    load_text,
    oversize_problem,
)
from policy_engine.validation import RULES, WARNINGS, DocumentView, Finding, Scope

# Callers and tests take `measure_size` from here; the redundant alias marks the re-export.
from policy_engine.validation.size import measure_size as measure_size
from policy_engine.validation.view import as_strings, raw_statements

__all__ = [
    "ParsedPolicy",
    "ValidationResult",
    "guess_kind",
    "load_policy",
    "parse_policy",
    "validate_policy",
]


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class ParsedPolicy:
    """A valid policy, with everything needed to point back into its source.

    `text` is the source exactly as read (None when built from a value), so the policy can
    be written back unchanged; `raw` is the JSON value before normalisation. Pointers in
    `locations` are absolute, i.e. they include `pointer_prefix`.
    """

    document: PolicyDocument
    kind: PolicyKind
    source: str = "<input>"
    name: str | None = None
    text: str | None = None
    raw: Any = None
    pointer_prefix: str = ""
    locations: Mapping[str, Location] = field(default_factory=dict, repr=False, compare=False)
    # Strings outside the grammar that AWS evidently accepts (`model.oddities`), each a
    # located problem of a warning code: the policy is valid and is evaluated as written.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    def locate(self, pointer: str) -> Location | None:
        """(line, column) of the element at `pointer`, absolute or relative to the policy."""
        found = self.locations.get(pointer)
        if found is None and self.pointer_prefix and not pointer.startswith(self.pointer_prefix):
            found = self.locations.get(self.pointer_prefix + pointer)
        return found

    def to_json(self, *, indent: int | None = 2) -> str:
        """The original text when there is one, else the original value as JSON."""
        if self.text is not None:
            return self.text
        return json.dumps(self.raw, indent=indent, ensure_ascii=False)

    def normalized_json(self, *, indent: int | None = 2) -> str:
        """The normalised model as policy JSON (every list element written as a list)."""
        return dump_document(self.document, indent=indent)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    policy: ParsedPolicy | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.policy is not None and not self.problems


def dump_document(document: PolicyDocument, *, indent: int | None = 2) -> str:
    value = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(value, indent=indent, ensure_ascii=False)


# ---------------------------------------------------------------------------- entry points


def parse_policy(
    text_or_value: Any,
    *,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    source: str = "<input>",
    pointer_prefix: str = "",
    locations: Mapping[str, Location] | SourceDocument | None = None,
    name: str | None = None,
    fmt: Format | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
    max_depth: int = DEFAULT_MAX_DEPTH,
    stored: bool = False,
) -> ParsedPolicy:
    """Parse and validate a policy given as text (JSON/YAML) or as an already-parsed value.

    For a value taken out of a larger file (a case file, a snapshot), pass that file's
    `SourceDocument` (or its location map) as `locations` and the value's pointer in it as
    `pointer_prefix`: problems then point into that file.

    `stored`: the document is one AWS already stores (a snapshot's), so the strings
    outside the grammar that AWS evidently accepted load with a warning, as they do for
    the `aws-managed` kind.

    Raises `PolicyValidationError` with every problem found, sorted by position.
    """
    policy_kind = PolicyKind(kind)
    text: str | None = None
    key_locations: Mapping[str, Location] = {}
    if isinstance(text_or_value, str):
        text = text_or_value
        try:
            loaded = load_text(text, source=source, fmt=fmt, max_depth=max_depth)
        except PolicyEngineError as error:
            raise PolicyValidationError(
                [_prefixed(problem, pointer_prefix) for problem in error.problems]
            ) from None
        raw = loaded.value
        locations = _prefix_keys(loaded.locations, pointer_prefix)
        key_locations = _prefix_keys(loaded.key_locations, pointer_prefix)
        text_for_size = text if loaded.format == "json" else None
    else:
        raw = text_or_value
        if isinstance(locations, SourceDocument):  # the file this value was read from
            key_locations = locations.key_locations
            locations = locations.locations
        locations = dict(locations or {})
        text_for_size = None
    where = _Where(source, pointer_prefix,
                   SourceDocument(raw, locations=locations, key_locations=key_locations))
    rules = rules_for(policy_kind)
    if stored and not rules.stored:
        rules = replace(rules, stored=True)
    document, problems, warnings = _check(raw, text_for_size, rules, quotas, where)
    if problems or document is None:
        raise PolicyValidationError(_by_position(problems))
    return ParsedPolicy(
        document=document, kind=policy_kind, source=source, name=name, text=text, raw=raw,
        pointer_prefix=pointer_prefix, locations=locations, warnings=tuple(warnings),
    )


def validate_policy(
    text: Any,
    *,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    source: str = "<input>",
    name: str | None = None,
    fmt: Format | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
) -> ValidationResult:
    """Like `parse_policy`, but returns the problems instead of raising; never raises."""
    try:
        policy = parse_policy(text, kind=kind, source=source, name=name, fmt=fmt, quotas=quotas)
    except PolicyEngineError as error:
        return ValidationResult(None, list(error.problems))
    except Exception as error:  # a bug must still come back as a problem, never a crash
        return ValidationResult(None, [Problem(
            code="internal-error",
            message=f"the validator failed unexpectedly ({type(error).__name__}); "
                    "please report this input",
            source=source,
        )])
    return ValidationResult(policy, [])


def load_policy(
    path: str | Path,
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    *,
    name: str | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> ParsedPolicy:
    """Read and parse a policy file (JSON, or YAML by extension or content)."""
    file = Path(path)
    text = read_policy_text(file, max_chars=max_chars)
    return parse_policy(text, kind=kind, source=str(path), name=name or file.stem,
                        quotas=quotas)


def read_policy_text(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The file's text (UTF-8, optional BOM); oversize files are refused before reading."""
    source = str(path)
    try:
        # More bytes than max_chars characters can take in UTF-8 are refused unread.
        data = read_bounded(path, max_bytes=4 * max_chars, what="policy file",
                            oversize=lambda size: oversize_problem(size, max_chars, source))
    except FileReadError as error:
        if error.problems[0].code is ProblemCode.OVERSIZE:
            raise PolicyValidationError(error.problems) from None
        raise InputReadError(error.problems) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputReadError(Problem(
            code="invalid-character",
            message=f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
            source=source)) from None
    if len(text) > max_chars:
        raise PolicyValidationError(oversize_problem(len(text), max_chars, source))
    return text


# ------------------------------------------------------------------------ kind guessing

_KIND_WORDS = sorted((kind.value for kind in PolicyKind), key=len, reverse=True)


def guess_kind(path: str | None, value: Any) -> tuple[PolicyKind, str]:
    """A kind for a file given without `--kind`, and the reason, to be shown to the user.

    A path segment or file-name word naming a kind wins (`policies/trust/app.json`,
    `app.kms-key.json`); otherwise the content decides: a statement with a Principal and
    only `sts:AssumeRole*` actions is a trust policy, any Principal makes a resource
    policy, none an identity policy.
    """
    if path:
        parts = [part.lower() for part in Path(path).parts]
        for part in reversed(parts):
            stem = part.rsplit(".", 1)[0] if part == parts[-1] else part
            for word in _KIND_WORDS:
                if stem == word or re.search(rf"(^|[._]){re.escape(word)}($|[._])", stem):
                    return PolicyKind(word), f"path names `{word}`"
    statements = list(raw_statements(value))
    with_principal = [s for _, s in statements if "Principal" in s or "NotPrincipal" in s]
    if any(_names_canonical_user(s) for s in with_principal):
        return PolicyKind.S3_BUCKET, "a statement names a CanonicalUser (S3 bucket policies only)"
    if with_principal:
        actions = [a for s in with_principal for a in as_strings(s.get("Action")) or ()]
        if actions and all(a.lower().startswith("sts:assumerole") or
                           a.lower() in {"sts:tagsession", "sts:setsourceidentity"}
                           for a in actions):
            return PolicyKind.TRUST, "statements name a Principal and only sts:AssumeRole* actions"
        return PolicyKind.RESOURCE, "statements name a Principal"
    return PolicyKind.IDENTITY, "no statement names a Principal"


def _names_canonical_user(statement: dict[str, Any]) -> bool:
    return any(isinstance(block, dict) and "CanonicalUser" in block
               for block in (statement.get("Principal"), statement.get("NotPrincipal")))


def other_document_hint(value: Any) -> str | None:
    """What a file is when it is clearly not a policy, and which command reads it."""
    if not isinstance(value, dict) or "Statement" in value:
        return None
    if "request" in value:
        return "this is a case file (it has `request`), not a policy: run " \
            "`policy-engine simulate FILE`"
    if str(value.get("format", "")).startswith("policy-engine-snapshot/"):
        return "this is an account snapshot, not a policy: pass it to the account " \
            "commands with `--env FILE`"
    if {"UserDetailList", "RoleDetailList", "Policies"} & set(value):
        return "this is `aws iam get-account-authorization-details` output, not a policy: " \
            "pass it to the account commands with `--env FILE`"
    return None


# ------------------------------------------------------------------------------ internals


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a policy's problems go: its file, its pointer in that file, its locations."""

    source: str
    prefix: str
    document: SourceDocument

    def problem(self, code: str, message: str, pointer: str) -> Problem:
        found = Problem(code=code, message=message, pointer=self.prefix + pointer,
                        source=self.source)
        return self.document.place(found, within=self.prefix)


def _prefix_keys(mapping: Mapping[str, Location], prefix: str) -> dict[str, Location]:
    return {prefix + key: value for key, value in mapping.items()} if prefix else dict(mapping)


def _prefixed(problem: Problem, prefix: str) -> Problem:
    if not prefix:
        return problem
    return Problem(code=problem.code, message=problem.message, pointer=prefix + problem.pointer,
                   line=problem.line, column=problem.column, source=problem.source)


# ----------------------------------------------------------------------------- the driver

def _check(raw: Any, text: str | None, rules: KindRules, quotas: Quotas, where: _Where
           ) -> tuple[PolicyDocument | None, list[Problem], list[Problem]]:
    """The model when no rule finds anything, the problems in the order found, and the
    warnings of a valid policy.

    One problem per pointer: the first (most specific) explanation wins, which is why the
    table's order matters.
    """
    view = DocumentView(raw, text)
    problems: list[Problem] = []
    seen: set[str] = set()
    for code, message, pointer in _findings(view, rules, quotas):
        if pointer in seen:
            continue
        seen.add(pointer)
        problems.append(where.problem(code, message, pointer))
    model = view.model
    document = model if isinstance(model, PolicyDocument) and not problems else None
    warnings = [] if document is None else [
        where.problem(code, message, pointer) for rule in WARNINGS
        for code, message, pointer in rule.check(view, rules, quotas)]
    return document, problems, warnings


# The table cut into runs of one scope: a STATEMENT run takes each statement in turn.
_RUNS = tuple((scope, tuple(run)) for scope, run in groupby(RULES, key=attrgetter("scope")))


def _findings(view: DocumentView, rules: KindRules, quotas: Quotas) -> Iterator[Finding]:
    """Every rule's findings, in table order; see `Scope` for what each rule is given."""
    found = False
    for scope, run in _RUNS:
        if scope is Scope.CLEAN and found:
            continue
        targets = view.statements if scope is Scope.STATEMENT else (view,)
        for target in targets:
            for rule in run:
                for finding in rule.check(target, rules, quotas):
                    found = True
                    yield finding


def _by_position(problems: list[Problem]) -> list[Problem]:
    def key(problem: Problem) -> tuple[int, int, str]:
        return (problem.line or 0, problem.column or 0, problem.pointer)

    return sorted(problems, key=key)

"""Text -> validated `PolicyDocument`, or every problem found, each with where it is.

`parse_policy` raises `PolicyValidationError` carrying all problems; `validate_policy`
never raises, whatever it is given; `load_policy` reads a file. The pydantic models decide
the structure (elements, types, enums); their errors are translated here into the
project's problem codes. The checks pydantic cannot express (conflicting elements, action
and ARN syntax, principal shapes, condition operators, policy variables, Sids, allowed
characters, per-kind rules and size quotas) run over the raw JSON value, so that one pass
reports everything at once.

Rules and their AWS pages live in `policy_engine.model.kinds`; the condition operators and
their value rules in `policy_engine.model.operators`, the same table the engine compiles
from, so the validator accepts exactly the operators the evaluator implements.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from policy_engine.arn import PARTITIONS, is_account_id, is_arn_pattern_shape, is_service_principal
from policy_engine.errors import (
    InputReadError,
    PolicyEngineError,
    PolicyValidationError,
    Problem,
    join_pointer,
    pointer_to_path,
)
from policy_engine.model.kinds import (
    ACTION,
    CANONICAL_USER,
    CONDITION_KEY,
    CONFLICTING_PAIRS,
    DEFAULT_QUOTAS,
    DISALLOWED_CHARACTER,
    PRINCIPAL_KEYS,
    PRINCIPAL_RESOURCE_TYPES,
    PROVIDER_ARN,
    PROVIDER_HOST,
    RCP_FULL_AWS_ACCESS_STATEMENT,
    SID_PATTERNS,
    UNIQUE_ID,
    Counted,
    CountRule,
    KindRules,
    PolicyKind,
    Presence,
    Quotas,
    SidRule,
    SizeCount,
    rules_for,
)
from policy_engine.model.operators import (
    OPERATORS,
    OperatorError,
    OperatorSpec,
    parse_operator,
    value_problem,
)
from policy_engine.model.policy import VERSION_2012, PolicyDocument
from policy_engine.model.values import canonical_text
from policy_engine.model.variables import variable_problem
from policy_engine.policy_errors import describe_value as _describe
from policy_engine.policy_errors import translate_policy_error
from policy_engine.source import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_DEPTH,
    Format,
    Location,
    SourceDocument,
    load_text,
    oversize_problem,
)
from policy_engine.validation.view import as_strings as _as_strings
from policy_engine.validation.view import is_scalar_or_scalars as _is_scalar_or_scalars
from policy_engine.validation.view import items as _items
from policy_engine.validation.view import raw_statements as _raw_statements
from policy_engine.validation.view import scalar_items as _scalar_items
from policy_engine.validation.wording import a as _a
from policy_engine.validation.wording import clip as _clip
from policy_engine.validation.wording import describe_char as _describe_char

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
) -> ParsedPolicy:
    """Parse and validate a policy given as text (JSON/YAML) or as an already-parsed value.

    For a value taken out of a larger file (a case file, a snapshot), pass that file's
    `SourceDocument` (or its location map) as `locations` and the value's pointer in it as
    `pointer_prefix`: problems then point into that file.

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
    where = _Where(source, pointer_prefix, locations, key_locations)
    checker = _Checker(rules_for(policy_kind), quotas, where)
    document = checker.run(raw, text_for_size)
    if checker.problems or document is None:
        raise PolicyValidationError(checker.sorted_problems())
    return ParsedPolicy(
        document=document, kind=policy_kind, source=source, name=name, text=text, raw=raw,
        pointer_prefix=pointer_prefix, locations=locations,
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
        size = path.stat().st_size
        if size > 4 * max_chars:  # more bytes than max_chars characters can take in UTF-8
            raise PolicyValidationError(oversize_problem(size, max_chars, source))
        data = path.read_bytes()
    except OSError as error:
        raise InputReadError(Problem(code="unreadable",
                                     message=f"cannot read the file: {error.strerror or error}",
                                     source=source)) from None
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
    statements = list(_raw_statements(value))
    with_principal = [s for _, s in statements if "Principal" in s or "NotPrincipal" in s]
    if with_principal:
        actions = [a for s in with_principal for a in _as_strings(s.get("Action")) or ()]
        if actions and all(a.lower().startswith("sts:assumerole") or
                           a.lower() in {"sts:tagsession", "sts:setsourceidentity"}
                           for a in actions):
            return PolicyKind.TRUST, "statements name a Principal and only sts:AssumeRole* actions"
        return PolicyKind.RESOURCE, "statements name a Principal"
    return PolicyKind.IDENTITY, "no statement names a Principal"


# ------------------------------------------------------------------------------ internals


@dataclass(frozen=True, slots=True)
class _Where:
    source: str
    prefix: str
    locations: Mapping[str, Location]
    key_locations: Mapping[str, Location]

    def problem(self, code: str, message: str, pointer: str, *, at_key: bool = False) -> Problem:
        absolute = self.prefix + pointer
        location = self.key_locations.get(absolute) if at_key else None
        location = location or self._nearest(absolute)
        line, column = location if location else (None, None)
        return Problem(code=code, message=message, pointer=absolute, line=line, column=column,
                       source=self.source)

    def _nearest(self, pointer: str) -> Location | None:
        while True:
            found = self.locations.get(pointer)
            if found is not None or not pointer or pointer == self.prefix:
                return found
            pointer = pointer.rpartition("/")[0]


def _prefix_keys(mapping: Mapping[str, Location], prefix: str) -> dict[str, Location]:
    return {prefix + key: value for key, value in mapping.items()} if prefix else dict(mapping)


def _prefixed(problem: Problem, prefix: str) -> Problem:
    if not prefix:
        return problem
    return Problem(code=problem.code, message=problem.message, pointer=prefix + problem.pointer,
                   line=problem.line, column=problem.column, source=problem.source)


_OTHER_VERSIONS = ("2008-10-17",)
_PER_STATEMENT: Mapping[Counted, tuple[str, ...]] = {
    Counted.ACTIONS: ("Action", "NotAction"),
    Counted.RESOURCES: ("Resource", "NotResource"),
}


def _count_principals(body: dict[str, Any]) -> int:
    total = 0
    for element in ("Principal", "NotPrincipal"):
        value = body.get(element)
        if isinstance(value, str):
            total += 1
        elif isinstance(value, dict):
            total += sum(len(_as_strings(v) or ()) for v in value.values())
    return total


def _count_conditions(body: dict[str, Any]) -> int:
    block = body.get("Condition")
    if not isinstance(block, dict):
        return 0
    return sum(len(keys) for keys in block.values() if isinstance(keys, dict))


_PER_POLICY: Mapping[Counted, Callable[[dict[str, Any]], int]] = {
    Counted.STATEMENTS: lambda body: 1,
    Counted.PRINCIPALS: _count_principals,
    Counted.CONDITIONS: _count_conditions,
}

# Problems about a member's presence rather than its value are shown at its key.
_AT_KEY_CODES = frozenset({"unknown-element", "forbidden-element", "duplicate-key",
                           "conflicting-elements", "unknown-operator"})


class _Checker:
    """Collects problems for one document; `run` returns the model when there are none."""

    def __init__(self, rules: KindRules, quotas: Quotas, where: _Where) -> None:
        self.rules = rules
        self.quotas = quotas
        self.where = where
        self.problems: list[Problem] = []
        self._seen: set[str] = set()

    # -- bookkeeping

    def add(self, code: str, message: str, pointer: str) -> None:
        """One problem per pointer: the first (most specific) explanation wins."""
        if pointer in self._seen:
            return
        self._seen.add(pointer)
        self.problems.append(self.where.problem(code, message, pointer,
                                                at_key=code in _AT_KEY_CODES))

    def sorted_problems(self) -> list[Problem]:
        def key(problem: Problem) -> tuple[int, int, str]:
            return (problem.line or 0, problem.column or 0, problem.pointer)

        return sorted(self.problems, key=key)

    # -- the pass

    def run(self, raw: Any, text: str | None) -> PolicyDocument | None:
        self._check_values(raw)
        if isinstance(raw, dict):
            self._check_document(raw)
        model = self._check_model(raw)
        if isinstance(raw, dict) and not self.problems:
            self._check_size(raw, text)
        return None if self.problems else model

    def _check_model(self, raw: Any) -> PolicyDocument | None:
        try:
            return PolicyDocument.model_validate(raw)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                code, message, pointer = translate_policy_error(detail, raw)
                self.add(code, message, pointer)
            return None
        except (TypeError, ValueError) as error:  # defensive: odd input types
            self.add("wrong-type", f"the policy cannot be read ({error})", "")
            return None

    # -- whole-value checks

    def _check_values(self, raw: Any) -> None:
        """Nulls and characters IAM does not accept, anywhere in the document."""
        stack: list[tuple[str, Any]] = [("", raw)]
        while stack:
            pointer, value = stack.pop()
            if value is None:
                self.add(_code_at(pointer, "wrong-type"),
                         "`null` is not a value a policy element takes", pointer)
            elif isinstance(value, str):
                self._check_characters(value, pointer)
            elif isinstance(value, dict):
                for key, item in value.items():
                    child = join_pointer(pointer, key)
                    self._check_characters(str(key), child)
                    stack.append((child, item))
            elif isinstance(value, list):
                stack.extend((join_pointer(pointer, i), item) for i, item in enumerate(value))

    def _check_characters(self, text: str, pointer: str) -> None:
        bad = DISALLOWED_CHARACTER.search(text)
        if bad:
            char = bad.group()
            self.add("invalid-character",
                     f"`{_clip(text)}` contains {_describe_char(char)}; policies may contain only "
                     "tab, line feed, carriage return and characters U+0020 to U+00FF",
                     pointer)

    # -- document

    def _check_document(self, raw: dict[str, Any]) -> None:
        rules = self.rules
        version = raw.get("Version")
        if rules.version is Presence.REQUIRED and version in (None, *_OTHER_VERSIONS):
            found = "it has none" if version is None else f"not `{version}`"
            self.add("kind-restriction", f"{_a(rules.title)} must state "
                     f"`\"Version\": \"{VERSION_2012}\"` ({found})", "/Version")
        if "Id" in raw and rules.policy_id is Presence.FORBIDDEN:
            self.add("forbidden-element", f"`Id` is not allowed in {_a(rules.title)}", "/Id")
        statement = raw.get("Statement")
        if isinstance(statement, list) and not statement:
            self.add("empty-value", "`Statement` is an empty list; a policy needs at least one "
                     "statement", "/Statement")
        statements = list(_raw_statements(raw))
        for rule in rules.counts:
            self._check_count(rule, statements)
        variables = version == VERSION_2012
        sids: dict[str, str] = {}
        for pointer, body in statements:
            self._check_statement(body, pointer, variables)
            self._check_sid(body, pointer, sids)

    def _check_count(self, rule: CountRule, statements: list[tuple[str, dict[str, Any]]]) -> None:
        limit = rule.limit(self.quotas)
        what = rule.counted.value
        if rule.counted in _PER_STATEMENT:
            elements = _PER_STATEMENT[rule.counted]
            for pointer, body in statements:
                count = sum(len(_as_strings(body.get(e)) or ()) for e in elements)
                if count > limit:
                    where = next((e for e in elements if e in body), elements[0])
                    self.add("kind-restriction", f"the statement lists {count} {what}; "
                             f"{_a(self.rules.title)} allows at most {limit} per statement "
                             f"({rule.doc})", join_pointer(pointer, where))
            return
        count = sum(_PER_POLICY[rule.counted](body) for _, body in statements)
        if count > limit:
            self.add("kind-restriction", f"the policy has {count} {what}; {_a(self.rules.title)} "
                     f"allows at most {limit} ({rule.doc})", "/Statement")

    def _check_sid(self, body: dict[str, Any], pointer: str, sids: dict[str, str]) -> None:
        sid = body.get("Sid")
        if not isinstance(sid, str):
            return
        where = join_pointer(pointer, "Sid")
        if not _SID[self.rules.sid].fullmatch(sid):
            allowed = ("only ASCII letters and digits" if self.rules.sid is SidRule.ALPHANUMERIC
                       else "no control characters")
            self.add("invalid-sid", f"`{sid}` is not a valid Sid: {_a(self.rules.title)} allows "
                     f"{allowed}", where)
        if not sid:
            return
        if sid in sids:
            self.add("duplicate-sid", f"Sid `{sid}` is already used by "
                     f"{pointer_to_path(sids[sid])}; Sids must be unique within a policy", where)
        else:
            sids[sid] = pointer

    # -- statement

    def _check_statement(self, body: dict[str, Any], pointer: str, variables: bool) -> None:
        rules = self.rules
        for first, second in CONFLICTING_PAIRS:
            if first in body and second in body:
                self.add("conflicting-elements",
                         f"`{first}` and `{second}` cannot both appear in one statement",
                         join_pointer(pointer, second))
        self._check_presence(body, pointer)
        effect = body.get("Effect")
        if (effect in ("Allow", "Deny") and effect not in rules.effects
                and not _is_rcp_full_access(rules, body)):
            self.add("kind-restriction",
                     f"`{effect}`: {_a(rules.title)} allows only "
                     f"{' or '.join(sorted(rules.effects))} statements",
                     join_pointer(pointer, "Effect"))
        if ("NotPrincipal" in body and rules.not_principal is Presence.OPTIONAL
                and effect == "Allow"):
            self.add("kind-restriction", "`NotPrincipal` may be used only with "
                     "`\"Effect\": \"Deny\"`", join_pointer(pointer, "NotPrincipal"))
        for element in ("Action", "NotAction"):
            self._check_actions(body, pointer, element)
        for element in ("Resource", "NotResource"):
            self._check_resources(body, pointer, element, variables)
        for element in ("Principal", "NotPrincipal"):
            self._check_principal(body.get(element), join_pointer(pointer, element))
        if isinstance(body.get("Condition"), dict):
            self._check_condition(body["Condition"], join_pointer(pointer, "Condition"),
                                  variables)

    def _check_presence(self, body: dict[str, Any], pointer: str) -> None:
        rules = self.rules
        title = rules.title
        if "Action" not in body and "NotAction" not in body:
            self.add("missing-element", "a statement needs `Action` or `NotAction`",
                     join_pointer(pointer, "Action"))
        if "NotAction" in body and not rules.not_action:
            self.add("kind-restriction", f"`NotAction` is not supported in {_a(title)}",
                     join_pointer(pointer, "NotAction"))
        has_resource = "Resource" in body or "NotResource" in body
        if not has_resource and rules.resource is Presence.REQUIRED:
            self.add("missing-element", f"a statement of {_a(title)} needs `Resource` or "
                     "`NotResource`", join_pointer(pointer, "Resource"))
        if "NotResource" in body and not rules.not_resource:
            self.add("kind-restriction", f"`NotResource` is not supported in {_a(title)}",
                     join_pointer(pointer, "NotResource"))
        for element, presence in (("Principal", rules.principal),
                                  ("NotPrincipal", rules.not_principal)):
            if element in body and presence is Presence.FORBIDDEN:
                self.add("forbidden-element", f"`{element}` is not allowed in {_a(title)}",
                         join_pointer(pointer, element))
        has_principal = "Principal" in body or "NotPrincipal" in body
        if rules.principal is Presence.REQUIRED and not has_principal:
            self.add("missing-element", f"a statement of {_a(title)} needs a `Principal`",
                     join_pointer(pointer, "Principal"))

    def _check_actions(self, body: dict[str, Any], pointer: str, element: str) -> None:
        values = _as_strings(body.get(element))
        if values is None:
            return
        base = join_pointer(pointer, element)
        for item_pointer, action in _items(body[element], base):
            if action == "":
                self.add("empty-value", f"an empty string is not an action in `{element}`",
                         item_pointer)
            elif not _ACTION.fullmatch(action):
                self.add("invalid-action", f"`{_clip(action)}` is not an action: write "
                         "`service:ActionName` (wildcards `*` and `?` allowed) or `*`",
                         item_pointer)
            elif (action == "*" and not self.rules.bare_star_action and element == "Action"
                  and not _is_rcp_full_access(self.rules, body)):
                self.add("kind-restriction", f"{_a(self.rules.title)} cannot use `*` alone as "
                         "its action; name the service's actions", item_pointer)

    def _check_resources(self, body: dict[str, Any], pointer: str, element: str,
                         variables: bool) -> None:
        values = _as_strings(body.get(element))
        if values is None:
            return
        base = join_pointer(pointer, element)
        for item_pointer, resource in _items(body[element], base):
            problem = _resource_problem(resource, variables)
            if problem:
                code, message = problem
                self.add(code, message, item_pointer)
            elif self.rules.resource_star_only and resource != "*":
                self.add("kind-restriction", f"`{_clip(resource)}`: in {_a(self.rules.title)} the "
                         "Resource is `*`, meaning this key", item_pointer)

    def _check_principal(self, value: Any, pointer: str) -> None:
        if value is None:
            return
        if isinstance(value, str):
            if value != "*":
                self.add("invalid-principal", f"`{_clip(value)}`: a principal given as text must "
                         "be `*`; name others in a block such as `{\"AWS\": \"…\"}`", pointer)
            return
        if not isinstance(value, dict):
            return
        if self.rules.principal_star_only:
            self.add("kind-restriction", f"{_a(self.rules.title)} must use `\"Principal\": \"*\"`",
                     pointer)
            return
        for key in PRINCIPAL_KEYS:
            if key not in value:
                continue
            if key == "CanonicalUser" and not self.rules.canonical_user:
                self.add("invalid-principal", f"`CanonicalUser` principals exist only in S3 "
                         f"bucket policies, not in {_a(self.rules.title)}",
                         join_pointer(pointer, key))
                continue
            if _as_strings(value[key]) is None:
                continue
            for item_pointer, text in _items(value[key], join_pointer(pointer, key)):
                message = _PRINCIPAL_CHECKS[key](text)
                if message:
                    self.add("invalid-principal", message, item_pointer)

    def _check_condition(self, block: dict[str, Any], pointer: str, variables: bool) -> None:
        for operator, keys in block.items():
            op_pointer = join_pointer(pointer, operator)
            try:
                parsed = parse_operator(operator)
            except OperatorError as error:
                self.add("unknown-operator", _operator_message(error), op_pointer)
                continue
            if not isinstance(keys, dict):
                continue  # pydantic reports the type
            if not keys:
                self.add("empty-value", f"`{operator}` names no condition key", op_pointer)
            for key, values in keys.items():
                key_pointer = join_pointer(op_pointer, key)
                if not _CONDITION_KEY.fullmatch(key):
                    self.add("malformed-condition", f"`{_clip(key)}` is not a condition key "
                             "(expected `prefix:name`, e.g. `aws:SourceIp`)", key_pointer)
                elif isinstance(values, list) and not values:
                    self.add("empty-value", f"`{key}` under `{operator}` has no values",
                             key_pointer)
                elif _is_scalar_or_scalars(values):
                    self._check_condition_values(parsed.spec, operator, values, key_pointer,
                                                 variables)

    def _check_condition_values(self, spec: OperatorSpec, operator: str, values: Any,
                                pointer: str, variables: bool) -> None:
        """The operator table's value rules, the ones the engine compiles by."""
        text_only = spec.values.text_only
        if text_only:
            for item_pointer, item in _scalar_items(values, pointer):
                if not isinstance(item, str):
                    self.add("malformed-condition", f"`{operator}` takes text values "
                             f"({text_only}), not {_describe(item)}", item_pointer)
                    return
        if variables:
            for item_pointer, text in _items(values, pointer):
                message = variable_problem(text)
                if message:
                    self.add("malformed-condition", message, item_pointer)
                    return
        texts = tuple(canonical_text(item) for _, item in _scalar_items(values, pointer))
        message = value_problem(spec, texts, variables_enabled=variables)
        if message:
            self.add("malformed-condition", message, pointer)

    # -- size

    def _check_size(self, raw: dict[str, Any], text: str | None) -> None:
        rule = self.rules.size
        limit = rule.limit(self.quotas)
        size = measure_size(raw, text, rule.count)
        if size > limit:
            self.add("oversize", f"the policy is {size:,} {rule.count.value}; a "
                     f"{self.rules.title} may have at most {limit:,} ({rule.doc})", "")


def measure_size(raw: Any, text: str | None, count: SizeCount) -> int:
    """A policy's size as AWS counts it for `count`.

    IAM does not count white space (IAM quotas page): every character but space, tab, LF
    and CR is counted, wherever it is. Organizations counts every character; services
    that state bytes count UTF-8 bytes. Without the original JSON text (YAML input, or a
    value) the compact JSON form is measured, which is what would be uploaded at best.
    """
    written = text if text is not None else json.dumps(raw, separators=(",", ":"),
                                                       ensure_ascii=False)
    if count is SizeCount.NON_WHITESPACE:
        return len(written) - sum(written.count(c) for c in " \t\n\r")
    if count is SizeCount.BYTES:
        return len(written.encode("utf-8"))
    return len(written)


# -------------------------------------------------------------------- value-level checks


def _resource_problem(resource: str, variables: bool) -> tuple[str, str] | None:
    if resource == "":
        return "empty-value", "an empty string is not a resource"
    if resource == "*":
        return None
    if not is_arn_pattern_shape(resource) or not _arn_parts_ok(resource):
        return "invalid-arn", (f"`{_clip(resource)}` is not an ARN: write "
                               "`arn:partition:service:region:account:resource` or `*`")
    if variables and "${" in resource:
        head = resource.split(":", 5)
        if any("${" in part for part in head[:5]):
            return "invalid-arn", (f"`{_clip(resource)}`: policy variables may appear only in "
                                   "the resource part of an ARN (after the fifth colon)")
        message = variable_problem(resource)
        if message:
            return "invalid-arn", message
    return None


def _arn_parts_ok(resource: str) -> bool:
    """Known (or wildcard) partition, a service with no wildcard, a resource part.

    The Resource page: wildcards may be used within segments, but not in the service
    segment. `arn:aws:s3:*` (fewer than six parts, ending in `*`) covers the rest.
    """
    parts = resource.split(":", 5)
    if len(parts) < 4:
        return False
    partition, service = parts[1], parts[2]
    if "*" not in partition and "?" not in partition and partition not in PARTITIONS:
        return False
    if not service or "*" in service or "?" in service:
        return False
    return len(parts) < 6 or bool(parts[5])


_ACTION = re.compile(ACTION)
_CONDITION_KEY = re.compile(CONDITION_KEY)
_SID = {rule: re.compile(pattern) for rule, pattern in SID_PATTERNS.items()}
_UNIQUE_ID = re.compile(UNIQUE_ID)
_HOSTNAME = re.compile(PROVIDER_HOST)
_CANONICAL_USER = re.compile(CANONICAL_USER)
_PROVIDER_ARN = re.compile(PROVIDER_ARN)
_IAM_PRINCIPAL_ARN = re.compile(r"arn:([a-z-]+):(iam|sts)::(\d{12}|cloudfront):(.+)")


def _aws_principal_problem(text: str) -> str | None:
    if text == "*" or is_account_id(text) or _UNIQUE_ID.fullmatch(text):
        return None
    if "*" in text or "?" in text:
        return (f"`{_clip(text)}`: principals cannot use partial wildcards; use `*` alone, or "
                "`*` with a condition on `aws:PrincipalArn`")
    match = _IAM_PRINCIPAL_ARN.fullmatch(text)
    if not match or match.group(1) not in PARTITIONS:
        return (f"`{_clip(text)}` is not an AWS principal: use an account id, an IAM or STS "
                "ARN such as `arn:aws:iam::123456789012:role/name`, or `*`")
    service, resource = match.group(2), match.group(4)
    kind = resource.split("/", 1)[0]
    if kind not in PRINCIPAL_RESOURCE_TYPES[service]:
        what = "user groups are never principals" if kind == "group" else (
            f"`{kind}` is not a principal type")
        return (f"`{_clip(text)}`: {what}; name an account (`:root`), a user, a role, an "
                "assumed-role session or a federated user")
    return None


def _service_principal_problem(text: str) -> str | None:
    if text == "*":
        return "`\"Service\": \"*\"` is not allowed; name the service, e.g. `lambda.amazonaws.com`"
    if is_service_principal(text):
        return None
    return f"`{_clip(text)}` is not a service principal (expected e.g. `lambda.amazonaws.com`)"


def _federated_principal_problem(text: str) -> str | None:
    if text == "*" or "*" in text:
        return f"`{_clip(text)}`: federated principals cannot use wildcards"
    if _PROVIDER_ARN.fullmatch(text) or _HOSTNAME.fullmatch(text):
        return None
    return (f"`{_clip(text)}` is not an identity provider: use an `oidc-provider`/`saml-provider` "
            "ARN or a provider such as `accounts.google.com`")


def _canonical_user_problem(text: str) -> str | None:
    if _CANONICAL_USER.fullmatch(text):
        return None
    return f"`{_clip(text)}` is not a canonical user id (64 hexadecimal characters)"


_PRINCIPAL_CHECKS: Mapping[str, Callable[[str], str | None]] = {
    "AWS": _aws_principal_problem,
    "Service": _service_principal_problem,
    "Federated": _federated_principal_problem,
    "CanonicalUser": _canonical_user_problem,
}


def _operator_message(error: OperatorError) -> str:
    message = error.message
    base = error.written.rpartition(":")[2].removesuffix("IfExists")
    close = difflib.get_close_matches(base, list(OPERATORS), n=1, cutoff=0.75)
    if close and close[0] != base:
        message += f" (did you mean `{close[0]}`?)"
    return message


def _is_rcp_full_access(rules: KindRules, body: dict[str, Any]) -> bool:
    """RCPFullAWSAccess, the AWS managed RCP, is the one RCP that may Allow `*`."""
    if rules.kind is not PolicyKind.RCP:
        return False
    comparable = {k: v for k, v in body.items() if k != "Sid"}
    return comparable == dict(RCP_FULL_AWS_ACCESS_STATEMENT)


# ------------------------------------------------------------------------------ helpers


def _code_at(pointer: str, default: str) -> str:
    return "malformed-condition" if "/Condition" in pointer else default

"""A policy file (JSON or YAML): one document, of the kind given or guessed as `validate`
guesses it."""

from __future__ import annotations

from pathlib import Path

from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from policy_engine.lint.document import LintDocument, LintInput
from policy_engine.model.kinds import PolicyKind
from policy_engine.parse import guess_kind, other_document_hint
from policy_engine.source import DEFAULT_MAX_CHARS, load_text, oversize_problem


class LintInputError(PolicyEngineError):
    """An input file the linter cannot use at all (not a policy-shaped document)."""


def read(text: str, path: Path, kind: PolicyKind | None) -> LintInput:
    source = str(path)
    if len(text) > DEFAULT_MAX_CHARS:
        raise LintInputError(oversize_problem(len(text), DEFAULT_MAX_CHARS, source))
    text = text.removeprefix("\ufeff")
    origin = load_text(text, source=source)  # syntax errors: bad input, exit 2
    hint = other_document_hint(origin.value)
    if hint is not None:
        raise LintInputError(Problem(ProblemCode.WRONG_TYPE, hint, source=source))
    if kind is not None:
        chosen, reason = kind, "given with --kind"
    else:
        chosen, why = guess_kind(source, origin.value)
        reason = f"guessed, {why}; use --kind to choose"
    document = LintDocument(source=source, value=origin.value, kind=chosen, origin=origin,
                            kind_reason=reason, name=path.stem, text=text)
    return LintInput(source, (document,), text, "policy")

"""The unit the linter works on: one policy document taken out of one input file.

A policy file gives one; a CloudFormation template, a Terraform plan or an account
snapshot give many, each with the pointer where it sits in the file, so every finding
can be placed at the line and column of the element in the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policy_engine.model.kinds import PolicyKind
from policy_engine.source import SourceDocument


@dataclass(frozen=True)
class LintDocument:
    """`value`: the policy's JSON value; `pointer`: where it sits in `origin` (the file's
    parsed form, for locations; "" for a policy file). `subject` names what carries it;
    `kind_reason` says how the kind was chosen (shown by the text output)."""

    source: str
    value: Any
    kind: PolicyKind
    origin: SourceDocument
    pointer: str = ""
    subject: str | None = None
    kind_reason: str = ""
    name: str | None = None
    # The document is one AWS already stores (a snapshot's): strings AWS evidently
    # accepted load with a warning instead of an error (`parse_policy(stored=True)`).
    stored: bool = False
    # A string the text formatter can show lines from (the file's text).
    text: str | None = field(default=None, repr=False)
    # Absolute pointers of values that stand in for what cannot be known from the file (a
    # CloudFormation intrinsic function of unknown shape): findings at or under them are
    # about the stand-in, not the policy, and are not reported.
    placeholders: frozenset[str] = frozenset()

    def hides(self, pointer: str) -> bool:
        """Whether a finding at `pointer` is about a placeholder."""
        return any(pointer == held or pointer.startswith(held + "/")
                   for held in self.placeholders)


@dataclass(frozen=True)
class LintInput:
    """Everything read from one input file: its documents and its text."""

    source: str
    documents: tuple[LintDocument, ...]
    text: str | None = field(default=None, repr=False)
    input_type: str = "policy"
    # What the reader skipped or could not know, one sentence each (a value known only
    # after apply, a managed policy a template attaches by ARN).
    notes: tuple[str, ...] = ()

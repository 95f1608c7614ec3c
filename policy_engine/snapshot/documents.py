"""The policy documents of a snapshot, each validated with `parse_policy` under its kind.

A document is validated once per distinct content, kind and quotas: accounts often repeat
the same inline policy or trust policy many times. Problems carry the document's JSON
pointer, line and column in its file. Every document here is one AWS stores (or a copy of
one), so the strings outside the grammar that AWS evidently accepted load with a warning
(`parse_policy(stored=True)`, `policy_engine.model.oddities`).
"""

from __future__ import annotations

import json
from typing import Any

from policy_engine.errors import PolicyValidationError
from policy_engine.model.kinds import DEFAULT_QUOTAS, PolicyKind, Quotas
from policy_engine.parse import parse_policy
from policy_engine.snapshot.messages import ProblemLog
from policy_engine.snapshot.model import SnapshotPolicy
from policy_engine.snapshot.read import Input

__all__ = ["PolicyDocuments"]


class PolicyDocuments:
    """Validates documents for one load, logging problems into its `log`."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        self._documents: dict[tuple[PolicyKind, Quotas, str], Any] = {}

    def parse(self, raw: Any, kind: PolicyKind, name: str, item: Input, pointer: str, *,
              arn: str | None = None, quotas: Quotas = DEFAULT_QUOTAS) -> SnapshotPolicy | None:
        """Validate one document under `kind`, once per distinct content and kind."""
        key = (kind, quotas, json.dumps(raw, sort_keys=True, separators=(",", ":")))
        document = self._documents.get(key)
        if document is None:
            try:
                parsed = parse_policy(raw, kind=kind, source=item.source, pointer_prefix=pointer,
                                      name=name, quotas=quotas, stored=True)
            except PolicyValidationError as error:
                self.log.problems.extend(item.place(problem) for problem in error.problems)
                return None
            document = self._documents[key] = parsed.document
        return SnapshotPolicy(name, kind, document, item.origin(pointer), arn)

"""The structure the pydantic models decide (elements, types, enums), as findings.

It runs after the rules that know more about a value than its type, so that their more
specific explanation is the one kept for a pointer; `policy_engine.policy_errors`
translates pydantic's errors into the project's codes and pointers.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from policy_engine.model.kinds import KindRules, Quotas
from policy_engine.policy_errors import translate_policy_error
from policy_engine.validation.view import DocumentView, Finding


def model_structure(document: DocumentView, rules: KindRules,
                    quotas: Quotas) -> Iterator[Finding]:
    outcome = document.model
    if isinstance(outcome, ValidationError):
        for detail in outcome.errors(include_url=False):
            yield Finding(*translate_policy_error(detail, document.raw))
    elif isinstance(outcome, (TypeError, ValueError)):  # defensive: odd input types
        yield Finding("wrong-type", f"the policy cannot be read ({outcome})", "")

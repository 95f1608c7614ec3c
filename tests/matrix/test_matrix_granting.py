"""The granting statements named from the compiled statements (`matrix.granting`) are the
ones the explanation trace marks as matched Allows, for every allowed request of a
randomized organization. An Allow statement grants when its Action, Resource, Principal
and Condition elements all match, in a policy that applies; SCPs and RCPs never grant:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

from pathlib import Path

from matrix_org_builder import write_org

from policy_engine.analysis.resolve import Resolver
from policy_engine.matrix.compute import (
    REQUEST_CONTEXT,
    statements_from_explanation,
    statements_of,
)
from policy_engine.matrix.inventory import matrix_principals, matrix_resources
from policy_engine.snapshot import load_snapshot


def test_statements_named_without_the_explanation_equal_the_explanations(
        tmp_path: Path) -> None:
    resolver = Resolver(load_snapshot([write_org(tmp_path, seed=14, users=2, roles=2)]))
    resources = matrix_resources(resolver)
    allowed = 0
    for principal in matrix_principals(resolver):
        for resource in resources:
            for action in resource.actions[:6]:
                target = resolver.target(action.full_name, resource.key, resource.account)
                result = resolver.evaluate(principal.caller, action.full_name, target,
                                           REQUEST_CONTEXT)
                if not result.allowed:
                    continue
                allowed += 1
                assert statements_of(principal.caller, result) == \
                    statements_from_explanation(principal.caller, result), (
                        principal.key, resource.key, action.full_name)
    assert allowed > 100

"""The statements that granted an allowed request, named without building its explanation.

The explanation (`engine.explain`) renders every statement of every policy with the
reason it did or did not apply; the matrix only needs the names of the Allow statements
that applied, and reading them from the explanation was a third of a matrix run's CPU.
This module asks the same questions of the same compiled statements, in the same order,
and stops at the first one that fails: an Allow statement applies when its Action,
Resource, Principal and Condition elements all match the request, in a policy the
request's scope includes, and SCPs and RCPs never grant
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).

S3 ACL grants and KMS grants are read from the explanation's own S3 and grant traces,
built alone. A statement's oddities only add warnings to its trace, never change whether
it matched. The matrix tests compare this reading with the explanation's.
"""

from __future__ import annotations

from policy_engine.analysis.resolve import Caller
from policy_engine.engine.evaluate import EvaluationResult, candidates
from policy_engine.engine.explain import trace_grants
from policy_engine.engine.match_principal import principal_via
from policy_engine.engine.s3_access import resource_kind, s3_trace
from policy_engine.engine.scope import scope_of
from policy_engine.engine.slots import Slot

Named = tuple[str, str, str]  # (policy slot label, policy name, statement)


def granting_statements(caller: Caller, result: EvaluationResult) -> tuple[Named, ...]:
    """(slot label, policy name, `Sid` or `#index`) of every Allow statement that applied
    and of every S3 ACL grant that counted, as `who_can.Grant.granting_statements` reads
    them off the explanation."""
    request, policies = result.request, result.policies
    scope = scope_of(request, policies)
    principal, resource, context = request.principal, request.resource, request.context
    has_boundary = policies.permissions_boundary is not None and principal.is_iam_identity
    found: list[Named] = []
    for placement in policies.layout.placements:
        if not scope.includes(placement.slot):
            continue
        slot = request.resource_slot if placement.slot is Slot.RESOURCE else placement.slot
        # An outsider's identity side is the assumed stand-in, not a statement anyone wrote.
        if slot.is_organization_level or (caller.is_outside and slot is Slot.IDENTITY):
            continue
        policy = placement.policy
        for statement in candidates(policy, request.action_lower):
            if not statement.is_allow:
                continue
            if statement.resources is not None and not statement.resources.applies(
                    resource, context, is_allow=True):
                continue
            if statement.principals is not None and principal_via(
                    statement, principal, has_boundary) is None:
                continue
            if statement.conditions is not None and not statement.conditions.holds(context):
                continue
            entry = (slot.label, policy.name, statement.sid or f"#{statement.index}")
            if entry not in found:
                found.append(entry)
    if policies.s3 is not None and resource_kind(request) is not None:
        # An S3 ACL grant that counted grants as a resource policy would: the
        # explanation's own S3 trace, without the rest of the explanation.
        for grant in s3_trace(request, policies.s3).get("acl_grants", ()):
            if grant["applies"] and grant["ignored_by"] is None:
                entry = ("acl", grant["acl"], f"{grant['permission']} to {grant['grantee']}")
                if entry not in found:
                    found.append(entry)
    return tuple(found)


def applying_grants(result: EvaluationResult) -> tuple[str, ...]:
    """The names of the KMS grants that apply to the request, as the explanation lists
    them (its grant traces, without the rest of the explanation)."""
    return tuple(trace.name or trace.grant_id or trace.label
                 for trace in trace_grants(result.policies, result.request) if trace.applies)

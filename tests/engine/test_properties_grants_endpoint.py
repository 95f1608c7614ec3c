"""Properties of KMS grants and VPC endpoint policies (issue 11), over the scenarios of
`test_properties`.

- A grant can allow access to a KMS key, but not deny access
  (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html): adding a grant never
  turns an `allowed` into a refusal, nor an explicit deny into anything else.
- An endpoint policy does not override or replace identity-based or resource-based
  policies; it controls which principals can use the endpoint
  (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html): adding
  one never turns a refusal into `allowed`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from policy_engine.engine.compiler import compile_policy
from policy_engine.engine.evaluate import evaluate_decision
from policy_engine.engine.grants import compile_grant
from policy_engine.engine.result import Decision
from policy_engine.model.grants import GRANT_OPERATIONS, KmsGrant
from policy_engine.model.policy import PolicyDocument
from tests.engine.test_properties import (
    APP_ROLE,
    IAM_PRINCIPALS,
    KEY_A,
    KEY_B,
    OPS_ROLE,
    ROOT_A,
    ROOT_B,
    VERSION,
    build,
    describe,
    policies,
    scenarios,
)

KMS_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:RetireGrant",
               "kms:CreateGrant", "kms:ScheduleKeyDeletion")
GRANTEES = (*[p for p in IAM_PRINCIPALS if p != "*"], APP_ROLE, OPS_ROLE, ROOT_A, ROOT_B,
            "lambda.amazonaws.com")
EC_VALUES = st.dictionaries(st.sampled_from(["project", "Project", "stage"]),
                            st.sampled_from(["alpha", "Alpha", "prod"]), max_size=2)


@st.composite
def grants(draw: st.DrawFn) -> dict[str, Any]:
    grantee = draw(st.sampled_from(GRANTEES))
    grant: dict[str, Any] = {
        "GranteeServicePrincipal" if grantee.endswith(".amazonaws.com") else
        "GranteePrincipal": grantee,
        "Operations": draw(st.lists(st.sampled_from(GRANT_OPERATIONS), min_size=1,
                                    max_size=4, unique=True)),
        "GrantId": f"g{draw(st.integers(0, 99))}",
    }
    if draw(st.booleans()):
        grant["RetiringPrincipal"] = draw(st.sampled_from(GRANTEES[:-1]))
    constraint = draw(st.sampled_from((None, "EncryptionContextEquals",
                                       "EncryptionContextSubset")))
    if constraint is not None:
        grant["Constraints"] = {constraint: draw(EC_VALUES)}
    return grant


@st.composite
def key_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario whose request is a KMS operation on a key, with an encryption context."""
    scenario = draw(scenarios())
    scenario["action"] = draw(st.sampled_from(KMS_ACTIONS))
    scenario["resource"] = draw(st.sampled_from((KEY_A, KEY_B)))
    scenario["resource_account"] = None
    context = {f"kms:EncryptionContext:{k}": v for k, v in draw(EC_VALUES).items()}
    scenario["context"] = {**scenario["context"], **context}
    return scenario


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key_scenarios(), st.lists(grants(), min_size=1, max_size=3))
def test_adding_a_grant_never_removes_access(scenario: dict[str, Any],
                                             drawn: list[dict[str, Any]]) -> None:
    """grants.html: "A grant can allow access to a KMS key, but not deny access"."""
    request, policy_set = build(scenario)
    before = evaluate_decision(request, policy_set)
    compiled = tuple(compile_grant(KmsGrant.model_validate(g)) for g in drawn)
    after = evaluate_decision(request, dataclasses.replace(policy_set, grants=compiled))
    note(describe(scenario))
    note(repr(drawn))
    if before is not Decision.IMPLICIT_DENY:
        assert after is before


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_adding_a_vpc_endpoint_policy_never_adds_access(scenario: dict[str, Any],
                                                        data: st.DataObject) -> None:
    """vpc-endpoints-access.html: an endpoint policy "does not override or replace
    identity-based policies or resource-based policies"."""
    request, policy_set = build(scenario)
    before = evaluate_decision(request, policy_set)
    endpoint = data.draw(policies("resource"))
    if data.draw(st.booleans()):  # often the default endpoint policy, full access
        endpoint = {"Version": VERSION, "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    compiled = compile_policy(PolicyDocument.model_validate(endpoint), name="endpoint")
    after = evaluate_decision(request, dataclasses.replace(policy_set,
                                                          vpc_endpoint_policy=compiled))
    note(describe(scenario))
    note(repr(endpoint))
    if after is Decision.ALLOWED:
        assert before is Decision.ALLOWED
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY

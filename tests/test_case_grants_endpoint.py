"""Case files with KMS grants and a VPC endpoint policy: bad input is one located problem,
good input shows the grant and the endpoint policy in the explanation.

Pages: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html (grant operations,
the grantee), https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html,
https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policy_engine.case import parse_case_text, parse_case_value
from policy_engine.engine.evaluate import evaluate
from policy_engine.errors import PolicyEngineError, ProblemCode

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
APP = "arn:aws:iam::111122223333:role/app"
KEY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "kms:*", "Resource": "*"}]}


def _case(grants: Any, *, resource: str = KEY, action: str = "kms:Decrypt",
          **more: Any) -> dict[str, Any]:
    return {"request": {"principal": APP, "action": action, "resource": resource,
                        "resource_account": "111122223333",
                        "context": {"kms:EncryptionContext:project": "alpha"}},
            "resource_policy": KEY_POLICY, "grants": grants, **more}


def _grant(**fields: Any) -> dict[str, Any]:
    return {"GranteePrincipal": APP, "Operations": ["Decrypt"], **fields}


def _problem(case: dict[str, Any]) -> tuple[str, str, str]:
    text = json.dumps(case, indent=1)
    with pytest.raises(PolicyEngineError) as raised:
        parse_case_text(text, source="case.json")
    problem = raised.value.problems[0]
    assert problem.line is not None  # located in the file
    return problem.code, problem.pointer, problem.message


def test_unknown_grant_operation_is_located() -> None:
    """grants.html: a grant can only allow grant operations; CreateGrant refuses others."""
    _code, pointer, message = _problem(_case([_grant(Operations=["Decrypt", "PutKeyPolicy"])]))
    assert pointer == "/grants/0/Operations/1"
    assert "`PutKeyPolicy` is not a grant operation" in message


def test_misspelt_grant_operation_suggests_aws_spelling() -> None:
    _, pointer, message = _problem(_case([_grant(Operations=["kms:Decrypt"])]))
    assert pointer == "/grants/0/Operations/0"
    assert "did you mean `Decrypt`" in message


def test_unknown_grant_key_is_located() -> None:
    code, pointer, message = _problem(_case([_grant(Grantee=APP)]))
    assert code == ProblemCode.UNKNOWN_ELEMENT
    assert pointer == "/grants/0/Grantee"
    assert "unknown key `Grantee`" in message


def test_both_constraints_are_refused() -> None:
    """API_GrantConstraints / create-grant-overview.html#grant-constraints: a grant
    constraint is EncryptionContextEquals or EncryptionContextSubset."""
    _code, pointer, message = _problem(_case([_grant(Constraints={
        "EncryptionContextEquals": {"a": "b"}, "EncryptionContextSubset": {"a": "b"}})]))
    assert pointer == "/grants/0/Constraints"
    assert "not both" in message


def test_constraint_values_must_be_strings() -> None:
    _, pointer, _ = _problem(_case([_grant(Constraints={
        "EncryptionContextSubset": {"a": 1}})]))
    assert pointer == "/grants/0/Constraints/EncryptionContextSubset/a"


def test_grant_needs_a_grantee_and_operations() -> None:
    _, pointer, message = _problem(_case([{"Operations": ["Decrypt"]}]))
    assert pointer == "/grants/0"
    assert "GranteePrincipal" in message
    _, pointer, _ = _problem(_case([{"GranteePrincipal": APP}]))
    assert pointer == "/grants/0/Operations"
    _, pointer, message = _problem(_case([{"GranteePrincipal": APP, "Operations": []}]))
    assert pointer == "/grants/0" and "at least one operation" in message


def test_grants_on_a_resource_that_is_not_a_key() -> None:
    """A grant allows access to exactly one KMS key (grants.html)."""
    case = _case([_grant()], resource="arn:aws:s3:::bucket/x", action="s3:GetObject")
    del case["resource_policy"]
    code, pointer, message = _problem(case)
    assert code == ProblemCode.CASE_MISMATCH
    assert pointer == "/grants"
    assert "KMS key" in message


def test_endpoint_policy_is_validated_as_an_endpoint_policy() -> None:
    """vpc-endpoints-access.html: an endpoint policy must contain a Principal element."""
    case = {"request": {"principal": APP, "action": "s3:GetObject",
                        "resource": "arn:aws:s3:::bucket/x",
                        "resource_account": "111122223333"},
            "vpc_endpoint_policy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
    _, pointer, _ = _problem(case)
    assert pointer.startswith("/vpc_endpoint_policy")


def test_explanation_names_the_grant_and_keeps_existing_keys() -> None:
    """The grant that decides is in the JSON explanation under the new `grants` key."""
    case = parse_case_value(_case([_grant(GrantId="g-1", Name="app-decrypt", Constraints={
        "EncryptionContextSubset": {"project": "alpha"}})]))
    body = evaluate(case.request, case.policies).to_dict()
    explanation = body["explanation"]
    assert body["decision"] == "allowed"
    assert explanation["decided_by"] == "grant"
    assert explanation["deciding_policy"] == "app-decrypt"
    assert {"reason", "policies", "request", "notes", "derived_context_keys"} <= set(explanation)
    assert explanation["grants"] == [{
        "grant_id": "g-1", "name": "app-decrypt", "grantee": APP, "operations": ["Decrypt"],
        "applies": True, "constraints_held": True, "detail": explanation["grants"][0]["detail"]}]


def test_explanation_without_grants_has_no_grants_key() -> None:
    case = parse_case_value({k: v for k, v in _case([]).items() if k != "grants"})
    assert "grants" not in evaluate(case.request, case.policies).to_dict()["explanation"]


def test_endpoint_policy_appears_with_its_role() -> None:
    case = parse_case_value({
        "request": {"principal": "arn:aws:iam::111122223333:user/john",
                    "action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/x",
                    "resource_account": "111122223333",
                    "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        "identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
        "vpc_endpoint_policy": {"name": "vpce-1a2b3c4d", "document": {
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "*"}]}}})
    body = evaluate(case.request, case.policies).to_dict()
    assert body["decision"] == "implicitDeny"
    assert body["explanation"]["decided_by"] == "vpc-endpoint-policy"
    roles = [p["role"] for p in body["explanation"]["policies"]]
    assert roles[-1] == "vpc-endpoint"


def test_account_grantee_delegates_to_the_accounts_policies() -> None:
    """grants.html names an AWS account as a possible grantee principal, "which can
    represent one or more identities"; the pages do not say an account grantee lets every
    identity of the account in without its own policies. Read as a key policy naming the
    account reads (delegation: the identity's own policies must allow), the one answer
    that cannot be a wrong Allow: the root user is allowed, a role without policies is not,
    the same role with an identity Allow is."""
    grant = _grant(GranteePrincipal="arn:aws:iam::111122223333:root")
    case = parse_case_value(_case([grant]))
    assert evaluate(case.request, case.policies).decision.value == "implicitDeny"
    allow = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
    with_policy = _case([grant], identity_policies=[allow])
    with_policy["resource_policy"] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/admin"},
         "Action": "kms:*", "Resource": "*"}]}  # no delegation in the key policy
    case = parse_case_value(with_policy)
    result = evaluate(case.request, case.policies)
    assert result.decision.value == "allowed"
    assert result.verdict.gate.value == "grant"


def test_grant_is_limited_by_a_session_policy() -> None:
    """The pages are silent on session policies and a grant: the grant is read as limited
    by the session policy (the answer that cannot be a wrong Allow)."""
    case = _case([_grant()])
    case["request"]["principal"] = "arn:aws:sts::111122223333:assumed-role/app/s1"
    case["session_policy"] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    parsed = parse_case_value(case)
    assert evaluate(parsed.request, parsed.policies).decision.value == "implicitDeny"


def _cli() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def test_cli_reports_a_bad_grant_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_case([_grant(Operations=["Destroy"])]), indent=1))
    done = subprocess.run([_cli(), "simulate", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "grants[0].Operations" in done.stderr and "`Destroy`" in done.stderr


def test_batch_decides_grant_cases(tmp_path: Path) -> None:
    lines = tmp_path / "cases.jsonl"
    good = _case([_grant()])
    bad = _case([_grant()])
    bad["request"]["action"] = "kms:Encrypt"
    lines.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    done = subprocess.run([_cli(), "simulate", "--batch", str(lines)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(line)["decision"] for line in done.stdout.splitlines()]
    assert decisions == ["allowed", "implicitDeny"]

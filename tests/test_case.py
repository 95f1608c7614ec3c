"""`case`: policies a case gives its caller that cannot belong to it are reported in words."""

from __future__ import annotations

from typing import Any

import pytest

from policy_engine.case import parse_case_value
from policy_engine.errors import CaseError

ALLOW = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
BUCKET = "arn:aws:s3:::mybucket/key"


def _message(principal: str, **policies: Any) -> str:
    case = {"request": {"principal": principal, "action": "s3:GetObject", "resource": BUCKET,
                        "resource_account": "111122223333"}, **policies}
    with pytest.raises(CaseError) as raised:
        parse_case_value(case, source="case.json")
    return raised.value.problems[0].message


@pytest.mark.parametrize(("principal", "expected"), [
    ("*", "an anonymous caller has no identity-based policies"),
    ("s3.amazonaws.com", "a service principal has no identity-based policies"),
    ("arn:aws:iam::111122223333:saml-provider/Okta",
     "an identity provider has no identity-based policies"),
])
def test_identity_policies_for_a_caller_without_identity(principal: str, expected: str) -> None:
    assert _message(principal, identity_policies=[ALLOW]).startswith(expected)
    assert _message(principal, permission_boundary=ALLOW).startswith(expected)


@pytest.mark.parametrize(("principal", "expected"), [
    ("*", "the principal is an anonymous caller"),
    ("arn:aws:iam::111122223333:root", "the principal is an account root user"),
    ("arn:aws:iam::111122223333:user/john", "the principal is a user"),
])
def test_session_policy_for_a_caller_without_session(principal: str, expected: str) -> None:
    assert _message(principal, session_policy=ALLOW).endswith(expected)


def test_a_case_file_that_is_not_utf8_is_one_located_problem(tmp_path) -> None:
    """Bad input: bytes that are not UTF-8 are one problem naming the file, not a traceback."""
    from policy_engine.case import load_case

    path = tmp_path / "case.json"
    path.write_bytes(b'{"request": "\xff"}')
    with pytest.raises(CaseError) as raised:
        load_case(path)
    assert str(path) in str(raised.value)
    assert "not UTF-8 text (byte 13 cannot be decoded)" in str(raised.value)

"""The matrix skips an evaluation only where no Allow can decide it (`_may_allow`); these
organizations hold each kind of Allow that needs no Allow statement on one side, so a
skip too many shows as a missing cell. Each expected cell is one the AWS pages state, and
the whole matrix must equal the brute-force one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_matrix_brute_force import brute_force, matrix_cells

VERSION = "2012-10-17"
A, B = "111111111111", "222222222222"
CANONICAL_A, CANONICAL_B = "a" * 64, "b" * 64
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def _user(account: str, name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"Path": "/", "UserName": name, "UserId": f"AIDA{account}{name.upper()}",
            "Arn": f"arn:aws:iam::{account}:user/{name}", "GroupList": [],
            "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": f"{name}-inline",
                                "PolicyDocument": _doc(*statements)}] if statements else []}


def _role(account: str, name: str, trusted: dict[str, Any]) -> dict[str, Any]:
    return {"Path": "/", "RoleName": name, "RoleId": f"AROA{account}{name.upper()}",
            "Arn": f"arn:aws:iam::{account}:role/{name}", "InstanceProfileList": [],
            "AssumeRolePolicyDocument": _doc({"Effect": "Allow", "Principal": trusted,
                                              "Action": "sts:AssumeRole"}),
            "RolePolicyList": [], "AttachedManagedPolicies": []}


def _account(account: str, canonical: str, users: list[dict[str, Any]],
             roles: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": account, "canonical_user_id": canonical, "authorization_details": {
        "UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles,
        "Policies": [], "IsTruncated": False}}


def _write(tmp_path: Path) -> Path:
    bucket = f"arn:aws:s3:::skips-{B}"
    snapshot = {
        "format": "policy-engine-snapshot/1",
        "accounts": [
            _account(A, CANONICAL_A, [
                _user(A, "alice"),
                _user(A, "bob",
                      {"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Resource": f"arn:aws:iam::{A}:role/by-account"},
                      {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
                       "Resource": [bucket, bucket + "/*"]},
                      {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}),
            ], [
                _role(A, "by-account", {"AWS": f"arn:aws:iam::{A}:root"}),
                _role(A, "by-name", {"AWS": f"arn:aws:iam::{A}:user/alice"}),
            ]),
            _account(B, CANONICAL_B, [_user(B, "carol")], []),
        ],
        "resources": {
            "s3_buckets": [{
                "name": bucket.rsplit(":", 1)[1], "account": B, "region": "us-east-1",
                "policy": _doc({"Sid": "Own", "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                                "Action": "s3:*", "Resource": [bucket, bucket + "/*"]}),
                "acl": {"Owner": {"ID": CANONICAL_B}, "Grants": [
                    {"Grantee": {"ID": CANONICAL_B, "Type": "CanonicalUser"},
                     "Permission": "FULL_CONTROL"},
                    {"Grantee": {"ID": CANONICAL_A, "Type": "CanonicalUser"},
                     "Permission": "READ"}]}}],
            "kms_keys": [{
                "arn": KEY,
                # No statement delegates to the account: identity policies grant nothing.
                "policy": _doc({"Sid": "Admins", "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{A}:role/by-name"},
                                "Action": "kms:DescribeKey", "Resource": "*"}),
                "grants": [{"GrantId": "0" * 32, "Name": "alice-decrypt", "KeyId": KEY,
                            "IssuingAccount": f"arn:aws:iam::{A}:root",
                            "GranteePrincipal": f"arn:aws:iam::{A}:user/alice",
                            "Operations": ["Decrypt"]}]}],
        },
    }
    path = tmp_path / "skips.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    return path


def _actions(cells: dict[tuple[str, str, str], Any], principal: str, resource: str
             ) -> set[str]:
    return {action for (who, what, _), (actions, _) in cells.items()
            if who == principal and what == resource for action in actions}


def test_each_allow_without_a_statement_on_one_side_is_a_cell(tmp_path: Path) -> None:
    """- A trust policy naming the account: bob, whose identity policy allows
      sts:AssumeRole, may assume the role; alice, with no identity policy, may not
      (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
    - A trust policy naming alice's ARN: she may assume the role with no identity policy
      (same page; reference_policies_evaluation-logic_policy-eval-denyallow.html).
    - A bucket ACL granting READ to account A: bob may list the bucket of account B with
      his identity policy and no bucket-policy statement naming him; carol's own account
      grants through the bucket policy
      (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html).
    - A KMS grant to alice: she may Decrypt though the key policy does not delegate to
      the account; bob's identity policy alone gives nothing
      (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html).
    """
    path = _write(tmp_path)
    found, _ = matrix_cells(path)
    assert found == brute_force(path)
    alice, bob = f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/bob"
    by_account, by_name = f"arn:aws:iam::{A}:role/by-account", f"arn:aws:iam::{A}:role/by-name"
    bucket = f"arn:aws:s3:::skips-{B}"
    assert "sts:AssumeRole" in _actions(found, bob, by_account)
    assert "sts:AssumeRole" not in _actions(found, alice, by_account)
    assert "sts:AssumeRole" in _actions(found, alice, by_name)
    assert "s3:ListBucket" in _actions(found, bob, bucket)
    assert not _actions(found, alice, bucket)
    assert _actions(found, alice, KEY) == {"kms:Decrypt"}
    assert not _actions(found, bob, KEY)

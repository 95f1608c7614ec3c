"""A randomized organization written the way a user gives it to `--env`: one snapshot
file with each account's `get-account-authorization-details` output inline, the
organization with SCPs and an RCP, and resources of every kind the matrix covers, each
with a resource policy. Used by the matrix's brute-force test (small, several seeds) and
by `benchmarks/bench_matrix.py` (100 accounts, 10,000 principals, 2,000 resources).

What it draws from: wildcard and `NotAction`/`NotResource` identity statements, Deny
statements, policy variables, tag and organization conditions, groups, permissions
boundaries, shared managed policies; resource policies naming account roots, roles,
`*` with `aws:PrincipalOrgID`, `*` alone (public) and accounts outside the organization;
trust policies naming accounts, roles, a SAML provider and services; S3 Block Public
Access and ACLs; KMS keys with grants.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = "2012-10-17"
ORG_ID = "o-mtx0000001"
TEAMS = ("payments", "search", "data", "platform")
REGION = "us-east-1"
KINDS = ("bucket", "key", "queue", "topic", "function", "layer", "secret", "repository")
SERVICE = {"bucket": "s3", "key": "kms", "queue": "sqs", "topic": "sns", "function": "lambda",
           "layer": "lambda", "secret": "secretsmanager", "repository": "ecr"}
ACTIONS = {
    "bucket": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:Get*", "s3:*",
               "s3:DeleteObject", "s3:PutBucketPolicy", "s3:GetBucketTagging"],
    "key": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:Describe*", "kms:*",
            "kms:PutKeyPolicy", "kms:TagResource", "kms:List*"],
    "queue": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:*", "sqs:Get*",
              "sqs:SetQueueAttributes", "sqs:TagQueue"],
    "topic": ["sns:Publish", "sns:Subscribe", "sns:*", "sns:Get*", "sns:SetTopicAttributes"],
    "function": ["lambda:InvokeFunction", "lambda:GetFunction", "lambda:*",
                 "lambda:AddPermission", "lambda:TagResource", "lambda:List*"],
    "layer": ["lambda:GetLayerVersion", "lambda:AddLayerVersionPermission"],
    "secret": ["secretsmanager:GetSecretValue", "secretsmanager:*",
               "secretsmanager:DescribeSecret", "secretsmanager:PutResourcePolicy",
               "secretsmanager:TagResource"],
    "repository": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:*",
                   "ecr:PutImage", "ecr:SetRepositoryPolicy", "ecr:Describe*"],
}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


@dataclass
class Account:
    id: str
    canonical: str
    in_org: bool
    users: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    resources: list[tuple[str, str]] = field(default_factory=list)  # (kind, ARN)

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.id}:role/{name}"

    @property
    def root(self) -> str:
        return f"arn:aws:iam::{self.id}:root"

    @property
    def saml(self) -> str:
        return f"arn:aws:iam::{self.id}:saml-provider/Corp"


class Builder:
    def __init__(self, seed: int, accounts: int, users: int, roles: int, resources: int,
                 outside: int, broad: float = 1.0) -> None:
        self.rng = random.Random(seed)
        # How often statements reach far (`*` actions or resources, `Principal: "*"`):
        # 1 in the tests, lower in the benchmark's large organization, as in real ones.
        self.broad = broad
        ids = self.rng.sample(range(10**11, 10**12 - 1), accounts + outside)
        self.accounts = [Account(f"{n:012d}", f"{n:064x}"[-64:], i < accounts)
                         for i, n in enumerate(ids)]
        for account in self.accounts[:accounts]:
            account.users = [f"user-{i}" for i in range(users)]
            account.roles = [f"role-{i}" for i in range(roles)]
            for i in range(resources):
                kind = KINDS[i % len(KINDS)]
                account.resources.append((kind, self._arn(account, kind, i)))
        self.outside = self.accounts[accounts:]
        for account in self.outside:
            account.roles = ["partner"]
        self.members = self.accounts[:accounts]

    @staticmethod
    def _arn(account: Account, kind: str, i: int) -> str:
        prefix = f"arn:aws:{SERVICE[kind]}:{REGION}:{account.id}"
        return {"bucket": f"arn:aws:s3:::mtx-{account.id}-b{i}",
                "key": f"{prefix}:key/0000{i:04d}-1111-2222-3333-{account.id}",
                "queue": f"{prefix}:q{i}", "topic": f"{prefix}:t{i}",
                "function": f"{prefix}:function:f{i}", "layer": f"{prefix}:layer:l{i}:1",
                "secret": f"{prefix}:secret:s{i}-AbCdEf",
                "repository": f"{prefix}:repository/r{i}"}[kind]

    # -- identity side ------------------------------------------------------------------

    def _some_resource(self, near: Account) -> tuple[str, str]:
        owner = near if self.rng.random() < 0.7 else self.rng.choice(self.members)
        if not owner.resources:
            owner = near
        return self.rng.choice(owner.resources)

    def _resource_pattern(self, kind: str, arn: str) -> str:
        roll = self.rng.random()
        if kind == "bucket":
            return arn + "/*" if roll < 0.5 else arn if roll < 0.8 else arn + "*"
        if roll < 0.2:
            return arn.rsplit(":", 1)[0] + ":*"
        return arn

    def identity_statement(self, account: Account) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05 * self.broad:
            return {"Effect": "Allow", "Action": "*", "Resource": "*"}
        if roll < 0.1 * self.broad:
            return {"Effect": "Allow", "NotAction": ["iam:*", "kms:*"], "Resource": "*"}
        if 0.1 <= roll < 0.2:
            other = rng.choice(self.members)
            target = rng.choice(other.roles) if other.roles else "role-0"
            return {"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Resource": rng.choice([other.role_arn(target),
                                            f"arn:aws:iam::{other.id}:role/role-*"])}
        kind, arn = self._some_resource(account)
        statement: dict[str, Any] = {
            "Effect": "Deny" if rng.random() < 0.12 else "Allow",
            "Action": rng.sample(ACTIONS[kind], rng.randint(1, min(3, len(ACTIONS[kind]))))}
        if rng.random() < 0.08:
            statement["NotResource"] = [self._resource_pattern(kind, arn)]
        else:
            statement["Resource"] = [self._resource_pattern(kind, arn)]
        if rng.random() < 0.15:
            statement["Condition"] = {"StringEquals": {
                "aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
        elif rng.random() < 0.05:
            statement["Condition"] = {"Bool": {"aws:SecureTransport": "false"}}
        return statement

    def policy(self, account: Account, low: int, high: int) -> dict[str, Any]:
        count = self.rng.randint(low, high)
        return _doc(*(self.identity_statement(account) for _ in range(count)))

    # -- resource side ------------------------------------------------------------------

    def _principal(self, owner: Account) -> tuple[Any, dict[str, Any] | None]:
        rng = self.rng
        roll = rng.random()
        other = rng.choice(self.members)
        if roll < 0.25:
            return {"AWS": owner.role_arn(rng.choice(owner.roles))}, None
        if roll < 0.4:
            return {"AWS": other.root}, None
        if roll < 0.5:
            return {"AWS": other.role_arn(rng.choice(other.roles))}, None
        if roll < 0.6 and self.outside:
            partner = rng.choice(self.outside)
            return {"AWS": rng.choice([partner.root, partner.role_arn("partner")])}, None
        if roll < 0.6 + 0.15 * self.broad:
            return "*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        if roll < 0.6 + 0.2 * self.broad:
            return "*", None  # public
        return {"AWS": owner.root}, None

    def resource_policy(self, owner: Account, kind: str, arn: str) -> dict[str, Any]:
        rng = self.rng
        statements = []
        for index in range(rng.randint(1, 3)):
            principal, condition = self._principal(owner)
            statement: dict[str, Any] = {
                "Sid": f"S{index}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
                "Principal": principal,
                "Action": rng.sample(ACTIONS[kind], rng.randint(1, 2)),
                "Resource": "*" if kind in ("key", "secret") else (
                    [arn, arn + "/*"] if kind == "bucket" else arn)}
            if condition:
                statement["Condition"] = condition
            statements.append(statement)
        if arn == self.members[0].resources[0][1]:  # one deliberately public bucket
            statements.append({"Sid": "Public", "Effect": "Allow", "Principal": "*",
                               "Action": "s3:GetObject", "Resource": arn + "/*"})
        if kind == "key" and rng.random() < 0.6:  # the default key policy's first statement
            statements.insert(0, {"Sid": "EnableIAM", "Effect": "Allow",
                                  "Principal": {"AWS": owner.root}, "Action": "kms:*",
                                  "Resource": "*"})
        return _doc(*statements)

    def trust_policy(self, account: Account) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        other = rng.choice(self.members)
        if roll < 0.3:
            principal: Any = {"AWS": account.root}
        elif roll < 0.5:
            principal = {"AWS": other.root}
        elif roll < 0.65:
            principal = {"AWS": other.role_arn(rng.choice(other.roles))}
        elif roll < 0.75 and self.outside:
            principal = {"AWS": rng.choice(self.outside).root}
        elif roll < 0.85:
            return _doc({"Effect": "Allow", "Principal": {"Federated": account.saml},
                         "Action": "sts:AssumeRoleWithSAML",
                         "Condition": {"StringEquals": {
                             "SAML:aud": "https://signin.aws.amazon.com/saml"}}})
        else:
            principal = {"Service": "lambda.amazonaws.com"}
        return _doc({"Effect": "Allow", "Principal": principal,
                     "Action": rng.choice(["sts:AssumeRole", ["sts:AssumeRole",
                                                              "sts:TagSession"]])})

    # -- files ----------------------------------------------------------------------------

    def authorization_details(self, account: Account) -> dict[str, Any]:
        rng = self.rng
        managed = []
        for i in range(max(2, len(account.users) // 8)):
            document = self.policy(account, 1, 4)
            managed.append({
                "PolicyName": f"shared-{i}", "PolicyId": f"ANPA{account.id}{i:05d}",
                "Arn": f"arn:aws:iam::{account.id}:policy/shared-{i}", "Path": "/",
                "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
                "PolicyVersionList": [{"Document": document, "VersionId": "v1",
                                       "IsDefaultVersion": True}]})
        boundary_arn = f"arn:aws:iam::{account.id}:policy/boundary"
        managed.append({
            "PolicyName": "boundary", "PolicyId": f"ANPA{account.id}B", "Arn": boundary_arn,
            "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
            "PolicyVersionList": [{"Document": _doc(
                {"Effect": "Allow", "Action": ["s3:*", "sqs:*", "sts:AssumeRole",
                                               "lambda:Get*"], "Resource": "*"}),
                "VersionId": "v1", "IsDefaultVersion": True}]})
        shared = [(p["PolicyName"], p["Arn"]) for p in managed[:-1]]

        def attach(low: int, high: int) -> list[dict[str, str]]:
            return [{"PolicyName": n, "PolicyArn": a}
                    for n, a in rng.sample(shared, min(len(shared), rng.randint(low, high)))]

        def boundary() -> dict[str, Any]:
            return {} if rng.random() > 0.15 else {"PermissionsBoundary": {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": boundary_arn}}

        def tags() -> list[dict[str, str]]:
            return [{"Key": "team", "Value": rng.choice(TEAMS)}]

        groups = [{"Path": "/", "GroupName": f"group-{i}", "GroupId": f"AGPA{account.id}{i}",
                   "Arn": f"arn:aws:iam::{account.id}:group/group-{i}",
                   "GroupPolicyList": [] if rng.random() < 0.5 else [
                       {"PolicyName": f"group-{i}-inline",
                        "PolicyDocument": self.policy(account, 1, 2)}],
                   "AttachedManagedPolicies": attach(0, 2)} for i in range(2)]
        users = [{"Path": "/", "UserName": name, "UserId": f"AIDA{account.id}{i:05d}",
                  "Arn": f"arn:aws:iam::{account.id}:user/{name}",
                  "UserPolicyList": [] if rng.random() < 0.6 else [
                      {"PolicyName": f"{name}-inline",
                       "PolicyDocument": self.policy(account, 1, 2)}],
                  "GroupList": rng.sample(["group-0", "group-1"], rng.randint(0, 2)),
                  "AttachedManagedPolicies": attach(0, 2), **boundary(), "Tags": tags()}
                 for i, name in enumerate(account.users)]
        roles = [{"Path": "/", "RoleName": name, "RoleId": f"AROA{account.id}{i:05d}",
                  "Arn": account.role_arn(name),
                  "AssumeRolePolicyDocument": self.trust_policy(account),
                  "InstanceProfileList": [],
                  "RolePolicyList": [] if rng.random() < 0.5 else [
                      {"PolicyName": f"{name}-inline",
                       "PolicyDocument": self.policy(account, 1, 3)}],
                  "AttachedManagedPolicies": attach(0, 2), **boundary(), "Tags": tags()}
                 for i, name in enumerate(account.roles)]
        return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
                "Policies": managed, "IsTruncated": False}

    def resources(self) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        found: dict[str, list[dict[str, Any]]] = {
            "s3_buckets": [], "kms_keys": [], "sqs_queues": [], "sns_topics": [],
            "lambda_functions": [], "lambda_layer_versions": [],
            "secretsmanager_secrets": [], "ecr_repositories": []}
        for account in self.members:
            for kind, arn in account.resources:
                policy = self.resource_policy(account, kind, arn)
                tags = {"team": rng.choice(TEAMS)}
                if kind == "bucket":
                    entry: dict[str, Any] = {"name": arn.rsplit(":", 1)[1],
                                             "account": account.id, "region": REGION,
                                             "policy": policy, "tags": tags}
                    roll = rng.random()
                    if roll < 0.2:
                        entry["public_access_block"] = {
                            "BlockPublicAcls": True, "IgnorePublicAcls": True,
                            "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
                    elif roll < 0.3:
                        other = rng.choice(self.accounts)
                        entry["acl"] = {"Owner": {"ID": account.canonical}, "Grants": [
                            {"Grantee": {"ID": account.canonical, "Type": "CanonicalUser"},
                             "Permission": "FULL_CONTROL"},
                            {"Grantee": {"ID": other.canonical, "Type": "CanonicalUser"},
                             "Permission": "READ"}]}
                    found["s3_buckets"].append(entry)
                elif kind == "key":
                    entry = {"arn": arn, "policy": policy, "tags": tags}
                    if rng.random() < 0.4:
                        grantee = rng.choice(self.members)
                        entry["grants"] = [{
                            "GrantId": f"{rng.getrandbits(128):032x}", "Name": "g",
                            "KeyId": arn, "IssuingAccount": account.root,
                            "GranteePrincipal": grantee.role_arn(rng.choice(grantee.roles)),
                            "Operations": ["Decrypt", "GenerateDataKey"],
                            **({"Constraints": {"EncryptionContextSubset": {"app": "x"}}}
                               if rng.random() < 0.5 else {})}]
                    found["kms_keys"].append(entry)
                else:
                    table = {"queue": "sqs_queues", "topic": "sns_topics",
                             "function": "lambda_functions",
                             "layer": "lambda_layer_versions",
                             "secret": "secretsmanager_secrets",
                             "repository": "ecr_repositories"}[kind]
                    entry = {"arn": arn, "policy": policy}
                    if kind != "layer":
                        entry["tags"] = tags
                    found[table].append(entry)
        return found

    def organization(self) -> dict[str, Any]:
        full, rcp_full = "p-FullAWSAccess", "p-RCPFullAWSAccess"
        management, *others = self.members
        half = len(others) // 2
        return {
            "id": ORG_ID, "management_account": management.id, "policy_types": ["SCP", "RCP"],
            "root": {"id": "r-mtx1",
                     "policies": [full, "p-denydelete01", rcp_full, "p-tlsonly0001"],
                     "accounts": [{"id": management.id, "policies": [full, rcp_full]}],
                     "organizational_units": [
                         {"id": "ou-mtx1-prod0001", "name": "Prod",
                          "policies": [full, "p-nokeyadmin01", rcp_full],
                          "accounts": [{"id": a.id, "policies": [full, rcp_full]}
                                       for a in others[:half]]},
                         {"id": "ou-mtx1-dev00001", "name": "Dev",
                          "policies": [full, rcp_full],
                          "accounts": [{"id": a.id, "policies": [full, rcp_full]}
                                       for a in others[half:]]}]},
            "policies": {
                "p-denydelete01": {"name": "DenyBucketDeletion", "type": "SCP", "document": _doc(
                    {"Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:DeleteObject"],
                     "Resource": "*", "Condition": {"ArnNotLike": {
                         "aws:PrincipalArn": "arn:aws:iam::*:role/role-0"}}})},
                "p-nokeyadmin01": {"name": "NoKeyPolicyChanges", "type": "SCP", "document": _doc(
                    {"Effect": "Deny", "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
                     "Resource": "*"})},
                "p-tlsonly0001": {"name": "EnforceTls", "type": "RCP", "document": _doc(
                    {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"],
                     "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})},
            }}

    def snapshot(self) -> dict[str, Any]:
        accounts = [{"id": a.id, "name": f"acct-{a.id}", "canonical_user_id": a.canonical,
                     "identity_providers": [a.saml],
                     "authorization_details": self.authorization_details(a)}
                    for a in self.members]
        return {"format": "policy-engine-snapshot/1",
                "description": "randomized organization for the access matrix",
                "accounts": accounts, "organization": self.organization(),
                "resources": self.resources()}


def write_org(directory: Path, *, seed: int, accounts: int = 3, users: int = 4,
              roles: int = 4, resources: int = 8, outside: int = 1,
              broad: float = 1.0) -> Path:
    """Write the organization's snapshot file; returns its path."""
    builder = Builder(seed, accounts, users, roles, resources, outside, broad)
    path = directory / f"org-{seed}.json"
    path.write_text(json.dumps(builder.snapshot()), encoding="utf-8")
    return path

"""The output of `aws iam get-account-authorization-details`, as the AWS CLI writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from snapshot_helpers import AUTHZ, line_of, only_problem, write_json

from policy_engine.model.kinds import PolicyKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.snapshot import Role, SnapshotError, User, load_snapshot
from policy_engine.snapshot.authorization_details import AuthorizationDetails

ACCOUNT = "111122223333"


def _documents(value: dict[str, Any]):
    """Every policy document in a raw output, with a setter, for rewriting them."""
    for entity_list, policy_list in (("UserDetailList", "UserPolicyList"),
                                     ("GroupDetailList", "GroupPolicyList"),
                                     ("RoleDetailList", "RolePolicyList")):
        for entity in value[entity_list]:
            for policy in entity.get(policy_list, []):
                yield policy, "PolicyDocument"
            if "AssumeRolePolicyDocument" in entity:
                yield entity, "AssumeRolePolicyDocument"
    for policy in value["Policies"]:
        for version in policy["PolicyVersionList"]:
            yield version, "Document"


def test_realistic_output_loads_unchanged(authz: dict[str, Any]) -> None:
    snapshot = load_snapshot([AUTHZ])
    assert snapshot.warnings == ()
    account = snapshot.accounts[ACCOUNT]
    assert account.has_authorization_details
    assert list(account.users) == [u["UserName"] for u in authz["UserDetailList"]]
    assert list(account.groups) == [g["GroupName"] for g in authz["GroupDetailList"]]
    assert list(account.roles) == [r["RoleName"] for r in authz["RoleDetailList"]]
    for raw in authz["UserDetailList"]:
        user = snapshot.principal(raw["Arn"])
        assert isinstance(user, User)
        assert (user.user_id, user.path, user.group_names) == (
            raw["UserId"], raw["Path"], tuple(raw["GroupList"]))
        assert dict(user.tags) == {t["Key"]: t["Value"] for t in raw["Tags"]}
        assert [p.document for p in user.inline_policies] == [
            PolicyDocument.model_validate(p["PolicyDocument"]) for p in raw["UserPolicyList"]]
        assert [a.arn for a in user.attached_policies] == [
            a["PolicyArn"] for a in raw["AttachedManagedPolicies"]]
    for raw in authz["RoleDetailList"]:
        role = snapshot.principal(raw["Arn"])
        assert isinstance(role, Role)
        assert role.trust_policy is not None
        assert role.trust_policy.document == PolicyDocument.model_validate(
            raw["AssumeRolePolicyDocument"])
        assert [p.arn for p in role.instance_profiles] == [
            p["Arn"] for p in raw["InstanceProfileList"]]
        assert (role.permissions_boundary is None) == ("PermissionsBoundary" not in raw)
    for raw in authz["Policies"]:
        policy = snapshot.managed_policy(raw["Arn"])
        assert policy is not None
        assert policy.default_version_id == raw["DefaultVersionId"]
        assert [v.version_id for v in policy.versions] == [
            v["VersionId"] for v in raw["PolicyVersionList"]]
        for version, raw_version in zip(policy.versions, raw["PolicyVersionList"], strict=True):
            assert version.is_default is raw_version["IsDefaultVersion"]
            assert version.policy.document == PolicyDocument.model_validate(
                raw_version["Document"])
        default = next(v for v in raw["PolicyVersionList"] if v["IsDefaultVersion"])
        assert policy.document == PolicyDocument.model_validate(default["Document"])


def test_default_version_is_chosen_not_the_newest() -> None:
    snapshot = load_snapshot([AUTHZ])
    deploy = snapshot.managed_policy(f"arn:aws:iam::{ACCOUNT}:policy/DeployPolicy")
    assert deploy is not None
    assert [v.version_id for v in deploy.versions] == ["v3", "v2", "v1"]
    assert deploy.default_version_id == "v2"
    assert [s.sid for s in deploy.document.statement] == [
        "CloudFormation", "Artifacts", "PassAppRole"]
    assert deploy.default.name == "DeployPolicy"
    newest = deploy.version("v3")
    assert newest is not None and not newest.is_default and not newest.is_parsed
    assert newest.policy.name == "DeployPolicy (v3)"
    assert newest.is_parsed
    assert "PassAnyRole" in [s.sid for s in newest.policy.document.statement]


def test_each_document_is_validated_as_the_kind_it_is_used_as() -> None:
    snapshot = load_snapshot([AUTHZ])
    account = snapshot.accounts[ACCOUNT]
    bob = account.users["bob"]
    assert [p.kind for p in bob.inline_policies] == [PolicyKind.INLINE_USER]
    assert account.groups["Developers"].inline_policies[0].kind is PolicyKind.INLINE_GROUP
    app = account.roles["app-server"]
    assert app.inline_policies[0].kind is PolicyKind.INLINE_ROLE
    assert app.trust_policy is not None and app.trust_policy.kind is PolicyKind.TRUST
    boundary = snapshot.boundary_of(bob)
    assert boundary is not None and boundary.kind is PolicyKind.BOUNDARY
    assert boundary.arn == f"arn:aws:iam::{ACCOUNT}:policy/DeveloperBoundary"
    deploy = snapshot.managed_policy(f"arn:aws:iam::{ACCOUNT}:policy/DeployPolicy")
    assert deploy is not None and deploy.default.kind is PolicyKind.IDENTITY
    assert deploy.boundary is None
    admin = snapshot.managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None and admin.is_aws_managed and admin.account is None
    origin = bob.inline_policies[0].origin
    assert origin.pointer == "/UserDetailList/1/UserPolicyList/0/PolicyDocument"
    assert origin.line == line_of(AUTHZ, '"PolicyName": "bob-personal-prefix"') + 1


def test_lookups() -> None:
    snapshot = load_snapshot([AUTHZ])
    bob = snapshot.principal(f"arn:aws:iam::{ACCOUNT}:user/engineering/bob")
    assert bob is not None
    assert snapshot.principal(f"arn:aws:iam::{ACCOUNT}:user/bob") is bob  # path left out
    assert snapshot.principal_by_unique_id("AIDAQ3EGZLK7BOB000002") is bob
    assert snapshot.find_principals("bob") == (bob,)
    assert snapshot.find_principals("bob", type="role") == ()
    assert snapshot.find_principals("bob", account="444455556666") == ()
    assert [g.name for g in snapshot.groups_of(bob)] == ["Developers", "ReadOnly"]
    alice = snapshot.accounts[ACCOUNT].users["alice"]
    assert snapshot.boundary_of(alice) is None
    admins = snapshot.groups_of(alice)[0]
    assert [p.name for p in snapshot.managed_policies_of(admins)] == ["AdministratorAccess"]
    lambda_role = snapshot.principal(f"arn:aws:iam::{ACCOUNT}:role/report-builder-lambda")
    assert lambda_role is not None and lambda_role.path == "/service-role/"
    assert [p.path for p in snapshot.managed_policies_of(lambda_role)] == ["/service-role/"]
    app = snapshot.accounts[ACCOUNT].roles["app-server"]
    assert app.last_used is not None and app.last_used.region == "us-east-1"
    assert app.instance_profiles[0].role_names == ("app-server",)


def test_url_encoded_documents_are_accepted(authz: dict[str, Any], tmp_path: Path) -> None:
    """The raw IAM API returns documents as URL-encoded JSON text (RFC 3986)."""
    for index, (holder, key) in enumerate(_documents(authz)):
        text = json.dumps(holder[key])
        holder[key] = text if index % 5 == 0 else quote(text, safe="")
    snapshot = load_snapshot([write_json(tmp_path / "encoded.json", authz)])
    original = load_snapshot([AUTHZ])
    for principal in original.principals():
        loaded = snapshot.principal(principal.arn)
        assert loaded is not None
        assert [p.document for p in loaded.inline_policies] == [
            p.document for p in principal.inline_policies]
    bob = snapshot.accounts[ACCOUNT].users["bob"]
    assert bob.inline_policies[0].document.statement[0].resource == (
        "arn:aws:s3:::example-corp-home/${aws:username}/*",)


def test_undecodable_document_text_is_located(authz: dict[str, Any], tmp_path: Path) -> None:
    authz["UserDetailList"][1]["UserPolicyList"][0]["PolicyDocument"] = "%7B%22Version%22"
    with pytest.raises(SnapshotError) as error:
        load_snapshot([write_json(tmp_path / "bad.json", authz)])
    problem = only_problem(error)
    assert problem.pointer == "/UserDetailList/1/UserPolicyList/0/PolicyDocument"
    assert "neither a JSON object nor URL-encoded JSON" in problem.message


def test_unknown_members_from_newer_cli_versions_are_ignored(authz: dict[str, Any],
                                                           tmp_path: Path) -> None:
    authz["NewTopLevelMember"] = {"anything": [1, 2]}
    authz["UserDetailList"][0]["LoginProfile"] = {"CreateDate": "2024-01-01T00:00:00Z"}
    authz["RoleDetailList"][0]["MaxSessionDuration"] = 3600
    authz["Policies"][0]["PolicyVersionList"][0]["Description"] = "new"
    snapshot = load_snapshot([write_json(tmp_path / "newer.json", authz)])
    assert len(snapshot.accounts[ACCOUNT].users) == 3


def test_wrong_type_inside_a_policy_names_its_path(authz: dict[str, Any],
                                                   tmp_path: Path) -> None:
    authz["RoleDetailList"][3]["RolePolicyList"] = [{
        "PolicyName": "broken",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": 5, "Action": "s3:PutObject", "Resource": "*"}]}}]
    path = write_json(tmp_path / "bad-effect.json", authz)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert problem.pointer == "/RoleDetailList/3/RolePolicyList/0/PolicyDocument/Statement/1/Effect"
    assert problem.path == "RoleDetailList[3].RolePolicyList[0].PolicyDocument.Statement[1].Effect"
    assert problem.line == line_of(path, '"Effect": 5')
    assert problem.source == str(path)
    assert "`Effect` must be `Allow` or `Deny`" in problem.message


def test_wrong_type_in_the_cli_shape_names_its_path(authz: dict[str, Any],
                                                    tmp_path: Path) -> None:
    authz["UserDetailList"][2]["UserName"] = 5
    path = write_json(tmp_path / "bad-name.json", authz)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == ("wrong-type", "/UserDetailList/2/UserName")
    assert problem.message == "`UserName` must be text, not the number `5`"
    assert problem.line == line_of(path, '"UserName": 5')
    assert str(error.value).startswith(f"{path}:{problem.line}:")


def test_missing_aws_managed_policies_are_reported(authz: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """`--filter User Group Role LocalManagedPolicy` leaves AWS managed policies out."""
    authz["Policies"] = [p for p in authz["Policies"] if ":aws:policy/" not in p["Arn"]]
    path = write_json(tmp_path / "filtered.json", authz)
    snapshot = load_snapshot([path])
    codes = {w.code for w in snapshot.warnings}
    assert codes == {"missing-managed-policy"}
    by_target = {w.message.split("`")[1]: w for w in snapshot.warnings}
    assert set(by_target) == {"arn:aws:iam::aws:policy/AdministratorAccess",
                              "arn:aws:iam::aws:policy/ReadOnlyAccess",
                              "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
    admin = by_target["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert "group/Admins, role/OrganizationAccountAccessRole and role/break-glass" in admin.message
    assert "`AWSManagedPolicy`" in admin.message
    assert admin.pointer == "/GroupDetailList/0/AttachedManagedPolicies/0"
    assert admin.line is not None
    alice = snapshot.accounts[ACCOUNT].users["alice"]
    assert snapshot.managed_policies_of(snapshot.groups_of(alice)[0]) == ()
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path], strict=True)
    assert [p.code for p in error.value.problems] == ["missing-managed-policy"] * 3


def test_missing_boundary_and_group_are_reported(authz: dict[str, Any],
                                                 tmp_path: Path) -> None:
    authz["Policies"] = [p for p in authz["Policies"] if p["PolicyName"] != "DeveloperBoundary"]
    authz["GroupDetailList"] = [g for g in authz["GroupDetailList"]
                                if g["GroupName"] != "Developers"]
    snapshot = load_snapshot([write_json(tmp_path / "partial.json", authz)])
    messages = {w.code: w.message for w in snapshot.warnings}
    assert set(messages) == {"missing-boundary", "missing-group"}
    assert "user/bob and role/deploy" in messages["missing-boundary"]
    assert "allows nothing" in messages["missing-boundary"]
    assert messages["missing-group"].startswith("group `Developers` of user/bob")
    bob = snapshot.accounts[ACCOUNT].users["bob"]
    assert snapshot.boundary_of(bob) is None
    assert [g.name for g in snapshot.groups_of(bob)] == ["ReadOnly"]


def test_truncated_output_is_reported(authz: dict[str, Any], tmp_path: Path) -> None:
    authz["IsTruncated"] = True
    authz["Marker"] = "AAEAAXVzZXIvYWxpY2U="
    snapshot = load_snapshot([write_json(tmp_path / "page1.json", authz)])
    assert [w.code for w in snapshot.warnings] == ["truncated"]
    assert snapshot.warnings[0].pointer == "/IsTruncated"


@pytest.mark.parametrize(("change", "code", "pointer"), [
    ({"DefaultVersionId": "v9"}, "unknown-version", "/Policies/3/DefaultVersionId"),
    ({"DefaultVersionId": "v3"}, "inconsistent-version", "/Policies/3/DefaultVersionId"),
    ({"PolicyVersionList": []}, "missing-element", "/Policies/3"),
    ({"Arn": "arn:aws:iam::444455556666:policy/DeployPolicy"}, "invalid-arn", "/Policies/3/Arn"),
])
def test_inconsistent_managed_policy(authz: dict[str, Any], tmp_path: Path,
                                     change: dict[str, Any], code: str, pointer: str) -> None:
    authz["Policies"][3].update(change)
    with pytest.raises(SnapshotError) as error:
        load_snapshot([write_json(tmp_path / "policy.json", authz)])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == (code, pointer)


def test_entity_of_another_account_is_an_error(authz: dict[str, Any], tmp_path: Path) -> None:
    authz["RoleDetailList"][1]["Arn"] = "arn:aws:iam::444455556666:role/deploy"
    with pytest.raises(SnapshotError) as error:
        load_snapshot([write_json(tmp_path / "mixed.json", authz)])
    problem = only_problem(error)
    assert (problem.code, problem.pointer) == ("wrong-account", "/RoleDetailList/1/Arn")


def test_output_without_arns_needs_an_account(tmp_path: Path) -> None:
    path = write_json(tmp_path / "empty.json", {"UserDetailList": [], "RoleDetailList": []})
    with pytest.raises(SnapshotError) as error:
        load_snapshot([path])
    assert error.value.problems[0].code == "unknown-account"


def test_aws_managed_policies_are_not_held_to_the_customer_quota(authz: dict[str, Any],
                                                                tmp_path: Path) -> None:
    """ReadOnlyAccess is far above the 6,144-character customer managed policy quota."""
    actions = [f"service{i}:Describe*" for i in range(600)]
    big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions,
                                                   "Resource": "*"}]}
    authz["Policies"][1]["PolicyVersionList"][0]["Document"] = big  # ReadOnlyAccess
    load_snapshot([write_json(tmp_path / "big-aws.json", authz)])
    authz["Policies"][5]["PolicyVersionList"][0]["Document"] = big  # AppDataAccess
    with pytest.raises(SnapshotError) as error:
        load_snapshot([write_json(tmp_path / "big-customer.json", authz)])
    problem = only_problem(error)
    assert problem.code == "oversize"
    assert problem.pointer.startswith("/Policies/5/PolicyVersionList/0/Document")


def test_a_bad_non_default_version_is_reported_when_used(authz: dict[str, Any],
                                                         tmp_path: Path) -> None:
    authz["Policies"][3]["PolicyVersionList"][0]["Document"]["Statement"][2]["Effect"] = "Alow"
    snapshot = load_snapshot([write_json(tmp_path / "old-version.json", authz)])
    deploy = snapshot.managed_policy(f"arn:aws:iam::{ACCOUNT}:policy/DeployPolicy")
    assert deploy is not None and deploy.default_version_id == "v2"
    version = deploy.version("v3")
    assert version is not None
    with pytest.raises(SnapshotError) as error:
        _ = version.policy
    problem = only_problem(error)
    assert problem.pointer == "/Policies/3/PolicyVersionList/0/Document/Statement/2/Effect"


def test_model_keeps_aws_spellings_as_aliases() -> None:
    details = AuthorizationDetails.model_validate(json.loads(AUTHZ.read_text()))
    role = details.role_detail_list[0]
    assert role.role_name == "app-server"
    dumped = role.model_dump(by_alias=True, exclude_none=True)
    assert {"RoleName", "AssumeRolePolicyDocument", "InstanceProfileList"} <= dumped.keys()


def test_loaded_model_is_frozen() -> None:
    import dataclasses

    snapshot = load_snapshot([AUTHZ])
    user = snapshot.accounts[ACCOUNT].users["alice"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        user.name = "mallory"  # type: ignore[misc]
    with pytest.raises(TypeError):
        user.tags["team"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        snapshot.accounts["1"] = snapshot.accounts[ACCOUNT]  # type: ignore[index]

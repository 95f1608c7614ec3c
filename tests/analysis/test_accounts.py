"""ask, check, who-can, what-can and assume-paths on a hand-written three-account organization.

`fixtures/org.yaml` holds the organization (management 210987654321, data 123456789012 in
the Data OU, ci 234567890123 in the Build OU), its SCP and S3 buckets; each account's IAM
data is `fixtures/authz-ACCOUNT.json`, written in the shape `aws iam
get-account-authorization-details` prints. Most tests drive the CLI in-process through
typer's CliRunner; the ones named `..._subprocess` run the installed `policy-engine`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.catalog import actions_for_resource, actions_of
from policy_engine.cli.app import app
from policy_engine.errors import PolicyEngineError
from policy_engine.snapshot import load_snapshot

RUNNER = CliRunner()

FIXTURES = Path(__file__).parent / "fixtures"
ORG = FIXTURES / "org.yaml"
MGMT, DATA, CI, PARTNER = "210987654321", "123456789012", "234567890123", "345678901234"

LAKE_OBJECT = "arn:aws:s3:::acme-data-lake/q1.csv"
VAULT_ADMIN = f"arn:aws:iam::{DATA}:role/vault-admin"
REPORTER = f"arn:aws:iam::{DATA}:role/reporter"
DEPLOY_CI = f"arn:aws:iam::{CI}:role/deploy-ci"
DEPLOY_DATA = f"arn:aws:iam::{DATA}:role/deploy-data"


# ------------------------------------------------------------------------------ helpers


class _Outcome:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


def _run(*args: str, env: Path = ORG) -> _Outcome:
    """The CLI in-process; a PolicyEngineError becomes exit 2, as `main()` maps it."""
    try:
        result = RUNNER.invoke(app, [*args, "--env", str(env)], catch_exceptions=False,
                               env={"COLUMNS": "250"})
    except PolicyEngineError as error:
        return _Outcome(2, "", error.one_line())
    return _Outcome(result.exit_code, result.stdout, result.stderr)


def _json(*args: str, env: Path = ORG) -> dict:
    outcome = _run(*args, "--format", "json", env=env)
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _subprocess(*args: str, env: Path = ORG) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_script(), *args, "--env", str(env)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "250"},
                          check=False)


def _grants(body: dict) -> dict[str, list[tuple[str, str, str]]]:
    """who-can JSON -> principal -> [(policy role, policy name, statement)]."""
    return {entry["principal"]: [(g["role"], g["policy"], g["statement"])
                                 for g in entry["granting_statements"]]
            for entry in body["allowed"]}


def _paths(body: dict) -> set[tuple[str, ...]]:
    """assume-paths JSON -> the set of role chains, each a tuple of role ARNs."""
    return {tuple(hop["role"] for hop in path["hops"]) for path in body["paths"]}


def _without_boundary(tmp_path: Path) -> Path:
    """A copy of the fixtures in which user grace has no permissions boundary."""
    copy = tmp_path / "org"
    shutil.copytree(FIXTURES, copy)
    authz_path = copy / f"authz-{DATA}.json"
    authz = json.loads(authz_path.read_text())
    (grace,) = [u for u in authz["UserDetailList"] if u["UserName"] == "grace"]
    del grace["PermissionsBoundary"]
    authz_path.write_text(json.dumps(authz, indent=4))
    return copy / "org.yaml"


# ------------------------------------------------------------------------------ the fixture


def test_fixture_loads_unchanged_with_three_accounts_in_one_organization() -> None:
    """The authorization-details files are in the shape the AWS CLI prints
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
    they load with no warning, and the boundary's default version (v2) is the one used, not
    the newest (v3) — only the default version of a managed policy is in effect
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).
    """
    snapshot = load_snapshot([ORG], strict=True)
    assert sorted(snapshot.accounts) == sorted([MGMT, DATA, CI])
    assert snapshot.organization is not None
    assert snapshot.organization.management_account == MGMT
    boundary = snapshot.managed_policy(f"arn:aws:iam::{DATA}:policy/DataLakeReadBoundary")
    assert boundary is not None
    assert [v.version_id for v in boundary.versions] == ["v3", "v2", "v1"]
    assert boundary.default_version_id == "v2"


# ------------------------------------------------------------------------------ ask


def test_user_allowed_through_group_policy() -> None:
    """A user's permissions include the policies of every group it belongs to
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html); erin is in `analysts`,
    whose inline policy allows the read. frank, in no group, gets the default implicit deny
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    """
    body = _json("ask", f"user/erin s3:GetObject {LAKE_OBJECT}")
    assert body["decision"] == "allowed"
    assert body["explanation"]["decided_by"] == "identity"
    assert body["explanation"]["deciding_policy"] == "read-data-lake"

    assert _json("ask", f"user/frank s3:GetObject {LAKE_OBJECT}")["decision"] == "implicitDeny"
    # The group allows reading only.
    assert _json("ask", f"user/erin s3:PutObject {LAKE_OBJECT}")["decision"] == "implicitDeny"


def test_role_allowed_through_bucket_policy_naming_it() -> None:
    """Within one account a request is allowed when either an identity-based or a
    resource-based policy allows it; a bucket policy naming the role is enough
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
    "Identity-based policies with resource-based policies"). The role `etl` has no S3
    permission of its own: on another bucket it is denied.
    """
    body = _json("ask", "can role/etl do s3:PutObject on arn:aws:s3:::acme-staging/b7.parquet")
    assert body["decision"] == "allowed"
    assert body["explanation"]["decided_by"] == "resource-policy"

    assert _json("ask", f"role/etl s3:PutObject {LAKE_OBJECT}")["decision"] == "implicitDeny"
    grants = _grants(_json("who-can", "s3:PutObject", "arn:aws:s3:::acme-staging/b7.parquet"))
    etl = f"arn:aws:sts::{DATA}:assumed-role/etl/session"
    assert grants[etl] == [("resource", "arn:aws:s3:::acme-staging", "EtlReadsAndWrites")]


def test_ask_expect_sets_the_exit_code() -> None:
    """`--expect` turns the answer into an exit code. `denied` is met by an implicit deny,
    the default when nothing allows
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    """
    question = f"user/frank s3:GetObject {LAKE_OBJECT}"
    assert _run("ask", question, "--expect", "implicitDeny").exit_code == 0
    assert _run("ask", question, "--expect", "denied").exit_code == 0
    assert _run("ask", question, "--expect", "allowed").exit_code == 1
    assert _run("ask", question, "--expect", "explicitDeny").exit_code == 1
    assert _run("ask", f"user/erin s3:GetObject {LAKE_OBJECT}", "--expect",
                "allowed").exit_code == 0


def test_ask_expect_subprocess() -> None:
    """The installed script: an SCP Deny is an explicit deny that no Allow overrides
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html);
    a met expectation exits 0, an unmet one 1, and the answer is printed either way.
    """
    question = f"can role/deploy-data do sts:AssumeRole on {VAULT_ADMIN}"
    met = _subprocess("ask", question, "--expect", "explicitDeny")
    assert met.returncode == 0, met.stderr
    assert "DenyVaultAdmin" in met.stdout
    unmet = _subprocess("ask", question, "--expect", "allowed")
    assert unmet.returncode == 1, unmet.stderr
    assert any(line.startswith("explicitDeny") for line in unmet.stdout.splitlines())
    assert unmet.stderr == ""


# ------------------------------------------------------------------------------ assume-paths


def test_three_hop_cross_account_chain_stops_at_the_scp() -> None:
    """Each hop of a role chain needs both sides: the target's trust policy and the caller's
    own permissions, and across accounts both accounts must allow
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
    SCPs limit every principal of the accounts below the OU they are attached to
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
    `DenyVaultAdmin` on the Data OU blocks deploy-data -> vault-admin although the trust
    policy and deploy-data's own policy both allow it. So ci-bot reaches deploy-ci (ci),
    deploy-data (data, cross-account) and reporter, but never vault-admin.
    """
    body = _json("assume-paths", "user/ci-bot")
    assert body["from"] == f"{CI}:user/ci-bot"
    assert _paths(body) == {
        (DEPLOY_CI,),
        (DEPLOY_CI, DEPLOY_DATA),
        (DEPLOY_CI, DEPLOY_DATA, REPORTER),
    }
    assert not any(VAULT_ADMIN in path for path in _paths(body))

    blocked = _json("ask", f"can role/deploy-data do sts:AssumeRole on {VAULT_ADMIN}")
    assert blocked["decision"] == "explicitDeny"
    assert "DenyVaultAdmin" in blocked["explanation"]["reason"]


def test_assume_paths_to_filters_on_the_last_role() -> None:
    """`--to` keeps the chains that end at that role. Reaching reporter takes three hops
    (trust policies name only the previous role:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html, "Role
    chaining"); vault-admin is unreachable from ci-bot because of the SCP
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
    """
    to_reporter = _json("assume-paths", "user/ci-bot", "--to", REPORTER)
    assert _paths(to_reporter) == {(DEPLOY_CI, DEPLOY_DATA, REPORTER)}
    assert _paths(_json("assume-paths", "user/ci-bot", "--to", VAULT_ADMIN)) == set()
    # --max-hops cuts the walk short of the third hop.
    assert _paths(_json("assume-paths", "user/ci-bot", "--to", REPORTER,
                        "--max-hops", "2")) == set()


def test_assume_paths_to_subprocess() -> None:
    """The installed script, JSON and text output. SCPs never restrict the management
    account (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
    so OrgAdmin there reaches vault-admin in one hop where the Data OU's principals cannot.
    """
    done = _subprocess("assume-paths", "user/ci-bot", "--to", REPORTER, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert _paths(json.loads(done.stdout)) == {(DEPLOY_CI, DEPLOY_DATA, REPORTER)}

    admin = _subprocess("assume-paths", "role/OrgAdmin", "--to", VAULT_ADMIN, "--format", "json")
    assert admin.returncode == 0, admin.stderr
    assert _paths(json.loads(admin.stdout)) == {(VAULT_ADMIN,)}

    text = _subprocess("assume-paths", "user/ci-bot", "--to", REPORTER)
    assert text.returncode == 0, text.stderr
    assert "role/reporter" in text.stdout and "vault-admin" not in text.stdout


# ------------------------------------------------------------------------------ who-can


def test_public_bucket_found_by_who_can() -> None:
    """A bucket policy with `Principal: "*"` grants anonymous access: the bucket is public
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous).
    who-can lists the anonymous caller `*` with the statement that grants it; a private
    bucket does not list it.
    """
    grants = _grants(_json("who-can", "s3:GetObject", "arn:aws:s3:::acme-public-assets/logo.png"))
    assert grants["*"] == [("resource", "arn:aws:s3:::acme-public-assets", "PublicRead")]
    # The Allow is for reads only.
    assert "*" not in _grants(_json("who-can", "s3:PutObject",
                                    "arn:aws:s3:::acme-public-assets/logo.png"))
    assert "*" not in _grants(_json("who-can", "s3:GetObject", LAKE_OBJECT))


def test_public_bucket_who_can_subprocess() -> None:
    """Same rule as above (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous),
    through the installed script's text output."""
    done = _subprocess("who-can", "s3:GetObject", "arn:aws:s3:::acme-public-assets/logo.png")
    assert done.returncode == 0, done.stderr
    (line,) = [row for row in done.stdout.splitlines() if "anonymous (*)" in row]
    assert "PublicRead" in line


def test_who_can_lists_other_account_roots_named_by_a_bucket_policy() -> None:
    """A resource policy may name an account by id or by its root ARN; both mean the
    account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
    The account is then trusted to delegate with its own identity policies, so its IAM
    principals need an identity-side Allow too
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
    ci-bot, with no S3 permission, is not listed; the partner account outside the snapshot is.
    """
    grants = _grants(_json("who-can", "s3:GetObject", "arn:aws:s3:::acme-exchange/feed.csv"))
    statement = ("resource", "arn:aws:s3:::acme-exchange", "PartnerAccountsRead")
    assert grants[f"arn:aws:iam::{CI}:root"] == [statement]
    assert grants[f"arn:aws:iam::{PARTNER}:root"] == [statement]
    assert f"arn:aws:iam::{CI}:user/automation/ci-bot" not in grants
    assert "*" not in grants
    # Inside the owning account, an identity policy alone is enough.
    assert f"arn:aws:sts::{DATA}:assumed-role/vault-admin/session" in grants


# ------------------------------------------------------------------------------ what-can


def test_boundary_removes_actions_from_what_can(tmp_path: Path) -> None:
    """A permissions boundary caps a principal's identity-based permissions: an action must
    be allowed by both (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
    grace's DataLakeFullAccess allows `s3:*` on the lake; her boundary's default version
    allows only `s3:Get*` and `s3:List*`. Without the boundary, writes and deletes come back.
    """
    resource = "arn:aws:s3:::acme-data-lake/x.csv"
    bounded = {a["action"] for a in _json("what-can", "user/grace", resource, "--service", "s3")
               ["allowed"]}
    free = {a["action"] for a in _json("what-can", "user/grace", resource, "--service", "s3",
                                       env=_without_boundary(tmp_path))["allowed"]}
    assert bounded < free
    assert {"s3:GetObject", "s3:GetObjectTagging"} <= bounded
    assert {"s3:PutObject", "s3:DeleteObject"} <= free - bounded
    assert all(a.split(":")[1].startswith(("Get", "List")) for a in bounded)
    assert all(not a.split(":")[1].startswith(("Get", "List")) for a in free - bounded)

    # The library API says the same.
    report = what_can(Resolver(load_snapshot([ORG])), "user/grace", resource, service="s3")
    assert {a.action.full_name for a in report.allowed} == bounded


def test_what_can_is_limited_to_the_resource_type() -> None:
    """Each action applies to the resource types the Service Authorization Reference lists
    for it (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html,
    "Resource types" column): an object ARN is considered only for object actions, a bucket
    ARN only for bucket actions, even for a role allowed `*`.
    """
    on_object = _json("what-can", "role/vault-admin", LAKE_OBJECT)
    catalogue = actions_for_resource(LAKE_OBJECT)
    assert on_object["considered"] == len(catalogue) > 0
    object_actions = {a.full_name for a in actions_of("s3") if "object" in a.resource_types}
    allowed = {a["action"] for a in on_object["allowed"]}
    assert allowed == {a.full_name for a in catalogue} <= object_actions
    assert "s3:GetObject" in allowed
    assert not {"s3:ListBucket", "s3:CreateBucket", "ec2:RunInstances"} & allowed

    bucket = {a["action"] for a in _json("what-can", "role/vault-admin",
                                         "arn:aws:s3:::acme-data-lake")["allowed"]}
    assert "s3:ListBucket" in bucket and "s3:GetObject" not in bucket


# ------------------------------------------------------------------------------ check


def test_check_passes_with_exit_code_0() -> None:
    """Every assertion of checks-pass.whatif holds; each relies on the evaluation logic of
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    (group policies, bucket policies, an SCP Deny, the default implicit deny)."""
    outcome = _run("check", str(FIXTURES / "checks-pass.whatif"))
    assert outcome.exit_code == 0, outcome.stderr
    assert "5/5 assertions hold" in outcome.stdout


@pytest.mark.parametrize("output_format", ["text", "json", "junit"])
def test_check_failing_assertion_exits_1(output_format: str) -> None:
    """Line 3 expects frank, who is in no group, to be allowed; nothing allows him, so the
    implicit deny stands (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
    and check exits 1 in every output format, naming the failing line.
    """
    outcome = _run("check", str(FIXTURES / "checks-fail.whatif"), "--format", output_format)
    assert outcome.exit_code == 1, outcome.stderr
    if output_format == "text":
        (row,) = [line for line in outcome.stdout.splitlines() if "FAIL" in line]
        assert "user/frank s3:GetObject" in row and "implicitDeny" in row
        assert "2/3 assertions hold" in outcome.stdout
    elif output_format == "json":
        body = json.loads(outcome.stdout)
        assert body["passed"] is False
        assert [(r["line"], r["passed"]) for r in body["results"]] == [
            (2, True), (3, False), (4, True)]
        assert body["results"][1]["expected"] == "allowed"
        assert body["results"][1]["decision"] == "implicitDeny"
    else:
        suite = ElementTree.fromstring(outcome.stdout)
        assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "3", "1")
        failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
        assert [case.get("name", "")[:7] for case in failed] == ["line 3:"]
        assert failed[0].find("failure").get("message") == "expected allowed, got implicitDeny"


def test_check_junit_subprocess() -> None:
    """The installed script as a CI system runs it: JUnit on stdout, exit 1 on a failure
    (frank's implicit deny: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
    exit 0 when every assertion holds."""
    failing = _subprocess("check", str(FIXTURES / "checks-fail.whatif"), "--format", "junit")
    assert failing.returncode == 1, failing.stderr
    assert ElementTree.fromstring(failing.stdout).get("failures") == "1"
    passing = _subprocess("check", str(FIXTURES / "checks-pass.whatif"), "--format", "junit")
    assert passing.returncode == 0, passing.stderr
    assert ElementTree.fromstring(passing.stdout).get("failures") == "0"

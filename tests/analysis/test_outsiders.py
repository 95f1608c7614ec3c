"""Principals outside the snapshot (issue 13, item 4), through the installed `policy-engine`.

An outsider's own account is not in the snapshot, so its identity-based policies (and
whatever else that account applies to it) are unknown: the resource side and the
organization's controls are evaluated exactly, the identity side is assumed to allow, and
an Allow is reported as "allowed if their own account allows it", never as a plain Allow.
Cross-account access needs both sides:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"
FIXTURES = Path(__file__).parent / "fixtures"
OUTSIDER = "123456789012"  # not an account of the example organization
WEBSITE = "arn:aws:s3:::example-public-website/index.html"
PARTNER, OTHER = "345678901234", "456789012345"  # outside the tests' org fixture


def _script() -> str:
    return shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")


def _run(*args: str, env: Path = EXAMPLE) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([_script(), *args, "--env", str(env)], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"COLUMNS": "400", "PATH": ""})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _json(*args: str, env: Path = EXAMPLE) -> dict:
    done = _run(*args, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _ask(question: str) -> dict:
    return _json("ask", question)


# ------------------------------------------------------------------ ask


def test_outsider_allowed_by_a_public_bucket_is_conditional() -> None:
    """`Principal: "*"` in a bucket policy lets principals of other accounts in, but they
    must also be allowed by their own account (reference_policies_elements_principal.html,
    "All principals"; reference_policies_evaluation-logic-cross-account.html). SCPs apply
    only to the caller's account's principals, and that account has none known
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
    """
    body = _ask(f"can {OUTSIDER}:role/ext do s3:GetObject on {WEBSITE} "
                "when aws:SecureTransport = true")
    assert body["decision"] == "allowed"
    assert body["outside_snapshot"] is True
    assert body["allowed_if"] == f"account {OUTSIDER} allows it"
    explanation = body["explanation"]
    assert explanation["request"]["principal"] == \
        f"arn:aws:sts::{OUTSIDER}:assumed-role/ext/session"
    assert explanation["request"]["cross_account"] is True
    assert not [p for p in explanation["policies"] if p["role"] == "scp"]
    assert any("unknown" in note and "assumed to allow" in note
               for note in explanation["notes"])


def test_outsider_text_output_says_it_is_conditional() -> None:
    """reference_policies_evaluation-logic-cross-account.html (both sides must allow)."""
    done = _run("ask", f"can arn:aws:iam::{OUTSIDER}:user/eve do s3:GetObject on {WEBSITE} "
                "when aws:SecureTransport = true")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith(f"allowed only if account {OUTSIDER} allows it")
    assert "assumed to allow" in " ".join(done.stdout.split())


def test_the_resource_accounts_rcp_denies_an_outsider() -> None:
    """RCPs restrict every principal, inside or outside the organization, acting on the
    organization's resources (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html):
    the root's EnforceTlsForS3 denies plain HTTP."""
    body = _ask(f"can {OUTSIDER}:role/ext do s3:GetObject on {WEBSITE} "
                "when aws:SecureTransport = false")
    assert body["decision"] == "explicitDeny"
    assert body["explanation"]["deciding_policy"] == "EnforceTlsForS3"
    assert "allowed_if" not in body


def test_an_outsider_without_a_resource_policy_grant_is_denied() -> None:
    """No resource-policy Allow for it: no cross-account access, whatever its own account
    allows (reference_policies_evaluation-logic-cross-account.html)."""
    body = _ask(f"can {OUTSIDER}:role/ext do s3:GetObject on "
                "arn:aws:s3:::example-prod-reports/may.pdf when aws:SecureTransport = true")
    assert body["decision"] == "implicitDeny"
    assert body["explanation"]["decided_by"] == "resource-policy"
    assert "allowed_if" not in body


def test_a_role_name_without_an_account_is_still_unknown() -> None:
    """Without its account, `role/ext` cannot be placed (reference_identifiers.html)."""
    done = _run("ask", f"can role/ext do s3:GetObject on {WEBSITE}")
    assert done.returncode == 2
    assert "`role/ext` is not a role in the snapshot" in done.stderr


# ------------------------------------------------------------------ who-can


def _outsiders(body: dict) -> dict[str, dict]:
    return {g["display"]: g for g in body["allowed"] if g.get("outside_snapshot")}


def test_who_can_lists_any_other_account_for_a_public_bucket() -> None:
    """A `Principal: "*"` Allow is external access for any account
    (reference_policies_elements_principal.html, "All principals"); as with Access
    Analyzer's external-access findings, it is listed, conditional on the caller's own
    account (reference_policies_evaluation-logic-cross-account.html)."""
    body = _json("who-can", "s3:GetObject", WEBSITE)
    outsiders = _outsiders(body)
    assert list(outsiders) == ["any principal of another account"]
    grant = outsiders["any principal of another account"]
    assert grant["allowed_if"] == "their own account allows it"
    text = _run("who-can", "s3:GetObject", WEBSITE)
    assert "allowed if their own account allows it" in " ".join(text.stdout.split())


def test_who_can_lists_only_in_snapshot_principals_for_a_private_bucket() -> None:
    """reference_policies_evaluation-logic-cross-account.html: no resource-policy grant to
    another account, no external access."""
    body = _json("who-can", "s3:GetObject", "arn:aws:s3:::example-prod-reports/may.pdf")
    assert _outsiders(body) == {}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' organization with three more buckets: one naming a role of a partner
    account, one open to the organization only, one open to one other account."""
    folder = tmp_path_factory.mktemp("shared") / "fixtures"
    shutil.copytree(FIXTURES, folder)
    snapshot = folder / "org.yaml"

    def bucket(name: str, principal: str, condition: str = "") -> str:
        text = (f"    - name: {name}\n      account: \"123456789012\"\n      policy:\n"
                "        Version: \"2012-10-17\"\n        Statement:\n"
                f"          - Effect: Allow\n            Principal: {principal}\n"
                "            Action: s3:GetObject\n"
                f"            Resource: arn:aws:s3:::{name}/*\n")
        return text + (f"            Condition: {condition}\n" if condition else "")

    extra = (bucket("acme-partner", f"{{AWS: arn:aws:iam::{PARTNER}:role/partner-reader}}")
             + bucket("acme-org-only", '"*"',
                      "{StringEquals: {aws:PrincipalOrgID: o-acme000001}}")
             + bucket("acme-one-other", '"*"',
                      f"{{StringEquals: {{aws:PrincipalAccount: \"{OTHER}\"}}}}"))
    snapshot.write_text(snapshot.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra,
                        encoding="utf-8")
    return snapshot


def test_who_can_lists_a_named_role_of_another_account(shared: Path) -> None:
    """A role ARN in `Principal` grants that role's sessions; from another account its
    own identity policies must also allow (reference_policies_elements_principal.html,
    "IAM role principals"; reference_policies_evaluation-logic-cross-account.html)."""
    body = _json("who-can", "s3:GetObject", "arn:aws:s3:::acme-partner/x", env=shared)
    outsiders = _outsiders(body)
    assert list(outsiders) == [f"{PARTNER}:role/partner-reader"]
    grant = outsiders[f"{PARTNER}:role/partner-reader"]
    assert grant["principal"] == f"arn:aws:sts::{PARTNER}:assumed-role/partner-reader/session"
    assert grant["allowed_if"] == f"account {PARTNER} allows it"


def test_who_can_marks_an_account_named_outside_the_snapshot(shared: Path) -> None:
    """An account principal delegates to that account's IAM policies
    (reference_policies_elements_principal.html, "AWS account principals")."""
    body = _json("who-can", "s3:GetObject", "arn:aws:s3:::acme-exchange/feed.csv", env=shared)
    outsiders = _outsiders(body)
    assert list(outsiders) == [f"arn:aws:iam::{PARTNER}:root"]
    assert outsiders[f"arn:aws:iam::{PARTNER}:root"]["allowed_if"] == \
        f"account {PARTNER} allows it"


def test_who_can_an_org_only_bucket_has_no_external_access(shared: Path) -> None:
    """`aws:PrincipalOrgID` holds only for principals of the organization
    (reference_policies_condition-keys.html#condition-keys-principalorgid)."""
    body = _json("who-can", "s3:GetObject", "arn:aws:s3:::acme-org-only/x", env=shared)
    assert _outsiders(body) == {}
    assert body["allowed"]  # the organization's own principals are


def test_who_can_lists_the_account_a_condition_names(shared: Path) -> None:
    """`Principal: "*"` narrowed by `aws:PrincipalAccount` admits that account only
    (reference_policies_condition-keys.html#condition-keys-principalaccount)."""
    body = _json("who-can", "s3:GetObject", "arn:aws:s3:::acme-one-other/x", env=shared)
    outsiders = _outsiders(body)
    assert list(outsiders) == [f"arn:aws:iam::{OTHER}:root"]
    assert outsiders[f"arn:aws:iam::{OTHER}:root"]["allowed_if"] == f"account {OTHER} allows it"


# ------------------------------------------------------------------ check


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_check_marks_an_outsiders_allow(tmp_path: Path, output_format: str) -> None:
    """reference_policies_evaluation-logic-cross-account.html: an outsider's Allow depends
    on its own account, so the check says so next to the decision."""
    path = tmp_path / "outside.whatif"
    path.write_text(f"expect allowed: {OUTSIDER}:role/ext s3:GetObject {WEBSITE} "
                    "when aws:SecureTransport = true\n", encoding="utf-8")
    done = _run("check", str(path), "--format", output_format)
    assert done.returncode == 0, done.stderr
    if output_format == "json":
        (result,) = json.loads(done.stdout)["results"]
        assert result["allowed_if"] == f"account {OUTSIDER} allows it"
    else:
        assert f"allowed if account {OUTSIDER} allows it" in " ".join(done.stdout.split())


# ------------------------------------------------------------------ what-can


def test_what_can_marks_an_outsiders_actions() -> None:
    """`Principal: "*"` grants the public website's objects to other accounts only with
    their own account's Allow too (reference_policies_evaluation-logic-cross-account.html).
    """
    body = _json("what-can", f"{OUTSIDER}:role/ext", WEBSITE, "--service", "s3")
    assert [a["action"] for a in body["allowed"]] == ["s3:GetObject"]
    assert body["allowed_if"] == f"account {OUTSIDER} allows it"
    text = _run("what-can", f"{OUTSIDER}:role/ext", WEBSITE, "--service", "s3")
    assert f"allowed only if account {OUTSIDER} allows it" in " ".join(text.stdout.split())


# ------------------------------------------------------------------ assume-paths


def test_assume_paths_from_an_outsider_is_conditional(shared: Path) -> None:
    """A role whose trust policy names another account's role admits it only if that
    role's own identity policies allow sts:AssumeRole on it
    (reference_policies_evaluation-logic-cross-account.html;
    id_roles_common-scenarios_aws-accounts.html).
    The tests' `deploy-data` trusts only `deploy-ci`, so an outsider gets no chain, and
    the output still says its first hop would depend on its own account."""
    done = _run("assume-paths", f"{PARTNER}:role/partner-reader", "--format", "json",
                env=shared)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["allowed_if"] == f"account {PARTNER} allows it"
    text = _run("assume-paths", f"{PARTNER}:role/partner-reader", env=shared)
    assert f"allowed only if account {PARTNER} allows it" in " ".join(text.stdout.split())

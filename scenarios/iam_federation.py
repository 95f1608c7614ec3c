"""iam-sts-federation: who gets which temporary credentials, and what they can do.

Cross-account AssumeRole guarded by an external id, web identity federation (GitHub
Actions' OIDC provider, trust conditions on the audience and subject), SAML federation,
GetFederationToken and GetSessionToken, and an MFA condition. Every answer is the
engine's, over the snapshot below; STS's own rules (who may call GetSessionToken and
GetFederationToken) are the engine's service rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policy_engine.scenario.api import AccessCheck, Check, Narrate
from policy_engine.scenario.build import (
    authorization_details,
    document,
    inline,
    role,
    trust_account,
    user,
)
from policy_engine.scenario.questions import About, decision

PROD = "111122223333"
PARTNER = "222233334444"
GITHUB = "token.actions.githubusercontent.com"
OIDC = f"arn:aws:iam::{PROD}:oidc-provider/{GITHUB}"
SAML = f"arn:aws:iam::{PROD}:saml-provider/Okta"
EXTERNAL_ID = "Audit-7731"
REPO_MAIN = "repo:example-corp/web:ref:refs/heads/main"

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
EXTERNAL_ID_PAGE = _IAM + "id_roles_common-scenarios_third-party.html"
OIDC_PAGE = _IAM + "id_roles_providers_create_oidc.html"
SAML_PAGE = _IAM + "id_roles_providers_saml.html"
STS_COMPARISON = _IAM + "id_credentials_temp_request.html"
MFA_PAGE = _IAM + "id_credentials_mfa_configure-api-require.html"
CONDITION_KEYS_PAGE = _IAM + "reference_policies_condition-keys.html"


def _role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _prod_roles() -> list[dict[str, Any]]:
    partner_trust = document({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}})
    github_trust = document({
        "Effect": "Allow", "Principal": {"Federated": OIDC},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com",
                                       f"{GITHUB}:sub": REPO_MAIN}}})
    saml_trust = document({
        "Effect": "Allow", "Principal": {"Federated": SAML},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
    read_only = inline("read-reports", {"Effect": "Allow", "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::example-reports/*"})
    return [role(PROD, "partner-audit", partner_trust, read_only),
            role(PROD, "github-deploy", github_trust, inline("deploy-site", {
                "Effect": "Allow", "Action": ["s3:PutObject"],
                "Resource": "arn:aws:s3:::example-web/*"})),
            role(PROD, "okta-admins", saml_trust),
            role(PROD, "batch", trust_account(PROD), read_only)]


def _prod_users() -> list[dict[str, Any]]:
    mfa = inline("stop-instances-with-mfa", {
        "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
    federate = inline("federate-partners", {
        "Effect": "Allow", "Action": "sts:GetFederationToken",
        "Resource": f"arn:aws:sts::{PROD}:federated-user/partner-*"})
    return [user(PROD, "operator", mfa), user(PROD, "broker", federate)]


def _partner_roles() -> list[dict[str, Any]]:
    assume = inline("assume-customer-audit-roles", {
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/partner-audit"})
    return [role(PARTNER, "auditor", trust_account(PARTNER), assume)]


class IamStsFederation:
    name = "iam-sts-federation"
    title = "Temporary credentials: AssumeRole, web identity, SAML, federation tokens"
    topic = "sts"
    summary = ("A partner assumes a role with an external id; GitHub Actions and Okta "
               "federate into roles whose trust policies check the token's claims; users "
               "get session and federation tokens; an MFA condition guards a risky action.")

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": "policy-engine-snapshot/1",
            "description": "iam-sts-federation: a production account and a partner",
            "accounts": [
                {"id": PROD, "name": "prod", "identity_providers": [OIDC, SAML],
                 "authorization_details": authorization_details(
                     users=_prod_users(), roles=_prod_roles())},
                {"id": PARTNER, "name": "partner",
                 "authorization_details": authorization_details(roles=_partner_roles())},
            ],
        }

    def checks(self) -> Sequence[Check]:
        audit = _role_arn(PROD, "partner-audit")
        deploy = _role_arn(PROD, "github-deploy")
        admins = _role_arn(PROD, "okta-admins")
        token = f"{GITHUB}:aud = sts.amazonaws.com and {GITHUB}:sub"
        return (
            AccessCheck("the partner assumes the audit role with the agreed external id",
                        f"expect allowed: {PARTNER}:role/auditor sts:AssumeRole {audit} "
                        f"when sts:ExternalId = {EXTERNAL_ID}", EXTERNAL_ID_PAGE),
            AccessCheck("without the external id the partner cannot assume it",
                        f"expect implicitDeny: {PARTNER}:role/auditor sts:AssumeRole {audit}",
                        EXTERNAL_ID_PAGE),
            AccessCheck("a wrong external id is refused (the confused-deputy guard)",
                        f"expect implicitDeny: {PARTNER}:role/auditor sts:AssumeRole {audit} "
                        "when sts:ExternalId = guess", EXTERNAL_ID_PAGE),
            AccessCheck("a GitHub Actions job on main federates into the deploy role",
                        f"expect allowed: {OIDC} sts:AssumeRoleWithWebIdentity {deploy} "
                        f"when {token} = \"{REPO_MAIN}\"", OIDC_PAGE),
            AccessCheck("a job on another branch is refused by the subject condition",
                        f"expect implicitDeny: {OIDC} sts:AssumeRoleWithWebIdentity {deploy} "
                        f"when {token} = \"repo:example-corp/web:ref:refs/heads/feature\"",
                        OIDC_PAGE),
            AccessCheck("an Okta SAML assertion for the AWS sign-in audience is accepted",
                        f"expect allowed: {SAML} sts:AssumeRoleWithSAML {admins} when "
                        "SAML:aud = https://signin.aws.amazon.com/saml", SAML_PAGE),
            AccessCheck("the operator stops instances when signed in with MFA",
                        "expect allowed: user/operator ec2:StopInstances "
                        f"arn:aws:ec2:us-east-1:{PROD}:instance/i-0abc1234def567890 "
                        "when aws:MultiFactorAuthPresent = true", MFA_PAGE),
            AccessCheck("without MFA the same call is refused",
                        "expect implicitDeny: user/operator ec2:StopInstances "
                        f"arn:aws:ec2:us-east-1:{PROD}:instance/i-0abc1234def567890 "
                        "when aws:MultiFactorAuthPresent = false", MFA_PAGE),
            AccessCheck("an IAM user needs no permission to call GetSessionToken",
                        "expect allowed: user/operator sts:GetSessionToken *",
                        STS_COMPARISON),
            AccessCheck("the broker gets federation tokens for partner users",
                        "expect allowed: user/broker sts:GetFederationToken "
                        f"arn:aws:sts::{PROD}:federated-user/partner-anna", STS_COMPARISON),
            AccessCheck("a role session cannot call GetFederationToken",
                        "expect denied: role/batch sts:GetFederationToken "
                        f"arn:aws:sts::{PROD}:federated-user/partner-anna", STS_COMPARISON),
        )

    def questions(self) -> Sequence[Mapping[str, Any]]:
        return _questions()

    def run(self, narrate: Narrate) -> None:
        from policy_engine.scenario.checks import run_checks

        narrate("Each line asks the engine who may obtain which temporary credentials:")
        for result in run_checks(self):
            mark = "[green]ok[/green]" if result.passed else "[red]UNEXPECTED[/red]"
            narrate(f"- {result.name}: {result.actual} ({result.reason})  {mark}")


def _questions() -> list[dict[str, Any]]:
    about = About("sts", ("scs-c02:iam", "saa-c03:secure"), (STS_COMPARISON,))
    audit, deploy = _role_arn(PROD, "partner-audit"), _role_arn(PROD, "github-deploy")
    admins = _role_arn(PROD, "okta-admins")
    token = f"{GITHUB}:aud = sts.amazonaws.com and {GITHUB}:sub"
    instance = f"arn:aws:ec2:us-east-1:{PROD}:instance/i-0abc1234def567890"
    partner = f"{PARTNER}:role/auditor"
    federated = f"arn:aws:sts::{PROD}:federated-user/partner-anna"
    return [
        decision(about, "sts-federation-external-id-given",
                 f"Role partner-audit (account {PROD}) trusts account {PARTNER} for "
                 f"sts:AssumeRole when sts:ExternalId is {EXTERNAL_ID}. Role auditor in "
                 f"{PARTNER} may assume partner-audit by its IAM policy and passes that "
                 "external id. Decision?",
                 f"{partner} sts:AssumeRole {audit} when sts:ExternalId = {EXTERNAL_ID}",
                 topic="evaluation-cross-account", references=(EXTERNAL_ID_PAGE,)),
        decision(about, "sts-federation-external-id-missing",
                 "The same partner role assumes partner-audit without an external id. "
                 "Decision?", f"{partner} sts:AssumeRole {audit}",
                 topic="evaluation-cross-account", references=(EXTERNAL_ID_PAGE,)),
        decision(about, "sts-federation-external-id-wrong",
                 "The partner role passes the external id `guess` instead of the agreed "
                 "one. Decision?", f"{partner} sts:AssumeRole {audit} when "
                 "sts:ExternalId = guess", topic="evaluation-cross-account",
                 references=(EXTERNAL_ID_PAGE,)),
        decision(about, "sts-federation-github-main",
                 "Role github-deploy trusts GitHub's OIDC provider for "
                 "AssumeRoleWithWebIdentity when the token's aud is sts.amazonaws.com and "
                 f"its sub is {REPO_MAIN}. A workflow on main presents such a token. "
                 "Decision?", f"{OIDC} sts:AssumeRoleWithWebIdentity {deploy} when {token} "
                 f"= \"{REPO_MAIN}\"", topic="federation", references=(OIDC_PAGE,)),
        decision(about, "sts-federation-github-feature-branch",
                 "The same role; a workflow on branch feature presents a token whose sub is "
                 "repo:example-corp/web:ref:refs/heads/feature. Decision?",
                 f"{OIDC} sts:AssumeRoleWithWebIdentity {deploy} when {token} = "
                 "\"repo:example-corp/web:ref:refs/heads/feature\"", topic="federation",
                 difficulty="hard", references=(OIDC_PAGE,)),
        decision(about, "sts-federation-saml-audience",
                 "Role okta-admins trusts the Okta SAML provider for AssumeRoleWithSAML "
                 "when SAML:aud is https://signin.aws.amazon.com/saml. An assertion for that "
                 "audience arrives. Decision?", f"{SAML} sts:AssumeRoleWithSAML {admins} "
                 "when SAML:aud = https://signin.aws.amazon.com/saml", topic="federation",
                 references=(SAML_PAGE,)),
        decision(about, "sts-federation-mfa-present",
                 "User operator may call ec2:StopInstances when aws:MultiFactorAuthPresent "
                 "is true. The operator signed in with MFA. Decision?",
                 f"user/operator ec2:StopInstances {instance} when "
                 "aws:MultiFactorAuthPresent = true", topic="iam-best-practices",
                 references=(MFA_PAGE,)),
        decision(about, "sts-federation-mfa-absent",
                 "The same user calls ec2:StopInstances with its long-term access keys. "
                 "A request signed with long-term keys carries no aws:MultiFactorAuthPresent "
                 "key at all (it is not false: it is absent). Decision?",
                 f"user/operator ec2:StopInstances {instance}", topic="iam-best-practices",
                 references=(MFA_PAGE, CONDITION_KEYS_PAGE)),
        decision(about, "sts-federation-get-session-token",
                 "User operator has no policy naming sts:GetSessionToken and calls it with "
                 "its access keys. Decision?", "user/operator sts:GetSessionToken *",
                 difficulty="hard"),
        decision(about, "sts-federation-broker-federation-token",
                 "User broker's policy allows sts:GetFederationToken on "
                 f"arn:aws:sts::{PROD}:federated-user/partner-*. It asks a token for "
                 "partner-anna. Decision?", f"user/broker sts:GetFederationToken {federated}"),
        decision(about, "sts-federation-role-session-federation-token",
                 "A session of role batch (which has no policy naming STS) calls "
                 "sts:GetFederationToken. Decision?",
                 f"role/batch sts:GetFederationToken {federated}", difficulty="hard"),
    ]


SCENARIO = IamStsFederation()

"""iam-sts-federation: who gets which temporary credentials, and what they can do.

Cross-account AssumeRole guarded by an external id, web identity federation (GitHub
Actions' OIDC provider, trust conditions on the audience and subject), SAML federation,
GetFederationToken and GetSessionToken, and an MFA condition. Every answer is the
engine's, over the snapshot below; STS's own rules (who may call GetSessionToken and
GetFederationToken) are the engine's service rules.
"""

from __future__ import annotations

from collections.abc import Sequence
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

    def run(self, narrate: Narrate) -> None:
        from policy_engine.scenario.checks import run_checks

        narrate("Each line asks the engine who may obtain which temporary credentials:")
        for result in run_checks(self):
            mark = "[green]ok[/green]" if result.passed else "[red]UNEXPECTED[/red]"
            narrate(f"- {result.name}: {result.actual} ({result.reason})  {mark}")


SCENARIO = IamStsFederation()

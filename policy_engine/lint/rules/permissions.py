"""Security checks on what a policy's Allow statements grant: `iam:PassRole` on every
role, Allow with NotAction or NotResource, full administrator access, privilege
escalation (single actions and combinations), and data-exfiltration,
credentials-exposure and permissions-management actions on every resource.

Actions are expanded through the catalogue, NotAction by complement, and resources are
compared with each action's resource types (`policy_engine.lint.action_scope`). The
"on every resource" rules apply to identity-side policies that grant (identity and
inline policies, AWS managed policies): in a resource policy `Resource: "*"` means the
resource the policy is attached to, and a bucket policy granting `s3:*` to another
account is access to that bucket, not privilege escalation. No rule reads a Deny, nor
a guardrail kind (SCP, RCP, permissions boundary, session policy), whose Allow grants
nothing by itself.

Severities: security-warning for the rules AWS's Access Analyzer reports as security
warnings and for privilege escalation and full admin access (each lets a principal
reach everything); warning for data exfiltration, credentials exposure and permissions
management on every resource (least-privilege findings that a role built for the job,
such as a backup or CI role, may legitimately carry).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from policy_engine.lint import action_scope
from policy_engine.lint.action_scope import Category, GrantedAction
from policy_engine.lint.kinds import GRANTING, IDENTITY_SIDE
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.rules import escalation
from policy_engine.lint.severity import Severity

IDENTITY_GRANTING = GRANTING & IDENTITY_SIDE
_SHOWN = 5  # actions named in one message; the rest are counted

_ESCALATION = {m.action.lower(): m.how for m in escalation.SINGLE_ACTIONS}
_PASS_ROLE = escalation.PASS_ROLE.lower()
_COMBINED = frozenset({_PASS_ROLE} | {a.lower() for c in escalation.COMBINATIONS
                                      for step in c.steps for a in step})


# ------------------------------------------------------------------ PassRole


def _pass_role_grants(target: LintTarget) -> Iterator[GrantedAction]:
    for statement in target.statements:
        yield from action_scope.granted_actions(statement, category=Category.PASS_ROLE,
                                                on_every_resource=True)


@rule("PASS_ROLE_WITH_STAR_IN_RESOURCE", "pass-role-with-star-in-resource",
      Severity.SECURITY_WARNING, kinds=IDENTITY_GRANTING)
def pass_role_with_star_in_resource(target: LintTarget) -> Iterator[Hit]:
    """`iam:PassRole` allowed on every role.

    Why: passing a role hands it to a service (a Lambda function, an EC2 instance, a
    CloudFormation stack) that then acts with the role's permissions. Allowed on every
    role, the principal can give new compute the most privileged role in the account
    and act through it: IAM's PassRole page recommends naming the roles, and Access
    Analyzer reports this as a security warning.

    Anti-pattern: `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`;
    `arn:aws:iam::*:role/*` is the same (account and region do not narrow).

    Fix: name the roles (`arn:aws:iam::111122223333:role/app-*`), and add an
    `iam:PassedToService` condition naming the service that may receive them. A
    statement constrained by a condition (see `policy_engine.lint.action_scope` for the
    keys that count) is not reported.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    """
    for granted in _pass_role_grants(target):
        if granted.literal:
            yield Hit("`iam:PassRole` is allowed on every role: name the roles that may be "
                      "passed and add an `iam:PassedToService` condition",
                      granted.resource_pointer or "")


@rule("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
      "pass-role-with-star-in-action-and-resource", Severity.SECURITY_WARNING,
      kinds=IDENTITY_GRANTING)
def pass_role_with_star_in_action_and_resource(target: LintTarget) -> Iterator[Hit]:
    """An action wildcard (or NotAction) that reaches `iam:PassRole`, on every role.

    Why: `iam:Pass*`, `iam:*`, `*` and a NotAction that does not exclude it all grant
    `iam:PassRole`; on every role this lets the principal hand the most privileged role
    to new compute. A wildcard hides that the permission is there at all. Access
    Analyzer reports this as a security warning.

    Anti-pattern: `{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}`.

    Fix: list the actions needed; grant `iam:PassRole` in its own statement on the roles
    to pass, with an `iam:PassedToService` condition. A statement that names
    `iam:PassRole` literally is reported by PASS_ROLE_WITH_STAR_IN_RESOURCE instead.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    """
    for granted in _pass_role_grants(target):
        if not granted.literal:
            yield Hit("this wildcard allows `iam:PassRole` on every role: grant it in its own "
                      "statement on named roles with an `iam:PassedToService` condition",
                      granted.pointer)


# ------------------------------------------------------------------ NotAction, NotResource


@rule("ALLOW_WITH_NOT_ACTION", "allow-with-not-action", Severity.SECURITY_WARNING,
      kinds=GRANTING)
def allow_with_not_action(target: LintTarget) -> Iterator[Hit]:
    """An Allow statement with `NotAction`.

    Why: an Allow with NotAction grants every action except the listed ones, across all
    services, including every action AWS adds later. It is almost always broader than
    meant. (`NotAction` in a Deny is a normal guardrail: deny everything except a list,
    and is not reported.) Conditions do not change this: whatever they allow, they
    allow for actions nobody chose.

    Anti-pattern: `{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`.

    Fix: list the actions to allow in `Action`; to carve exceptions out of a broad
    grant, add a Deny statement.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """
    for statement in target.statements:
        if statement.model.is_allow and statement.model.not_action is not None:
            yield Hit("using Allow with `NotAction` allows every action not listed, in every "
                      "service and every action AWS adds later; list the actions in `Action`",
                      statement.at("NotAction"))


@rule("ALLOW_WITH_NOT_RESOURCE", "allow-with-not-resource", Severity.SECURITY_WARNING,
      kinds=GRANTING)
def allow_with_not_resource(target: LintTarget) -> Iterator[Hit]:
    """An Allow statement with `NotResource`.

    Why: an Allow with NotResource grants its actions on every resource except the
    listed ones, in every account and region, including resources created later. It is
    almost always broader than meant. (`NotResource` in a Deny is a normal guardrail.)

    Anti-pattern: `{"Effect": "Allow", "Action": "s3:*", "NotResource":
    "arn:aws:s3:::secrets/*"}`.

    Fix: list the resources to allow in `Resource`; to exclude some, add a Deny
    statement.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    """
    for statement in target.statements:
        if statement.model.is_allow and statement.model.not_resource is not None:
            yield Hit("using Allow with `NotResource` allows the actions on every resource not "
                      "listed, including resources created later; list the resources in "
                      "`Resource`", statement.at("NotResource"))


# ------------------------------------------------------------------ full admin


@rule("FULL_ADMIN_ACCESS", "full-admin-access", Severity.SECURITY_WARNING,
      kinds=IDENTITY_GRANTING)
def full_admin_access(target: LintTarget) -> Iterator[Hit]:
    """Every action on every resource (`"Action": "*"` on `"Resource": "*"`) without a
    constraining condition.

    Why: this is full administrator access: the principal can do anything, including
    granting itself and others any permission and turning off logging. IAM's best
    practices ask for least privilege; a policy like AWS's AdministratorAccess belongs
    only to break-glass principals. Statements reported here are not reported again by
    the privilege-escalation and "on every resource" rules.

    Anti-pattern: `{"Effect": "Allow", "Action": "*", "Resource": "*"}` (the spelling
    `*:*` is refused by the grammar as INVALID_ACTION and read here like `*`).

    Fix: grant the actions and resources the job needs (IAM Access Analyzer can generate
    a policy from CloudTrail activity), or constrain the statement with a condition on
    the principal, network or resource.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """
    for statement in target.statements:
        pointer = action_scope.is_full_admin(statement)
        if pointer is not None:
            yield Hit("this statement allows every action on every resource (full "
                      "administrator access)", pointer)


# ------------------------------------------------------------------ escalation


def _granting_statements(target: LintTarget) -> Iterator[StatementInView]:
    """Allow statements that are not full admin (FULL_ADMIN_ACCESS reports those)."""
    for statement in target.statements:
        if statement.model.is_allow and action_scope.is_full_admin(statement) is None:
            yield statement


def _names(granted: Iterable[GrantedAction], notes: dict[str, str] | None = None) -> str:
    listed = sorted(granted, key=lambda g: g.action.full_name)
    shown = [f"`{g.action.full_name}`" + (f" ({notes[g.action.full_name.lower()]})"
                                         if notes else "") for g in listed[:_SHOWN]]
    more = len(listed) - _SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _on_star_hits(target: LintTarget, category: Category, what: str, *,
                  notes: dict[str, str] | None = None) -> Iterator[Hit]:
    """One hit per Action entry (or NotAction element) granting actions of the category
    on every resource."""
    for statement in _granting_statements(target):
        by_pointer: dict[str, list[GrantedAction]] = {}
        for granted in action_scope.granted_actions(statement, category=category,
                                                    on_every_resource=True):
            by_pointer.setdefault(granted.pointer, []).append(granted)
        for pointer, granted_here in by_pointer.items():
            yield Hit(f"allows {what} on every resource: {_names(granted_here, notes)}",
                      pointer)


@rule("PRIVILEGE_ESCALATION", "privilege-escalation", Severity.SECURITY_WARNING,
      kinds=IDENTITY_GRANTING)
def privilege_escalation(target: LintTarget) -> Iterator[Hit]:
    """An action that alone lets a principal raise its own privileges, allowed on every
    resource of its type without a constraining condition.

    Why: with `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, the
    `iam:Attach*Policy` and `iam:Put*Policy` actions, `iam:UpdateAssumeRolePolicy`,
    `iam:AddUserToGroup`, the permissions-boundary actions, or `iam:CreateAccessKey`,
    `iam:CreateLoginProfile` and `iam:UpdateLoginProfile` for other users, a principal
    can give itself any permission or become a more privileged principal; so can
    `lambda:UpdateFunctionCode` and `glue:UpdateDevEndpoint` through the role of an
    existing function or endpoint. These are the commonly cited IAM privilege-escalation
    methods (Rhino Security Labs' list is the usual reference).

    Anti-pattern: `{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource":
    "*"}`.

    Fix: scope the resource (`arn:aws:iam::111122223333:user/${aws:username}` for one's
    own access keys, named roles or policies), or constrain the statement with a
    condition (`iam:PolicyARN`, `iam:PermissionsBoundary`, `aws:ResourceTag/...`), and
    require a permissions boundary on principals that manage IAM.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
    """
    yield from _on_star_hits(target, Category.ESCALATION,
                             "actions that let a principal raise its own privileges",
                             notes=_ESCALATION)


@rule("PRIVILEGE_ESCALATION_COMBINATION", "privilege-escalation-combination",
      Severity.SECURITY_WARNING, kinds=IDENTITY_GRANTING)
def privilege_escalation_combination(target: LintTarget) -> Iterator[Hit]:
    """`iam:PassRole` on every role together with the actions that start compute which
    runs with the passed role, across the policy's Allow statements.

    Why: a principal that may pass any role and create a Lambda function and invoke it,
    launch an EC2 instance, create a CloudFormation stack, a Glue development endpoint
    or job, a Data Pipeline, a SageMaker notebook, a CodeBuild project, an ECS task, an
    Auto Scaling group or an App Runner service can run its own code with the most
    privileged role in the account. The combination is found across statements: each
    statement can look harmless alone.

    Anti-pattern: `iam:PassRole` on `*` in one statement, `lambda:CreateFunction` and
    `lambda:InvokeFunction` in another.

    Fix: scope `iam:PassRole` to the roles the workload needs, with an
    `iam:PassedToService` condition. The finding is at the `iam:PassRole` entry.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
    """
    statements = tuple(target.statements)
    if any(action_scope.is_full_admin(s) is not None for s in statements):
        return
    allowed: dict[str, GrantedAction] = {}
    pass_role: GrantedAction | None = None
    for statement in statements:
        for granted in action_scope.granted_actions(statement, names=_COMBINED):
            name = granted.action.full_name.lower()
            allowed.setdefault(name, granted)
            if name == _PASS_ROLE and granted.on_every_resource and pass_role is None:
                pass_role = granted
    for combination in escalation.COMBINATIONS:
        if combination.passes_role and pass_role is None:
            continue
        chosen = [next((allowed[a.lower()] for a in step if a.lower() in allowed), None)
                  for step in combination.steps]
        if any(c is None for c in chosen):
            continue
        anchor = pass_role or chosen[0]
        parts = ", ".join(f"`{c.action.full_name}` ({c.pointer})" for c in chosen if c)
        yield Hit(f"`iam:PassRole` on every role with {parts} allows privilege escalation "
                  f"through a {combination.name}: {combination.how}",
                  anchor.pointer if anchor else "")


# ------------------------------------------------------------------ on every resource


@rule("DATA_EXFILTRATION_ON_STAR", "data-exfiltration-on-star", Severity.WARNING,
      kinds=IDENTITY_GRANTING)
def data_exfiltration_on_star(target: LintTarget) -> Iterator[Hit]:
    """Actions that read data out of a store, allowed on every resource without a
    constraining condition.

    Why: `s3:GetObject`, `ssm:GetParameter(s)`, `secretsmanager:GetSecretValue`,
    `kms:Decrypt`, `dynamodb:Scan`/`Query`/`GetItem`, `rds:CopyDBSnapshot`, snapshot
    sharing and the like on `*` let a leaked session copy every object, secret, item or
    snapshot the account holds. Severity warning: a backup or audit role may need it.

    Anti-pattern: `{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
    "Resource": "*"}`.

    Fix: name the buckets, secrets, parameters, keys or tables, or constrain with
    `aws:ResourceTag/...`, `aws:ResourceAccount` or a network condition.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """
    yield from _on_star_hits(target, Category.EXFILTRATION, "actions that read data out")


@rule("CREDENTIALS_EXPOSURE_ON_STAR", "credentials-exposure-on-star", Severity.WARNING,
      kinds=IDENTITY_GRANTING)
def credentials_exposure_on_star(target: LintTarget) -> Iterator[Hit]:
    """Actions whose answer holds credentials, allowed on every resource without a
    constraining condition.

    Why: `sts:GetFederationToken`, `redshift:GetClusterCredentials`,
    `codepipeline:PollForJobs`, `ec2:GetPasswordData`, service-specific credentials and
    the like return keys, tokens or passwords; on `*` they reach every user, cluster or
    instance. Actions the catalogue gives no resource type (`ecr:GetAuthorizationToken`,
    `sts:GetSessionToken`, `cognito-identity:GetCredentialsForIdentity`) take only
    `Resource: "*"` and are not reported. `iam:CreateAccessKey` is reported by
    PRIVILEGE_ESCALATION.

    Anti-pattern: `{"Effect": "Allow", "Action": "redshift:GetClusterCredentials",
    "Resource": "*"}`.

    Fix: name the users, database users, clusters or instances, or constrain the
    statement with a condition.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """
    yield from _on_star_hits(target, Category.CREDENTIALS, "actions that return credentials")


@rule("PERMISSIONS_MANAGEMENT_ON_STAR", "permissions-management-on-star", Severity.WARNING,
      kinds=IDENTITY_GRANTING)
def permissions_management_on_star(target: LintTarget) -> Iterator[Hit]:
    """Actions of access level "Permissions management" (the service authorization
    reference's classification), allowed on every resource without a constraining
    condition.

    Why: permissions-management actions change who may access a resource: resource
    policies (`s3:PutBucketPolicy`, `kms:PutKeyPolicy`), grants (`kms:CreateGrant`),
    sharing (`ec2:ModifyImageAttribute`), IAM policies. On `*` a principal can open any
    resource to anyone. Actions PRIVILEGE_ESCALATION, CREDENTIALS_EXPOSURE_ON_STAR or
    DATA_EXFILTRATION_ON_STAR report are left to them.

    Anti-pattern: `{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"}`.

    Fix: name the resources whose access the principal manages, or constrain the
    statement with `aws:ResourceTag/...` or another condition.

    https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    """
    yield from _on_star_hits(target, Category.PERMISSIONS, "permissions-management actions")

"""Resource-policy rules: who a resource policy lets in, and what it must keep.

Which conditions restrict the caller is defined once, in `policy_engine.lint.caller`
(S3's meaning of "public" plus the keys AWS documents for other resource policies).
"""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.lint import caller
from policy_engine.lint.coverage import actions_cover, resources_cover
from policy_engine.lint.kinds import RESOURCE_GRANTING
from policy_engine.lint.rule import Hit, LintTarget, StatementInView, rule
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import PolicyKind
from policy_engine.model.operators import OperatorError, OperatorFamily, parse_operator
from policy_engine.model.policy import Statement
from policy_engine.model.values import canonical_text


def _actions_text(statement: Statement) -> str:
    if statement.action is None:
        return "every action but " + ", ".join(f"`{a}`" for a in statement.not_action or ())
    shown = ", ".join(f"`{a}`" for a in statement.action[:3])
    return shown + (f" and {len(statement.action) - 3} more" if len(statement.action) > 3
                    else "")


def _cut_down_by_deny(target: LintTarget, allow: Statement) -> bool:
    """Whether a Deny of the same policy refuses every caller but fixed ones for all of
    the Allow's actions and resources (`StringNotEquals aws:PrincipalOrgID o-…`)."""
    return any(caller.denies_unless_restricted(other.model)
               and actions_cover(other.model, allow) and resources_cover(other.model, allow)
               for other in target.statements)


def _open_statements(target: LintTarget) -> Iterator[tuple[StatementInView, bool]]:
    """Each Allow to everyone that no condition or Deny restricts, with whether its
    conditions at least require an authenticated AWS principal."""
    for entry in target.statements:
        statement = entry.model
        if not caller.grants_to_everyone(statement):
            continue
        if caller.restricting_conditions(statement) or _cut_down_by_deny(target, statement):
            continue
        yield entry, caller.requires_authenticated_caller(statement)


@rule("PUBLIC_ACCESS", "public-access", Severity.SECURITY_WARNING, kinds=RESOURCE_GRANTING)
def public_access(target: LintTarget) -> Iterator[Hit]:
    """An Allow to `"Principal": "*"` (or `{"AWS": "*"}`) that no condition restricts: anyone,
    including anonymous callers where the service accepts them, gets the access.

    Why: a resource policy is the only policy AWS consults for a caller from outside the
    account, so `*` hands the listed actions to the whole internet (S3, SQS, SNS, Lambda)
    or to every AWS account (KMS, Secrets Manager; a role trust policy open to `*` lets
    anyone assume the role). Access Analyzer reports such policies as public.

    Anti-pattern: `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::bucket/*"}` on a bucket that is not meant to be a website.

    Fix: name the principals (`{"AWS": "arn:aws:iam::111122223333:root"}`), or keep `*`
    and add a condition that must hold and pins the caller to fixed values:
    `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
    `aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`,
    `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp` (no broader than /8), `aws:userid`,
    `kms:CallerAccount` (KMS) or S3's access-point keys; negated operators, `...IfExists`
    and `ForAllValues:` do not pin. A Deny to `*` with `StringNotEquals` on one of those
    keys, for the same actions and resources, restricts the Allow too. For S3, Block Public
    Access decides the same question with S3's own list (the S3 page below).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
    """
    for entry, authenticated in _open_statements(target):
        if authenticated:
            continue
        subject = ("anyone may assume this role" if target.kind is PolicyKind.TRUST
                   else "anyone (anonymous callers included where the service allows "
                        "them) gets " + _actions_text(entry.model))
        yield Hit(f"`Principal` is `*` and no condition restricts the caller: {subject}; "
                  "name the principals or add a condition such as `aws:PrincipalOrgID` "
                  "or `aws:SourceAccount`", caller.everyone_pointer(entry))


@rule("ANY_ACCOUNT_ACCESS", "any-account-access", Severity.SECURITY_WARNING,
      kinds=RESOURCE_GRANTING)
def any_account_access(target: LintTarget) -> Iterator[Hit]:
    """An Allow to `*` whose conditions require an AWS principal but not one of fixed
    accounts: every AWS account in the world gets the access.

    Why: conditions such as `"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}`
    or `"StringLike": {"aws:PrincipalAccount": "*"}` look like restrictions and do keep
    anonymous callers out, but any account can create a role named `deploy`. Principal
    ARNs cannot carry partial wildcards (`arn:aws:iam::*:root` is refused by IAM), so this
    is the form "any account" takes in a valid policy. It differs from PUBLIC_ACCESS only
    in that the caller must sign the request.

    Anti-pattern: `"Principal": "*"` with `"ArnLike": {"aws:PrincipalArn":
    "arn:aws:iam::*:role/deploy"}`.

    Fix: pin the account in the condition value (`arn:aws:iam::111122223333:role/deploy`)
    or add `aws:PrincipalOrgID` with your organization id.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    for entry, authenticated in _open_statements(target):
        if authenticated:
            yield Hit("`Principal` is `*` and the conditions only require some AWS "
                      "principal: any AWS account gets " + _actions_text(entry.model)
                      + "; pin the account in the condition value or add "
                      "`aws:PrincipalOrgID`", caller.everyone_pointer(entry))


# -------------------------------------------------------------------- secure transport


def _denies_plain_http(statement: Statement) -> bool:
    """A Deny conditioned on `aws:SecureTransport` false (Bool or BoolIfExists) or on
    `s3:TlsVersion` below a version (NumericLessThan[IfExists])."""
    if statement.is_allow:
        return False
    for operator, block in (statement.condition or {}).items():
        try:
            parsed = parse_operator(operator)
        except OperatorError:
            continue
        if parsed.set_qualifier is not None:
            continue
        for key, values in block.items():
            folded = key.lower()
            if (folded == "aws:securetransport" and parsed.spec.name == "Bool"
                    and any(canonical_text(v).lower() == "false" for v in values)):
                return True
            if (folded == "s3:tlsversion" and parsed.spec.family is OperatorFamily.NUMERIC
                    and parsed.spec.name in ("NumericLessThan", "NumericLessThanEquals")):
                return True
    return False


@rule("MISSING_SECURE_TRANSPORT", "missing-secure-transport", Severity.SUGGESTION,
      kinds={PolicyKind.S3_BUCKET})
def missing_secure_transport(target: LintTarget) -> Iterator[Hit]:
    """A bucket policy without a Deny of requests that do not use TLS.

    Why: S3 accepts plain HTTP requests unless the bucket policy refuses them; AWS's S3
    security best practices recommend denying them explicitly.

    Accepted shapes: a Deny statement with `"Bool": {"aws:SecureTransport": "false"}`
    (also `BoolIfExists`, or the JSON value `false`), or with `"NumericLessThan":
    {"s3:TlsVersion": "1.2"}` (also `NumericLessThanEquals` and the `IfExists` forms),
    which refuses old TLS versions and plain HTTP alike.

    Fix: add `{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
    "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
    """
    if not any(_denies_plain_http(entry.model) for entry in target.statements):
        yield Hit("the bucket policy does not deny requests without TLS; add a Deny with "
                  "`\"Bool\": {\"aws:SecureTransport\": \"false\"}`", "")


# --------------------------------------------------------------------------- KMS lockout

_PUT_KEY_POLICY = "kms:putkeypolicy"


def _names_aws_principal(statement: StatementInView, target: LintTarget) -> bool:
    compiled = target.compiled.statements[statement.index]
    principals = compiled.principals
    return (principals is not None and not compiled.principal_negated
            and bool(principals.everyone or principals.arns or principals.accounts))


def _may_change_policy(entry: StatementInView, target: LintTarget) -> bool:
    compiled = target.compiled.statements[entry.index]
    resources = compiled.resources
    return (compiled.is_allow and compiled.actions.matches(_PUT_KEY_POLICY)
            and _names_aws_principal(entry, target)
            and (resources is None or not (resources.negated and resources.matches_everything)))


def _refuses_everyone(entry: StatementInView, target: LintTarget) -> bool:
    compiled = target.compiled.statements[entry.index]
    principals, resources = compiled.principals, compiled.resources
    return (not compiled.is_allow and compiled.actions.matches(_PUT_KEY_POLICY)
            and compiled.conditions is None and principals is not None
            and principals.everyone and not compiled.principal_negated
            and (resources is None or (resources.matches_everything and not resources.negated)))


@rule("KMS_KEY_LOCKOUT", "kms-key-lockout", Severity.SECURITY_WARNING,
      kinds={PolicyKind.KMS_KEY})
def kms_key_lockout(target: LintTarget) -> Iterator[Hit]:
    """A key policy under which no principal can change the key policy again.

    Why: a KMS key is managed only through its key policy. AWS's default key policy
    starts with a statement that gives the account (`arn:aws:iam::ACCOUNT:root`) `kms:*`,
    which lets IAM policies grant access, so an administrator can always repair the key
    policy. Without any statement that allows `kms:PutKeyPolicy` (the root statement, or
    a key administrators statement) — or with a Deny of it to everyone — nobody can, and
    the key becomes unmanageable. KMS's policy lockout safety
    check refuses such a policy unless `BypassPolicyLockoutSafetyCheck` is set. Decided
    with the engine: each statement's compiled Action, Principal and Resource are asked
    whether they let an AWS principal call `kms:PutKeyPolicy`.

    Anti-pattern: a key policy with only `kms:Encrypt`/`kms:Decrypt` statements for an
    application role.

    Fix: keep the default statement `{"Sid": "Enable IAM User Permissions", "Effect":
    "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
    "Resource": "*"}`, or allow `kms:PutKeyPolicy` to a key administrator role.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    """
    for entry in target.statements:
        if _refuses_everyone(entry, target):
            yield Hit("this statement denies `kms:PutKeyPolicy` to everyone without a "
                      "condition: nobody can change the key policy again",
                      entry.pointer)
            return
    if not any(_may_change_policy(entry, target) for entry in target.statements):
        yield Hit("no statement allows the account (`arn:aws:iam::ACCOUNT:root`) or any "
                  "principal `kms:PutKeyPolicy`: the key could not be administered; keep "
                  "the default statement that gives the account root `kms:*`", "/Statement")

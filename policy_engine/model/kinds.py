"""Policy kinds and the rules AWS documents for each, kept as data.

One `KindRules` row per kind says which elements a statement must have or must not have,
which effects and Version values it takes, what a Sid may look like, and which size quota
applies and how AWS counts it. The validator (`policy_engine.validation`) and the JSON
Schema (`policy_engine.schema`) both read these rows, so they cannot drift apart.

Sources (each row also names its own pages):
- IAM-UG = https://docs.aws.amazon.com/IAM/latest/UserGuide/
  reference_policies_grammar.html, reference_policies_elements_*.html,
  reference_iam-quotas.html, access_policies.html
- https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html,
  orgs_manage_policies_rcps_syntax.html, orgs_reference_limits.html
- service pages cited per row (S3, SQS, SNS, Lambda, Secrets Manager, ECR, KMS, VPC)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from policy_engine.model.policy import PolicyDocument, PrincipalMap, Statement


class PolicyKind(StrEnum):
    IDENTITY = "identity"  # customer managed policy attached to users, groups, roles
    INLINE_USER = "inline-user"
    INLINE_GROUP = "inline-group"
    INLINE_ROLE = "inline-role"
    BOUNDARY = "boundary"  # permissions boundary (a managed policy)
    SESSION = "session"  # session policy passed to AssumeRole*/GetFederationToken
    RESOURCE = "resource"  # generic resource-based policy
    S3_BUCKET = "s3-bucket"
    SQS_QUEUE = "sqs-queue"
    SNS_TOPIC = "sns-topic"
    LAMBDA_FUNCTION = "lambda-function"
    LAMBDA_LAYER = "lambda-layer"
    SECRETSMANAGER_SECRET = "secretsmanager-secret"
    ECR_REPOSITORY = "ecr-repository"
    TRUST = "trust"  # role trust policy
    KMS_KEY = "kms-key"
    SCP = "scp"
    RCP = "rcp"
    VPC_ENDPOINT = "vpc-endpoint"
    AWS_MANAGED = "aws-managed"  # an AWS managed policy (`arn:aws:iam::aws:policy/…`)


class Family(StrEnum):
    IDENTITY = "identity"
    RESOURCE = "resource"
    ORGANIZATION = "organization"


class Presence(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    FORBIDDEN = "forbidden"


class SizeCount(StrEnum):
    """How a quota is measured; each kind's row says which one AWS documents.

    NON_WHITESPACE (IAM: managed, inline, trust policies): "IAM does not count white space
    when calculating the size of a policy" (IAM quotas page). Implemented literally: every
    character except space, tab, LF and CR counts, wherever it is; the page draws no line
    between white space inside and outside strings, and counting all of it errs towards
    accepting a policy that AWS might reject only when its strings are full of spaces.
    CHARACTERS (Organizations; session policies; ECR, Secrets Manager, VPC endpoint API
    length limits): every character of the text as written. BYTES (KMS, S3, SQS, SNS,
    Lambda "KB"/"bytes" limits): UTF-8 bytes of the text as written. Without the original
    JSON text (YAML input, a value) the compact JSON serialisation is measured.
    """

    NON_WHITESPACE = "characters, white space not counted"
    CHARACTERS = "characters"
    BYTES = "bytes"


@dataclass(frozen=True, slots=True)
class Quotas:
    """Every size limit, with AWS's documented default; pass another instance to change one.

    Three numbers moved in 2025–2026 (AWS-EVALUATION-SPEC §10): the SCP size (5,120 ->
    10,240 characters, 15 May 2026), the SCPs attachable per root/OU/account (5 -> 10), and
    the raisable maximum of the role trust policy quota (4,096 in the 2026-03 IAM quotas
    page; the 2,048 default did not change). Inline limits are per entity in aggregate;
    one policy is checked against the whole aggregate since it can never exceed it.
    """

    managed_policy: int = 6_144  # IAM-UG/reference_iam-quotas.html
    inline_user: int = 2_048
    inline_group: int = 5_120
    inline_role: int = 10_240
    trust_policy: int = 2_048  # default; raisable to `trust_policy_max`
    trust_policy_max: int = 4_096
    session_policy: int = 2_048  # STS AssumeRole `Policy` parameter length
    scp: int = 10_240  # orgs_reference_limits.html (since 2026-05-15; was 5,120)
    scps_per_target: int = 10  # (since 2026-05-15; was 5)
    rcp: int = 5_120
    rcps_per_target: int = 5
    kms_key_policy: int = 32_768  # kms/latest/developerguide/resource-limits.html
    s3_bucket_policy: int = 20_480  # AmazonS3/latest/userguide (bucket policy 20 KB)
    sqs_queue_policy: int = 8_192  # SQSDeveloperGuide/quotas-policies.html
    sns_topic_policy: int = 30_720  # sns/latest/dg/sns-access-policy-language-api-...
    lambda_policy: int = 20_480  # lambda/latest/dg/gettingstarted-limits.html (20 KB)
    secretsmanager_policy: int = 20_480  # secretsmanager API_PutResourcePolicy length
    ecr_repository_policy: int = 10_240  # AmazonECR API_SetRepositoryPolicy policyText
    vpc_endpoint_policy: int = 20_480  # vpc/latest/privatelink/vpc-endpoints-access.html
    resource_policy: int = 20_480  # generic resource policy: the common 20 KB service limit
    # Counts (SQSDeveloperGuide/quotas-policies.html; SNS policy quotas table).
    sqs_statements: int = 20
    sqs_actions_per_statement: int = 7
    sqs_principals: int = 50
    sqs_conditions: int = 10
    sns_statements: int = 100
    sns_principals: int = 200
    sns_resources_per_statement: int = 1

    def with_changes(self, **changes: int) -> Quotas:
        return replace(self, **changes)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_QUOTAS: Final = Quotas()


@dataclass(frozen=True, slots=True)
class SizeRule:
    quota: str  # a field of `Quotas`
    count: SizeCount
    doc: str

    def limit(self, quotas: Quotas) -> int:
        return int(getattr(quotas, self.quota))


class Counted(StrEnum):
    """What a count quota counts, and over what."""

    STATEMENTS = "statements"  # per policy
    ACTIONS = "actions"  # per statement (Action and NotAction entries)
    RESOURCES = "resources"  # per statement (Resource and NotResource entries)
    PRINCIPALS = "principals"  # per policy (every principal named, `*` included)
    CONDITIONS = "conditions"  # per policy (operator/key pairs)


@dataclass(frozen=True, slots=True)
class CountRule:
    counted: Counted
    quota: str  # a field of `Quotas`
    doc: str

    def limit(self, quotas: Quotas) -> int:
        return int(getattr(quotas, self.quota))


class SidRule(StrEnum):
    """IAM accepts only ASCII letters and digits; resource policies (S3, KMS, …) any text."""

    ALPHANUMERIC = "alphanumeric"
    TEXT = "text"


SID_PATTERNS: Final = MappingProxyType({
    SidRule.ALPHANUMERIC: "[A-Za-z0-9]*",
    SidRule.TEXT: "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*",
})

BOTH_EFFECTS: Final = frozenset({"Allow", "Deny"})

IAM_UG: Final = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
ORGS_UG: Final = "https://docs.aws.amazon.com/organizations/latest/userguide/"


@dataclass(frozen=True, slots=True)
class KindRules:
    """What AWS documents for one policy kind."""

    kind: PolicyKind
    title: str
    family: Family
    principal: Presence  # REQUIRED: Principal or NotPrincipal must be present
    not_principal: Presence  # OPTIONAL: allowed, and then only with Deny
    resource: Presence  # REQUIRED: Resource or NotResource must be present
    policy_id: Presence
    version: Presence  # REQUIRED: Version must be present and be 2012-10-17
    effects: frozenset[str]
    sid: SidRule
    size: SizeRule | None  # None: AWS documents no size quota for the kind
    docs: tuple[str, ...]
    not_action: bool = True
    not_resource: bool = True
    canonical_user: bool = False
    principal_star_only: bool = False  # RCP: Principal must be "*"
    bare_star_action: bool = True  # RCP: a lone "*" action is not allowed
    counts: tuple[CountRule, ...] = ()
    # Documents AWS has stored (AWS managed policies; snapshot documents, set by the
    # parser): strings outside the grammar that AWS evidently accepted load with a
    # warning (`policy_engine.model.oddities`) instead of being refused.
    stored: bool = False

    @property
    def principal_allowed(self) -> bool:
        return self.principal is not Presence.FORBIDDEN


def _identity(kind: PolicyKind, title: str, size: SizeRule | None, doc: str) -> KindRules:
    """Identity-side IAM policies: no Principal, no NotPrincipal, no Id (grammar notes)."""
    return KindRules(
        kind=kind, title=title, family=Family.IDENTITY,
        principal=Presence.FORBIDDEN, not_principal=Presence.FORBIDDEN,
        resource=Presence.REQUIRED, policy_id=Presence.FORBIDDEN, version=Presence.OPTIONAL,
        effects=BOTH_EFFECTS, sid=SidRule.ALPHANUMERIC, size=size,
        docs=(IAM_UG + "reference_policies_grammar.html", doc),
    )


def _resource(kind: PolicyKind, title: str, size: SizeRule, doc: str, **extra: object) -> KindRules:
    """Resource-based policies: Principal required; NotPrincipal only with Deny."""
    base = KindRules(
        kind=kind, title=title, family=Family.RESOURCE,
        principal=Presence.REQUIRED, not_principal=Presence.OPTIONAL,
        resource=Presence.REQUIRED, policy_id=Presence.OPTIONAL, version=Presence.OPTIONAL,
        effects=BOTH_EFFECTS, sid=SidRule.TEXT, size=size,
        docs=(IAM_UG + "reference_policies_elements_principal.html", doc),
    )
    return replace(base, **extra)  # type: ignore[arg-type]


_IAM_QUOTAS = IAM_UG + "reference_iam-quotas.html"
_SQS_QUOTAS = ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
               "quotas-policies.html")
_SNS_QUOTAS = ("https://docs.aws.amazon.com/sns/latest/dg/"
               "sns-access-policy-language-api-permissions-reference.html")
_NW = SizeCount.NON_WHITESPACE

_RULES: tuple[KindRules, ...] = (
    _identity(PolicyKind.IDENTITY, "customer managed identity policy",
              SizeRule("managed_policy", _NW, _IAM_QUOTAS), _IAM_QUOTAS),
    _identity(PolicyKind.INLINE_USER, "inline user policy",
              SizeRule("inline_user", _NW, _IAM_QUOTAS), _IAM_QUOTAS),
    _identity(PolicyKind.INLINE_GROUP, "inline group policy",
              SizeRule("inline_group", _NW, _IAM_QUOTAS), _IAM_QUOTAS),
    _identity(PolicyKind.INLINE_ROLE, "inline role policy",
              SizeRule("inline_role", _NW, _IAM_QUOTAS), _IAM_QUOTAS),
    _identity(PolicyKind.BOUNDARY, "permissions boundary",
              SizeRule("managed_policy", _NW, _IAM_QUOTAS),
              IAM_UG + "access_policies_boundaries.html"),
    _identity(PolicyKind.SESSION, "session policy",
              SizeRule("session_policy", SizeCount.CHARACTERS,
                       "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"),
              IAM_UG + "access_policies.html#policies_session"),
    _resource(PolicyKind.RESOURCE, "resource-based policy",
              SizeRule("resource_policy", SizeCount.BYTES, IAM_UG + "access_policies.html"),
              IAM_UG + "access_policies.html#policies_resource-based"),
    _resource(PolicyKind.S3_BUCKET, "S3 bucket policy",
              SizeRule("s3_bucket_policy", SizeCount.BYTES,
                       "https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html"),
              "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
              canonical_user=True),
    _resource(PolicyKind.SQS_QUEUE, "SQS queue policy",
              SizeRule("sqs_queue_policy", SizeCount.BYTES, _SQS_QUOTAS),
              "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
              "sqs-basic-examples-of-sqs-policies.html",
              counts=(CountRule(Counted.STATEMENTS, "sqs_statements", _SQS_QUOTAS),
                      CountRule(Counted.ACTIONS, "sqs_actions_per_statement", _SQS_QUOTAS),
                      CountRule(Counted.PRINCIPALS, "sqs_principals", _SQS_QUOTAS),
                      CountRule(Counted.CONDITIONS, "sqs_conditions", _SQS_QUOTAS))),
    _resource(PolicyKind.SNS_TOPIC, "SNS topic policy",
              SizeRule("sns_topic_policy", SizeCount.BYTES, _SNS_QUOTAS),
              "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
              counts=(CountRule(Counted.STATEMENTS, "sns_statements", _SNS_QUOTAS),
                      CountRule(Counted.PRINCIPALS, "sns_principals", _SNS_QUOTAS),
                      CountRule(Counted.RESOURCES, "sns_resources_per_statement", _SNS_QUOTAS))),
    _resource(PolicyKind.LAMBDA_FUNCTION, "Lambda function policy",
              SizeRule("lambda_policy", SizeCount.BYTES,
                       "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
              "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"),
    _resource(PolicyKind.LAMBDA_LAYER, "Lambda layer version policy",
              SizeRule("lambda_policy", SizeCount.BYTES,
                       "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
              "https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html"),
    _resource(PolicyKind.SECRETSMANAGER_SECRET, "Secrets Manager secret policy",
              SizeRule("secretsmanager_policy", SizeCount.CHARACTERS,
                       "https://docs.aws.amazon.com/secretsmanager/latest/apireference/"
                       "API_PutResourcePolicy.html"),
              "https://docs.aws.amazon.com/secretsmanager/latest/userguide/"
              "auth-and-access_resource-policies.html"),
    # ECR repository policies apply to their repository and omit Resource in AWS's examples.
    _resource(PolicyKind.ECR_REPOSITORY, "ECR repository policy",
              SizeRule("ecr_repository_policy", SizeCount.CHARACTERS,
                       "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/"
                       "API_SetRepositoryPolicy.html"),
              "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
              resource=Presence.OPTIONAL),
    # Trust policies: Principal required, NotPrincipal not allowed (notprincipal page);
    # AWS's examples omit Resource (AWS-EVALUATION-SPEC R5.7 [I]). A trust policy is a
    # resource-based policy, for which the grammar allows `Id`; no page refuses it here.
    _resource(PolicyKind.TRUST, "role trust policy",
              SizeRule("trust_policy", _NW, _IAM_QUOTAS),
              IAM_UG + "reference_policies_elements_notprincipal.html",
              not_principal=Presence.FORBIDDEN, resource=Presence.OPTIONAL,
              sid=SidRule.ALPHANUMERIC),
    _resource(PolicyKind.KMS_KEY, "KMS key policy",
              SizeRule("kms_key_policy", SizeCount.BYTES,
                       "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"),
              "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"),
    KindRules(
        kind=PolicyKind.SCP, title="service control policy", family=Family.ORGANIZATION,
        principal=Presence.FORBIDDEN, not_principal=Presence.FORBIDDEN,
        resource=Presence.REQUIRED, policy_id=Presence.FORBIDDEN, version=Presence.REQUIRED,
        effects=BOTH_EFFECTS, sid=SidRule.ALPHANUMERIC,
        size=SizeRule("scp", SizeCount.CHARACTERS, ORGS_UG + "orgs_reference_limits.html"),
        docs=(ORGS_UG + "orgs_manage_policies_scps_syntax.html",),
    ),
    KindRules(
        kind=PolicyKind.RCP, title="resource control policy", family=Family.ORGANIZATION,
        principal=Presence.REQUIRED, not_principal=Presence.FORBIDDEN,
        resource=Presence.REQUIRED, policy_id=Presence.FORBIDDEN, version=Presence.REQUIRED,
        effects=frozenset({"Deny"}), sid=SidRule.ALPHANUMERIC,
        size=SizeRule("rcp", SizeCount.CHARACTERS, ORGS_UG + "orgs_reference_limits.html"),
        docs=(ORGS_UG + "orgs_manage_policies_rcps_syntax.html",),
        not_action=False, principal_star_only=True, bare_star_action=False,
    ),
    _resource(PolicyKind.VPC_ENDPOINT, "VPC endpoint policy",
              SizeRule("vpc_endpoint_policy", SizeCount.CHARACTERS,
                       "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"),
              "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"),
    # The identity-policy grammar, stored by AWS (the oddities of its earlier versions load
    # with a warning), and no size quota: the IAM quotas page bounds customer managed
    # policies only, and AWS stores far larger ones (AWSSupportServiceRolePolicy v59 is
    # 152,297 characters written compactly, over even the 131,072 of the API's
    # PolicyVersion `Document`), so AWS evidently applies none to its own.
    replace(_identity(PolicyKind.AWS_MANAGED, "AWS managed policy", None,
                      IAM_UG + "access_policies_managed-vs-inline.html"), stored=True),
)

KIND_RULES: Final = MappingProxyType({rules.kind: rules for rules in _RULES})

# The one AWS managed RCP that may Allow (orgs_manage_policies_rcps_syntax.html).
RCP_FULL_AWS_ACCESS_STATEMENT: Final = MappingProxyType(
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
)


def rules_for(kind: PolicyKind | str) -> KindRules:
    return KIND_RULES[PolicyKind(kind)]


# ------------------------------------------------------------------ shared vocabularies

# Element names come from the pydantic models, the single source of truth.
STATEMENT_ELEMENTS: Final = tuple(str(f.alias) for f in Statement.model_fields.values())
DOCUMENT_ELEMENTS: Final = tuple(str(f.alias) for f in PolicyDocument.model_fields.values())
PRINCIPAL_KEYS: Final = tuple(str(f.alias) for f in PrincipalMap.model_fields.values())
CONFLICTING_PAIRS: Final = (
    ("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"),
)

# ------------------------------------------------------------------------ text patterns
# Unanchored regular expressions, valid in Python and in ECMA-262 (editors), shared by the
# validator (`validation/`, which compiles them) and the JSON Schema (`schema.py`).

# Characters a policy document may contain (IAM-UG/reference_iam-quotas.html): tab, LF,
# CR and U+0020–U+00FF.
TEXT_CHARACTERS: Final = "[\\t\\n\\r\\u0020-\\u00ff]*"
DISALLOWED_CHARACTER: Final = re.compile(r"[^\t\n\r\u0020-\u00ff]")

# `service:action`, `*`/`?` anywhere in the action name, or `*` alone (action page).
ACTION_NAME: Final = "[A-Za-z0-9][A-Za-z0-9-]*:[A-Za-z0-9*?]+"
ACTION: Final = rf"\*|{ACTION_NAME}"

# Condition keys: `prefix:name` (global `aws:…` or a service's), possibly with a
# `/suffix` such as `aws:RequestTag/Cost Center`; OIDC prefixes carry `/`
# (`oidc.eks.REGION.amazonaws.com/id/ID:sub`); never a policy variable.
CONDITION_KEY: Final = "[A-Za-z0-9][A-Za-z0-9_./-]*:[^${}]+"

# Principal values (reference_policies_elements_principal.html).
UNIQUE_ID: Final = "A[A-Z0-9]{15,127}"  # AIDA…/AROA…: what a deleted principal becomes
CANONICAL_USER: Final = "[0-9a-fA-F]{64}"
PROVIDER_ARN: Final = "arn:[a-z-]+:iam::[0-9]{12}:(?:oidc-provider|saml-provider)/[^*]+"
PROVIDER_HOST: Final = "[a-z0-9-]+(?:[.][a-z0-9-]+)+"  # accounts.google.com, www.amazon.com
# IAM and STS resource types that can be principals; groups never are.
PRINCIPAL_RESOURCE_TYPES: Final = MappingProxyType({
    "iam": ("root", "user", "role"),
    "sts": ("assumed-role", "federated-user"),
})

"""Per-kind rules: required and forbidden elements, effects, Version, Sids, counts, sizes.

Every test that checks an AWS rule names the AWS page it comes from in its docstring.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policy_engine.model.kinds import (
    DEFAULT_QUOTAS,
    KIND_RULES,
    Family,
    PolicyKind,
    Presence,
    Quotas,
    SizeCount,
    rules_for,
)
from policy_engine.parse import measure_size, validate_policy

ACCOUNT = "111122223333"
IDENTITY_KINDS = [k for k in PolicyKind if rules_for(k).family is Family.IDENTITY]
RESOURCE_KINDS = [k for k in PolicyKind if rules_for(k).family is Family.RESOURCE]


def minimal_statement(kind: PolicyKind, pad: str = "") -> dict[str, Any]:
    rules = rules_for(kind)
    statement: dict[str, Any] = {"Effect": "Deny" if kind is PolicyKind.RCP else "Allow"}
    if kind is PolicyKind.RCP:
        statement["Principal"] = "*"
    elif rules.principal is Presence.REQUIRED:
        statement["Principal"] = {"AWS": ACCOUNT}
    statement["Action"] = "s3:GetObject"
    statement["Resource"] = "*"
    if pad:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/x": pad}}
    return statement


def minimal_policy(kind: PolicyKind, pad: str = "", **statement: Any) -> dict[str, Any]:
    body = {**minimal_statement(kind, pad), **statement}
    return {"Version": "2012-10-17", "Statement": [{k: v for k, v in body.items()
                                                    if v is not None}]}


def codes(document: Any, kind: PolicyKind, **options: Any) -> list[tuple[str, str]]:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    result = validate_policy(text, kind=kind, **options)
    return [(p.code, p.pointer) for p in result.problems]


def test_every_kind_has_rules_and_the_documented_names() -> None:
    assert set(KIND_RULES) == set(PolicyKind)
    assert [k.value for k in PolicyKind] == [
        "identity", "inline-user", "inline-group", "inline-role", "boundary", "session",
        "resource", "s3-bucket", "sqs-queue", "sns-topic", "lambda-function", "lambda-layer",
        "secretsmanager-secret", "ecr-repository", "trust", "kms-key", "scp", "rcp",
        "vpc-endpoint", "aws-managed"]
    for rules in KIND_RULES.values():
        size_docs = () if rules.size is None else (rules.size.doc,)
        assert rules.docs and all(doc.startswith("https://docs.aws.amazon.com/")
                                  for doc in (*rules.docs, *size_docs))


@pytest.mark.parametrize("kind", list(PolicyKind))
def test_the_minimal_policy_of_every_kind_is_valid(kind: PolicyKind) -> None:
    assert codes(minimal_policy(kind), kind) == []


# ------------------------------------------------------------------------- Principal


@pytest.mark.parametrize("kind", [*IDENTITY_KINDS, PolicyKind.SCP])
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_principal_is_forbidden_in_identity_side_policies(kind: PolicyKind, element: str) -> None:
    """You cannot use Principal in identity-based policies; SCPs do not support Principal
    or NotPrincipal.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
    """
    document = minimal_policy(kind, Effect="Deny", **{element: "*"})
    assert ("forbidden-element", f"/Statement/0/{element}") in codes(document, kind)


@pytest.mark.parametrize("kind", [*RESOURCE_KINDS, PolicyKind.RCP])
def test_principal_is_required_in_resource_policies(kind: PolicyKind) -> None:
    """Resource-based policies must name a principal (Principal page: "You must use the
    Principal element in resource-based policies"); VPC endpoint policies "must contain a
    Principal element"; RCPs list Principal among their elements.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
    """
    document = minimal_policy(kind, Principal=None)
    assert codes(document, kind) == [("missing-element", "/Statement/0/Principal")]


def test_not_principal_is_not_allowed_in_trust_policies_nor_rcps() -> None:
    """"You cannot use the NotPrincipal element in an IAM identity-based policy nor in an
    IAM role trust policy"; SCPs and RCPs do not support it.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    trust = minimal_policy(PolicyKind.TRUST, Effect="Deny", Principal=None,
                           NotPrincipal={"AWS": ACCOUNT})
    assert codes(trust, PolicyKind.TRUST) == [("forbidden-element", "/Statement/0/NotPrincipal")]
    rcp = minimal_policy(PolicyKind.RCP, Principal=None, NotPrincipal={"AWS": ACCOUNT})
    assert ("forbidden-element", "/Statement/0/NotPrincipal") in codes(rcp, PolicyKind.RCP)


def test_not_principal_requires_deny() -> None:
    """"NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
    supported."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    allow = minimal_policy(PolicyKind.S3_BUCKET, Principal=None, NotPrincipal={"AWS": ACCOUNT})
    assert codes(allow, PolicyKind.S3_BUCKET) == [("kind-restriction",
                                                    "/Statement/0/NotPrincipal")]
    deny = minimal_policy(PolicyKind.S3_BUCKET, Effect="Deny", Principal=None,
                          NotPrincipal={"AWS": ACCOUNT})
    assert codes(deny, PolicyKind.S3_BUCKET) == []


@pytest.mark.parametrize("kind", [k for k in RESOURCE_KINDS if k is not PolicyKind.S3_BUCKET])
def test_canonical_user_only_in_s3_bucket_policies(kind: PolicyKind) -> None:
    """CanonicalUser principals are an Amazon S3 feature.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    canonical = {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedf"
                                  "d6e09d98eacf8f8d5218e7cd47ef2be"}
    assert codes(minimal_policy(kind, Principal=canonical), kind) == [
        ("invalid-principal", "/Statement/0/Principal/CanonicalUser")]
    assert codes(minimal_policy(PolicyKind.S3_BUCKET, Principal=canonical),
                 PolicyKind.S3_BUCKET) == []


# ----------------------------------------------------------------------- Resource, Id


def test_trust_and_ecr_policies_may_omit_resource_others_may_not() -> None:
    """Statements must include Resource or NotResource (Resource page); AWS's role trust
    policy and ECR repository policy examples omit it because the policy is attached to the
    role or repository it governs.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html
    """
    for kind in PolicyKind:
        found = codes(minimal_policy(kind, Resource=None), kind)
        if kind in (PolicyKind.TRUST, PolicyKind.ECR_REPOSITORY):
            assert found == [], kind
        else:
            assert found == [("missing-element", "/Statement/0/Resource")], kind


def test_kms_key_policy_resource_may_be_the_keys_arn() -> None:
    """"In a key policy, the value of the Resource element is "*", which means "this KMS
    key"" – the page says what the value is, and documents no refusal of the key's own
    ARN, so such a key policy is accepted and evaluated as written (issue 11).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
    """
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert codes(minimal_policy(PolicyKind.KMS_KEY, Resource=arn), PolicyKind.KMS_KEY) == []


@pytest.mark.parametrize("kind", [*IDENTITY_KINDS, PolicyKind.SCP, PolicyKind.RCP])
def test_id_is_not_allowed_outside_resource_policies(kind: PolicyKind) -> None:
    """Grammar notes: the policy_id_block is allowed in resource-based policies but not in
    identity-based policies (the SCP and RCP element tables have no Id either).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    document = {"Id": "x", **minimal_policy(kind)}
    assert codes(document, kind) == [("forbidden-element", "/Id")]


def test_id_is_allowed_in_resource_policies() -> None:
    """SQS and SNS use the policy Id; a role trust policy is a resource-based policy too,
    and no page refuses Id in one (issue 11).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_id.html
    """
    for kind in RESOURCE_KINDS:
        assert codes({"Id": "Policy1", **minimal_policy(kind)}, kind) == [], kind


# ------------------------------------------------------------------ SCP and RCP rules


@pytest.mark.parametrize("kind", [PolicyKind.SCP, PolicyKind.RCP])
def test_organization_policies_need_version_2012(kind: PolicyKind) -> None:
    """Every SCP and RCP must have a Version element with the value "2012-10-17".
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
    """
    missing = minimal_policy(kind)
    del missing["Version"]
    assert codes(missing, kind) == [("kind-restriction", "/Version")]
    assert codes({**minimal_policy(kind), "Version": "2008-10-17"}, kind) == [
        ("kind-restriction", "/Version")]
    identity = minimal_policy(PolicyKind.IDENTITY)
    del identity["Version"]
    assert codes(identity, PolicyKind.IDENTITY) == []


def test_scp_allows_the_full_language_since_2025() -> None:
    """Since September 2025 SCPs support Condition, NotAction, specific resource ARNs and
    NotResource with Allow as well as Deny, and wildcards anywhere in actions.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
    """
    document = minimal_policy(PolicyKind.SCP, Action=None, NotAction="iam:*User*",
                              Resource=None, NotResource="arn:aws:s3:::logs/*",
                              Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
    assert codes(document, PolicyKind.SCP) == []


def test_rcp_rules() -> None:
    """RCPs: Allow only in RCPFullAWSAccess; Principal must be "*"; NotAction unsupported;
    a bare "*" action is not supported in customer RCPs (AWS-EVALUATION-SPEC R8.5; disputed
    by translated copies of the page, see the corpus note).
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
    """
    rcp = PolicyKind.RCP
    assert codes(minimal_policy(rcp, Effect="Allow"), rcp) == [
        ("kind-restriction", "/Statement/0/Effect")]
    assert codes(minimal_policy(rcp, Principal={"AWS": "*"}), rcp) == [
        ("kind-restriction", "/Statement/0/Principal")]
    assert codes(minimal_policy(rcp, Action=None, NotAction="s3:*"), rcp) == [
        ("kind-restriction", "/Statement/0/NotAction")]
    assert codes(minimal_policy(rcp, Action="*"), rcp) == [
        ("kind-restriction", "/Statement/0/Action")]
    full_access = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    assert codes(full_access, rcp) == []


# ------------------------------------------------------------------------------ Sids


@pytest.mark.parametrize(("kind", "sid", "ok"), [
    (PolicyKind.IDENTITY, "ReadOnly1", True),
    (PolicyKind.IDENTITY, "Read only", False),
    (PolicyKind.INLINE_ROLE, "read_only", False),
    (PolicyKind.TRUST, "Trust-1", False),
    (PolicyKind.KMS_KEY, "Enable IAM User Permissions", True),
    (PolicyKind.S3_BUCKET, "Allow read: public", True),
    (PolicyKind.LAMBDA_FUNCTION, "lambda-allow-s3", True),
])
def test_sid_characters_per_kind(kind: PolicyKind, sid: str, ok: bool) -> None:
    """IAM Sids take only ASCII letters and digits; key policies may include spaces; other
    services have their own rules.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
    """
    expected = [] if ok else [("invalid-sid", "/Statement/0/Sid")]
    assert codes(minimal_policy(kind, Sid=sid), kind) == expected


def test_sids_are_unique_within_a_policy() -> None:
    """"The Sid value must be unique within a JSON policy."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
    """
    statement = minimal_statement(PolicyKind.IDENTITY)
    document = {"Version": "2012-10-17", "Statement": [
        {**statement, "Sid": "A"}, {**statement, "Sid": "B"}, {**statement, "Sid": "A"}]}
    assert codes(document, PolicyKind.IDENTITY) == [("duplicate-sid", "/Statement/2/Sid")]


# ---------------------------------------------------------------------------- counts


def test_sqs_count_quotas() -> None:
    """SQS policy quotas: 20 statements, 7 actions per statement, 50 principals, 10
    conditions.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
    """
    sqs = PolicyKind.SQS_QUEUE
    actions = [f"sqs:Action{i}" for i in range(8)]
    assert codes(minimal_policy(sqs, Action=actions[:7]), sqs) == []
    assert codes(minimal_policy(sqs, Action=actions), sqs) == [
        ("kind-restriction", "/Statement/0/Action")]
    statement = minimal_statement(sqs)
    assert codes({"Statement": [statement] * 20}, sqs) == []
    assert codes({"Statement": [statement] * 21}, sqs) == [("kind-restriction", "/Statement")]
    principals = {"AWS": [f"{100000000000 + i}" for i in range(51)]}
    assert codes(minimal_policy(sqs, Principal=principals), sqs) == [
        ("kind-restriction", "/Statement")]
    conditions = {"StringEquals": {f"aws:PrincipalTag/t{i}": "x" for i in range(11)}}
    assert codes(minimal_policy(sqs, Condition=conditions), sqs) == [
        ("kind-restriction", "/Statement")]


def test_sns_allows_one_resource_per_statement() -> None:
    """SNS policy quotas: Resource 1 per statement (the topic's ARN), 100 statements.
    https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
    """
    sns = PolicyKind.SNS_TOPIC
    topics = [f"arn:aws:sns:us-east-1:{ACCOUNT}:a", f"arn:aws:sns:us-east-1:{ACCOUNT}:b"]
    assert codes(minimal_policy(sns, Resource=topics[:1]), sns) == []
    assert codes(minimal_policy(sns, Resource=topics), sns) == [
        ("kind-restriction", "/Statement/0/Resource")]


# ----------------------------------------------------------------------------- sizes


SIZED_KINDS = [k for k in PolicyKind if rules_for(k).size is not None]


def _padded(kind: PolicyKind, size: int, indent: int = 2) -> str:
    """Policy text of `kind` whose size, as AWS counts it for the kind, is exactly `size`."""
    rule = rules_for(kind).size
    count = rule.count if rule is not None else SizeCount.CHARACTERS

    def text(pad: str) -> str:
        return json.dumps(minimal_policy(kind, pad), indent=indent)

    base = measure_size(None, text("a"), count) - 1
    result = text("a" * (size - base))
    assert measure_size(None, result, count) == size
    return result


@pytest.mark.parametrize("kind", SIZED_KINDS)
def test_size_quota_per_kind_at_and_over_the_limit(kind: PolicyKind) -> None:
    """Quotas and how they are counted:
    IAM (managed 6,144; inline user 2,048, group 5,120, role 10,240; trust 2,048), white
    space not counted: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    Session policy 2,048 characters (AssumeRole `Policy` length):
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    SCP 10,240 and RCP 5,120, every character counted:
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
    KMS 32,768 bytes: https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
    S3 20 KB: https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html
    SQS 8,192 bytes: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
    SNS 30 KB: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
    Lambda 20 KB: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    Secrets Manager 20,480: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
    ECR 10,240: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html
    VPC endpoint 20,480 characters including white space:
    https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
    """
    rule = rules_for(kind).size
    assert rule is not None
    limit = rule.limit(DEFAULT_QUOTAS)
    assert codes(_padded(kind, limit), kind) == []
    assert codes(_padded(kind, limit + 1), kind) == [("oversize", "")]


def test_documented_quota_values() -> None:
    """The defaults as AWS documents them (IAM quotas, Organizations limits, KMS, SQS, SNS,
    VPC pages cited in `kinds.py`); SCP size is 10,240 since 15 May 2026.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
    """
    q = DEFAULT_QUOTAS
    assert (q.managed_policy, q.inline_user, q.inline_group, q.inline_role) == (
        6_144, 2_048, 5_120, 10_240)
    assert (q.trust_policy, q.session_policy, q.scp, q.rcp) == (2_048, 2_048, 10_240, 5_120)
    assert (q.kms_key_policy, q.s3_bucket_policy, q.sqs_queue_policy, q.sns_topic_policy) == (
        32_768, 20_480, 8_192, 30_720)
    assert (q.scps_per_target, q.rcps_per_target) == (10, 5)


def test_iam_does_not_count_white_space_but_organizations_does() -> None:
    """"IAM does not count white space when calculating the size of a policy"; "All
    characters in your SCP count against its maximum size".
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
    """
    identity = _padded(PolicyKind.IDENTITY, 6_144, indent=2)
    roomy = json.dumps(json.loads(identity), indent=12)
    assert len(roomy) > len(identity)
    assert codes(roomy, PolicyKind.IDENTITY) == []
    scp = _padded(PolicyKind.SCP, 10_240, indent=0)
    assert codes(scp, PolicyKind.SCP) == []
    assert codes(json.dumps(json.loads(scp), indent=4), PolicyKind.SCP) == [("oversize", "")]


def test_measure_size_methods() -> None:
    value = {"a": "é b"}
    text = '{\n  "a": "é b"\n}'
    assert measure_size(value, text, SizeCount.CHARACTERS) == len(text)
    assert measure_size(value, text, SizeCount.BYTES) == len(text) + 1
    # IAM's rule read literally: no space, tab, CR or LF counts, inside strings or not.
    assert measure_size(value, text, SizeCount.NON_WHITESPACE) == len(text) - 6
    assert measure_size(value, None, SizeCount.CHARACTERS) == len('{"a":"é b"}')


def test_quotas_are_configurable() -> None:
    """The SCP quota was 5,120 characters before 15 May 2026 (AWS-EVALUATION-SPEC §10):
    the old number can still be asked for.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
    """
    scp = _padded(PolicyKind.SCP, 6_000)
    assert codes(scp, PolicyKind.SCP) == []
    old = DEFAULT_QUOTAS.with_changes(scp=5_120)
    assert isinstance(old, Quotas) and old.scp == 5_120 and DEFAULT_QUOTAS.scp == 10_240
    assert codes(scp, PolicyKind.SCP, quotas=old) == [("oversize", "")]
    strict_sqs = Quotas(sqs_actions_per_statement=1)
    assert codes(minimal_policy(PolicyKind.SQS_QUEUE, Action=["sqs:A", "sqs:B"]),
                 PolicyKind.SQS_QUEUE, quotas=strict_sqs) == [
        ("kind-restriction", "/Statement/0/Action")]
    assert "scp" in Quotas.names()

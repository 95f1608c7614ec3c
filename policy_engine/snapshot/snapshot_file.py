"""The snapshot file: our documented format, as pydantic models that also give its JSON Schema.

A snapshot file (`"format": "policy-engine-snapshot/1"`, JSON or YAML) holds accounts with
their IAM data (the output of `aws iam get-account-authorization-details` inline, or the path
of a file holding it), the organization tree with its SCPs and RCPs, resources with their
policies and tags, and identity providers. The models are closed (`extra="forbid"`: an
unknown key is an error naming its path). Policy documents stay raw JSON here; the loader
validates each one with `parse_policy` under the kind it is used as.

Sources: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
(FullAWSAccess and inheritance), orgs_manage_policies_rcps.html (RCPFullAWSAccess),
orgs_reference_limits.html; Organizations API reference for the id patterns (Organization,
Root, OrganizationalUnit, PolicySummary).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, WithJsonSchema

from policy_engine.model.grants import KmsGrant
from policy_engine.model.s3_access import AclSpec, ObjectOwnershipSpec, PublicAccessBlockSpec
from policy_engine.snapshot.authorization_details import AuthorizationDetails

SNAPSHOT_FORMAT: Final = "policy-engine-snapshot/1"

# Each pattern with the words used when a value does not match it.
ACCOUNT_ID_PATTERN: Final = r"^\d{12}$"
ORGANIZATION_ID_PATTERN: Final = r"^o-[a-z0-9]{10,32}$"
ROOT_ID_PATTERN: Final = r"^r-[0-9a-z]{4,32}$"
OU_ID_PATTERN: Final = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
ORG_POLICY_ID_PATTERN: Final = r"^p-[0-9a-zA-Z_]{8,128}$"
PROVIDER_ARN_PATTERN: Final = r"^arn:[a-z-]+:iam::\d{12}:(saml-provider|oidc-provider)/.+$"
VPC_ENDPOINT_ID_PATTERN: Final = r"^vpce-[0-9a-f]{8,17}$"
PATTERN_WORDS: Final = MappingProxyType({
    ACCOUNT_ID_PATTERN: "account id (12 digits, written as text)",
    ORGANIZATION_ID_PATTERN: "organization id (`o-` and 10 to 32 lowercase letters or digits)",
    ROOT_ID_PATTERN: "root id (`r-` and 4 to 32 lowercase letters or digits)",
    OU_ID_PATTERN: "organizational unit id (such as `ou-ab12-cd34ef56`)",
    ORG_POLICY_ID_PATTERN: "organization policy id (such as `p-FullAWSAccess` or "
                           "`p-examplepolicyid111`)",
    PROVIDER_ARN_PATTERN: "identity provider ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME` "
                          "or `arn:aws:iam::ACCOUNT:oidc-provider/HOST`)",
    VPC_ENDPOINT_ID_PATTERN: "VPC endpoint id (`vpce-` and 8 to 17 hexadecimal digits)",
})

AccountId = Annotated[str, Field(pattern=ACCOUNT_ID_PATTERN, description="12-digit account id")]
OrganizationId = Annotated[str, Field(pattern=ORGANIZATION_ID_PATTERN)]
RootId = Annotated[str, Field(pattern=ROOT_ID_PATTERN)]
OuId = Annotated[str, Field(pattern=OU_ID_PATTERN)]
OrgPolicyId = Annotated[str, Field(pattern=ORG_POLICY_ID_PATTERN)]
ProviderArn = Annotated[str, Field(pattern=PROVIDER_ARN_PATTERN)]
Tags = Annotated[dict[str, str], Field(description="tag key -> value")]
RawDocument = Annotated[
    dict[str, Any],
    WithJsonSchema({"type": "object", "description": "an IAM policy document "
                    "(`Version`, `Statement`), validated for the kind of policy it is"}),
]


class OrgPolicyType(StrEnum):
    SCP = "SCP"
    RCP = "RCP"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _details_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "path"
    if isinstance(value, dict):
        return "inline"
    return None


AuthorizationDetailsSpec = Annotated[
    Annotated[str, Tag("path")] | Annotated[AuthorizationDetails, Tag("inline")],
    Discriminator(
        _details_form,
        custom_error_type="details_form",
        custom_error_message="should be the path of a file holding the output of "
                             "`aws iam get-account-authorization-details`, or that output "
                             "inline as an object",
    ),
]


class AccountEntry(_Closed):
    """One AWS account: its IAM data and identity providers."""

    id: AccountId
    name: str | None = None
    authorization_details: AuthorizationDetailsSpec | None = Field(
        None, description="the output of `aws iam get-account-authorization-details` "
        "inline, or the path of a file holding it (relative to this file)")
    identity_providers: tuple[ProviderArn, ...] = Field(
        (), description="SAML and OIDC provider ARNs that trust policies may name")
    s3_public_access_block: PublicAccessBlockSpec | None = Field(
        None, description="the account-level S3 Block Public Access settings, as `aws "
        "s3control get-public-access-block` prints them; absent: not configured")
    canonical_user_id: str | None = Field(
        None, description="the account's S3 canonical user id (`aws s3api list-buckets "
        "--query Owner.ID`), so ACL grants to it name this account")


class OrgAccountNode(_Closed):
    """An account placed in the organization tree, with the policies attached to it."""

    id: AccountId
    policies: tuple[OrgPolicyId, ...] = Field(
        (), description="ids of the SCPs and RCPs attached directly to the account")


class OrganizationalUnitNode(_Closed):
    id: OuId
    name: str
    policies: tuple[OrgPolicyId, ...] = ()
    accounts: tuple[OrgAccountNode, ...] = ()
    organizational_units: tuple[OrganizationalUnitNode, ...] = ()


class RootNode(_Closed):
    id: RootId
    policies: tuple[OrgPolicyId, ...] = ()
    accounts: tuple[OrgAccountNode, ...] = ()
    organizational_units: tuple[OrganizationalUnitNode, ...] = ()


class OrgPolicyEntry(_Closed):
    name: str
    type: OrgPolicyType
    description: str | None = None
    document: RawDocument


class OrganizationEntry(_Closed):
    """The tree, root first. Attachments are explicit: nothing is attached implicitly.

    While a policy type is enabled AWS keeps at least one policy of that type attached to
    the root, every OU and every account (FullAWSAccess for SCPs, RCPFullAWSAccess for RCPs,
    which cannot be detached); the loader checks the same. `p-FullAWSAccess` and
    `p-RCPFullAWSAccess` are known without being listed in `policies`.
    """

    id: OrganizationId
    management_account: AccountId
    policy_types: tuple[OrgPolicyType, ...] = Field(
        (OrgPolicyType.SCP,), description="the policy types enabled in the organization")
    root: RootNode
    policies: dict[OrgPolicyId, OrgPolicyEntry] = Field(
        default_factory=dict, description="policy id -> the SCP or RCP")


class S3BucketEntry(_Closed):
    name: str
    account: AccountId = Field(description="the account that owns the bucket")
    region: str | None = None
    policy: RawDocument | None = None
    tags: Tags = Field(default_factory=dict)
    public_access_block: PublicAccessBlockSpec | None = Field(
        None, description="the bucket's Block Public Access settings, as `aws s3api "
        "get-public-access-block` prints them; absent: not configured")
    object_ownership: ObjectOwnershipSpec | None = Field(
        None, description="`BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter` "
        "(or get-bucket-ownership-controls' output); absent: no ownership controls, ACLs "
        "apply")
    acl: AclSpec | None = Field(
        None, description="the bucket ACL as `aws s3api get-bucket-acl` prints it, or a "
        "canned ACL name")


class KmsKeyEntry(_Closed):
    arn: str
    policy: RawDocument = Field(description="the key policy (every KMS key has one)")
    aliases: tuple[str, ...] = Field((), description="`alias/NAME`, or alias ARNs")
    tags: Tags = Field(default_factory=dict)
    grants: tuple[KmsGrant, ...] = Field(
        (), description="the key's grants, as `aws kms list-grants` prints them (Grants)")


class ArnResourceEntry(_Closed):
    arn: str
    policy: RawDocument | None = None
    tags: Tags = Field(default_factory=dict)


class LambdaLayerVersionEntry(_Closed):
    arn: str = Field(description="`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`")
    policy: RawDocument | None = None


class GenericResourceEntry(_Closed):
    arn: str
    type: str = Field(description="the resource type, such as `glue:catalog`")
    account: AccountId | None = Field(
        None, description="the owner; required when the ARN carries no account")
    policy: RawDocument | None = None
    tags: Tags = Field(default_factory=dict)


class ResourcesEntry(_Closed):
    s3_buckets: tuple[S3BucketEntry, ...] = ()
    kms_keys: tuple[KmsKeyEntry, ...] = ()
    sqs_queues: tuple[ArnResourceEntry, ...] = ()
    sns_topics: tuple[ArnResourceEntry, ...] = ()
    lambda_functions: tuple[ArnResourceEntry, ...] = ()
    lambda_layer_versions: tuple[LambdaLayerVersionEntry, ...] = ()
    secretsmanager_secrets: tuple[ArnResourceEntry, ...] = ()
    ecr_repositories: tuple[ArnResourceEntry, ...] = ()
    other: tuple[GenericResourceEntry, ...] = ()


class VpcEndpointEntry(_Closed):
    """A VPC endpoint and its policy; a request names it with `aws:SourceVpce`."""

    id: Annotated[str, Field(pattern=VPC_ENDPOINT_ID_PATTERN)]
    account: AccountId = Field(description="the account that owns the endpoint")
    vpc_id: str | None = Field(None, description="the VPC the endpoint is in (`vpc-...`)")
    service_name: str | None = Field(None, description="such as `com.amazonaws.us-east-1.s3`")
    region: str | None = None
    policy: RawDocument | None = Field(
        None, description="the endpoint policy; absent: the default policy, full access")


class FetchWarningEntry(_Closed):
    """What `policy-engine fetch` could not read: one refused or failed operation."""

    service: str = Field(description="the AWS service, such as `s3` or `kms`")
    operation: str = Field(description="the API operation, such as `GetBucketPolicy`")
    region: str | None = Field(None, description="absent for global services")
    resource: str | None = Field(None, description="the resource it was read for, if one")
    code: str = Field(description="the AWS error code, such as `AccessDenied`")
    message: str


class FetchedEntry(_Closed):
    """When, from which account and as whom `policy-engine fetch` took the snapshot.

    Never credentials: the caller is named by its ARN only.
    """

    taken_at: datetime = Field(description="when the fetch started (UTC, ISO 8601)")
    account: AccountId = Field(description="the account the caller belongs to")
    caller_arn: str = Field(description="the caller identity (`sts get-caller-identity`)")
    regions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    warnings: tuple[FetchWarningEntry, ...] = Field(
        (), description="operations that were refused or failed; what they would have "
        "read is missing from the snapshot")


class SnapshotFile(_Closed):
    """A policy-engine snapshot: several accounts, their organization and resources."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              title="policy-engine snapshot")

    schema_: str | None = Field(None, alias="$schema",
                                description="optional, for editors that validate")
    format: Literal["policy-engine-snapshot/1"]
    description: str | None = None
    accounts: tuple[AccountEntry, ...] = ()
    organization: OrganizationEntry | None = None
    resources: ResourcesEntry = Field(default_factory=ResourcesEntry)
    vpc_endpoints: tuple[VpcEndpointEntry, ...] = ()
    fetched: FetchedEntry | None = Field(
        None, description="written by `policy-engine fetch`: when, for which account and "
        "caller the snapshot was taken, and what could not be read")

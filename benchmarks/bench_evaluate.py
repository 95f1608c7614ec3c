"""Throughput of the evaluation engine on a realistic workload (issue 3).

    python benchmarks/bench_evaluate.py [--seconds N] [--lines N] [--profile] [--keep FILE]

Workload: five identity policies of ten statements each (action wildcards, NotAction,
resource wildcards and `${aws:username}`/`${aws:PrincipalTag/team}`, conditions on
aws:SourceIp, aws:MultiFactorAuthPresent, aws:PrincipalTag/team, aws:RequestedRegion and
service keys), an S3 bucket policy (a cross-account grant and a Deny on insecure
transport), two SCP levels (FullAWSAccess at the root; FullAWSAccess plus a deny-list with
a region condition at the OU), and about 1,000 distinct requests, same- and cross-account,
that end allowed, explicitly denied and implicitly denied.

Measured in one run:
  (a) the library's compiled path: compile once, then decisions per second for
      `evaluate_decision` and for `evaluate` (explanation not accessed), the same with the
      request built by `make_request` each time, and the cost of reading `.explanation`;
  (b) `policy-engine simulate --batch FILE.jsonl` end to end in a subprocess (process start
      included) over a generated JSONL of full cases, request first on every line;
  (c) a table of the figures, the ratio between them and the decision mix.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_engine.engine.compiler import PolicySet, compile_policy_set
from policy_engine.engine.evaluate import evaluate, evaluate_decision
from policy_engine.engine.request import Request, make_request
from policy_engine.model.policy import PolicyDocument

LIBRARY_TARGET = 50_000  # decisions/s, single process (issue 3)
BATCH_TARGET = 20_000  # lines/s through `simulate --batch`, process start included

CORP = "111122223333"
PARTNER = "444455556666"
BUCKET = "corp-shared-data"
VERSION = "2012-10-17"
SEED = 20261126

# --- policies ------------------------------------------------------------------------------


def _allow(action: Any, resource: Any, condition: dict[str, Any] | None = None, *,
           not_action: bool = False) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow",
                                 "NotAction" if not_action else "Action": action,
                                 "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(action: Any, resource: Any, condition: dict[str, Any] | None = None, *,
          not_action: bool = False) -> dict[str, Any]:
    return {**_allow(action, resource, condition, not_action=not_action), "Effect": "Deny"}


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


OFFICE_NETS = ["10.0.0.0/8", "192.0.2.0/24"]
NO_MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
HOME = f"arn:aws:s3:::{BUCKET}/home/${{aws:username}}/*"


def identity_policies() -> list[tuple[str, dict[str, Any]]]:
    """Five customer managed policies of ten statements each."""
    s3 = _document(
        _allow(["s3:Get*", "s3:List*"], [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]),
        _allow(["s3:PutObject", "s3:DeleteObject"], HOME),
        _allow("s3:ListBucket", f"arn:aws:s3:::{BUCKET}",
               {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "public/*"]}}),
        _deny("s3:DeleteObject*", f"arn:aws:s3:::{BUCKET}/archive/*"),
        _allow("s3:GetObject", "arn:aws:s3:::corp-logs-*/*",
               {"IpAddress": {"aws:SourceIp": OFFICE_NETS}}),
        _deny("s3:*", ["arn:aws:s3:::corp-secrets*", "arn:aws:s3:::corp-secrets*/*"], NO_MFA),
        _allow("s3:PutObject*", f"arn:aws:s3:::{BUCKET}/teams/${{aws:PrincipalTag/team}}/*",
               {"StringEquals": {"aws:PrincipalTag/team": ["data", "analytics", "platform"]}}),
        _allow(["s3:GetBucketLocation", "s3:ListAllMyBuckets"], "*"),
        _allow("s3:GetObjectVersion", f"arn:aws:s3:::{BUCKET}/releases/v?.?/*"),
        _deny(["s3:PutBucketPolicy", "s3:DeleteBucket*"], "*"),
    )
    ec2 = _document(
        _allow("ec2:Describe*", "*"),
        _allow(["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
               f"arn:aws:ec2:*:{CORP}:instance/*",
               {"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
        _allow("ec2:RunInstances", [f"arn:aws:ec2:*:{CORP}:instance/*",
                                    f"arn:aws:ec2:*:{CORP}:volume/*", "arn:aws:ec2:*::image/*"],
               {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
        _deny("ec2:TerminateInstances", "*", NO_MFA),
        _allow("ec2:CreateTags", "arn:aws:ec2:*:*:instance/*",
               {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "owner"]}}),
        _deny("ec2:*", "*", {"NotIpAddress": {"aws:SourceIp": OFFICE_NETS},
                             "Bool": {"aws:ViaAWSService": "false"}}),
        _allow(["ec2:AttachVolume", "ec2:DetachVolume"],
               [f"arn:aws:ec2:*:{CORP}:volume/*", f"arn:aws:ec2:*:{CORP}:instance/*"]),
        _allow("ec2:*SecurityGroup*", f"arn:aws:ec2:us-east-1:{CORP}:security-group/*",
               {"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
        _allow("ec2:CreateSnapshot", "*",
               {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
        _deny(["ec2:DeleteVpc*", "ec2:DeleteSubnet", "ec2:DeleteInternetGateway"], "*"),
    )
    iam = _document(
        _allow(["iam:GetUser", "iam:ChangePassword", "iam:*AccessKey*"],
               f"arn:aws:iam::{CORP}:user/${{aws:username}}"),
        _allow(["iam:Get*", "iam:List*"], "*"),
        _allow("iam:PassRole", f"arn:aws:iam::{CORP}:role/app-*",
               {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
        _deny("iam:PassRole", "arn:aws:iam::*:role/admin*"),
        _allow(["iam:*MFADevice", "iam:ListMFADevices"],
               [f"arn:aws:iam::{CORP}:mfa/${{aws:username}}",
                f"arn:aws:iam::{CORP}:user/${{aws:username}}"]),
        _deny(["iam:*MFA*", "iam:GetUser", "iam:ChangePassword", "sts:GetSessionToken"], "*",
              {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
               "StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{CORP}:user/*"}},
              not_action=True),
        _allow("sts:AssumeRole", f"arn:aws:iam::{CORP}:role/readonly-*"),
        _deny(["iam:CreateUser", "iam:DeleteUser", "iam:AttachUserPolicy"], "*"),
        _allow("iam:TagUser", f"arn:aws:iam::{CORP}:user/${{aws:username}}",
               {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}),
        _allow("iam:Simulate*", "*"),
    )
    data = _document(
        _allow(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
               f"arn:aws:kms:us-east-1:{CORP}:key/*",
               {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}),
        _allow(["kms:DescribeKey", "kms:List*"], "*"),
        _deny(["kms:ScheduleKeyDeletion", "kms:DisableKey"], "*"),
        _allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
               f"arn:aws:sqs:*:{CORP}:orders-*"),
        _allow(["sqs:Get*", "sqs:List*"], "*"),
        _deny("sqs:*", "arn:aws:sqs:*:*:*-prod",
              {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}}),
        _allow("sns:Publish", f"arn:aws:sns:us-east-1:{CORP}:alerts"),
        _allow(["logs:CreateLogStream", "logs:PutLogEvents"],
               f"arn:aws:logs:*:{CORP}:log-group:/app/*"),
        _allow(["dynamodb:GetItem", "dynamodb:Query"],
               f"arn:aws:dynamodb:us-east-1:{CORP}:table/orders",
               {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}),
        _allow(["cloudwatch:Get*", "cloudwatch:Describe*", "cloudwatch:List*"], "*"),
    )
    guardrails = _document(
        _allow(["iam:*", "organizations:*", "account:*"], "*",
               {"StringEquals": {"aws:PrincipalTag/team": "platform"}}, not_action=True),
        _deny("s3:PutObject*", "arn:aws:s3:::corp-public-*/*",
              {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}),
        _allow("lambda:InvokeFunction",
               f"arn:aws:lambda:*:{CORP}:function:${{aws:PrincipalTag/team}}-*"),
        _allow("secretsmanager:GetSecretValue",
               f"arn:aws:secretsmanager:*:{CORP}:secret:${{aws:PrincipalTag/team}}/*"),
        _deny("secretsmanager:*", f"arn:aws:secretsmanager:*:{CORP}:secret:prod/*", NO_MFA),
        _allow("ssm:GetParameter*", "arn:aws:ssm:*:*:parameter/${aws:username}/*"),
        _allow(["cloudformation:Describe*", "cloudformation:List*", "cloudformation:Get*"],
               "*"),
        _deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:Delete*"], "*"),
        _allow("tag:GetResources", "*"),
        _allow("s3:GetObject", "arn:aws:s3:::corp-public-*/*"),
    )
    return [("s3-access", s3), ("ec2-operations", ec2), ("iam-self-service", iam),
            ("data-services", data), ("guardrails", guardrails)]


def bucket_policy() -> dict[str, Any]:
    bucket, objects = f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"
    return _document(
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket, objects], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "PartnerEtlRead", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:role/partner-etl"},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [bucket, f"arn:aws:s3:::{BUCKET}/shared/*"]},
        {"Sid": "PartnerAccountPublicRead", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/public/*"},
        {"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*",
         "Action": "s3:PutObject", "Resource": objects,
         "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}},
    )


FULL_AWS_ACCESS = _document(_allow("*", "*"))


def scp_levels() -> list[list[tuple[str, dict[str, Any]]]]:
    deny_list = _document(
        _deny(["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*",
               "budgets:*"], "*",
              {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
              not_action=True),
        _deny(["organizations:LeaveOrganization", "cloudtrail:StopLogging",
               "cloudtrail:DeleteTrail"], "*"),
        _deny("ec2:RunInstances", f"arn:aws:ec2:*:{CORP}:instance/*",
              {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "m5.*"]}}),
    )
    return [[("FullAWSAccess", FULL_AWS_ACCESS)],
            [("FullAWSAccess", FULL_AWS_ACCESS), ("ou-deny-list", deny_list)]]


# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    arn: str
    account: str
    name: str  # user name, or the role's session name
    team: str | None


CALLERS = (
    Caller(f"arn:aws:iam::{CORP}:user/alice", CORP, "alice", "data"),
    Caller(f"arn:aws:iam::{CORP}:user/bob", CORP, "bob", "ops"),
    Caller(f"arn:aws:iam::{CORP}:user/carol", CORP, "carol", "platform"),
    Caller(f"arn:aws:iam::{CORP}:user/dave", CORP, "dave", None),
    Caller(f"arn:aws:sts::{CORP}:assumed-role/app-worker/i-0abc123", CORP, "i-0abc123", "data"),
    Caller(f"arn:aws:sts::{PARTNER}:assumed-role/partner-etl/job-7", PARTNER, "job-7", None),
    Caller(f"arn:aws:iam::{PARTNER}:user/ext-analyst", PARTNER, "ext-analyst", None),
)

# (action, resource template); {user} {other} {team} {n} are filled in per request.
BUCKET_TEMPLATES = (
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/home/{{user}}/report-{{n}}.csv"),
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/shared/data-{{n}}.parquet"),
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/public/readme-{{n}}.txt"),
    ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/private/ledger-{{n}}.csv"),
    ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/home/{{user}}/upload-{{n}}.bin"),
    ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/home/{{other}}/upload-{{n}}.bin"),
    ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/teams/{{team}}/batch-{{n}}.json"),
    ("s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/archive/2025/{{n}}.gz"),
    ("s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/home/{{user}}/old-{{n}}.tmp"),
    ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}"),
    ("s3:GetObjectVersion", f"arn:aws:s3:::{BUCKET}/releases/v1.{{d}}/pkg-{{n}}.tgz"),
    ("s3:PutBucketPolicy", f"arn:aws:s3:::{BUCKET}"),
)
OTHER_TEMPLATES = (
    ("s3:GetObject", "arn:aws:s3:::corp-logs-2026/app/{n}.log"),
    ("s3:GetObject", "arn:aws:s3:::corp-secrets/keys/{n}.pem"),
    ("s3:GetObject", "arn:aws:s3:::corp-public-site/index-{n}.html"),
    ("s3:PutObject", "arn:aws:s3:::corp-public-site/index-{n}.html"),
    ("s3:ListAllMyBuckets", "*"),
    ("ec2:DescribeInstances", "*"),
    ("ec2:StartInstances", f"arn:aws:ec2:us-east-1:{CORP}:instance/i-{{n:08x}}"),
    ("ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{CORP}:instance/*"),
    ("ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{CORP}:instance/i-{{n:08x}}"),
    ("ec2:CreateTags", f"arn:aws:ec2:us-east-1:{CORP}:instance/i-{{n:08x}}"),
    ("ec2:AuthorizeSecurityGroupIngress", f"arn:aws:ec2:us-east-1:{CORP}:security-group/sg-{{n}}"),
    ("ec2:DeleteVpc", f"arn:aws:ec2:us-east-1:{CORP}:vpc/vpc-{{n}}"),
    ("iam:GetUser", f"arn:aws:iam::{CORP}:user/{{user}}"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{CORP}:user/{{user}}"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{CORP}:user/{{other}}"),
    ("iam:PassRole", f"arn:aws:iam::{CORP}:role/app-{{n}}"),
    ("iam:PassRole", f"arn:aws:iam::{CORP}:role/admin-{{n}}"),
    ("iam:CreateUser", f"arn:aws:iam::{CORP}:user/new-{{n}}"),
    ("sts:AssumeRole", f"arn:aws:iam::{CORP}:role/readonly-{{n}}"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{CORP}:key/{{n:08x}}-0000-4000-8000-000000000000"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{CORP}:orders-{{n}}"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{CORP}:billing-prod"),
    ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{CORP}:function:{{team}}-job-{{n}}"),
    ("secretsmanager:GetSecretValue",
     f"arn:aws:secretsmanager:us-east-1:{CORP}:secret:{{team}}/db-{{n}}"),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{CORP}:secret:prod/x"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{CORP}:table/orders"),
    ("cloudtrail:StopLogging", f"arn:aws:cloudtrail:us-east-1:{CORP}:trail/main"),
    ("cloudformation:DescribeStacks", "*"),
)

S3_ACCOUNT = {BUCKET: CORP, "corp-logs-2026": CORP, "corp-secrets": CORP,
              "corp-public-site": CORP}


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _context(rng: random.Random, caller: Caller, action: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:SourceIp": _weighted(rng, [(f"10.{rng.randrange(256)}.{rng.randrange(256)}.7", 7),
                                        (f"192.0.2.{rng.randrange(256)}", 1.5),
                                        (f"198.51.100.{rng.randrange(256)}", 1.5)]),
        "aws:SecureTransport": rng.random() < 0.93,
        "aws:RequestedRegion": _weighted(rng, [("us-east-1", 6), ("eu-west-1", 3),
                                               ("ap-southeast-2", 1)]),
        "aws:ViaAWSService": False,
    }
    mfa = _weighted(rng, [(True, 7), (False, 2), (None, 1)])
    if mfa is not None:
        context["aws:MultiFactorAuthPresent"] = mfa
        if mfa:
            context["aws:MultiFactorAuthAge"] = rng.randrange(0, 7200)
    if caller.team is not None:
        context["aws:PrincipalTag/team"] = caller.team
    if action == "s3:ListBucket":
        context["s3:prefix"] = rng.choice([f"home/{caller.name}/", "public/", "private/", ""])
    if action == "s3:PutObject" and rng.random() < 0.8:
        context["s3:x-amz-server-side-encryption"] = "aws:kms"
    if action == "ec2:CreateTags":
        context["aws:TagKeys"] = rng.choice([["team"], ["team", "env"], ["cost-center"]])
    if action == "ec2:RunInstances":
        context["ec2:InstanceType"] = rng.choice(["t3.micro", "m5.large", "p4d.24xlarge"])
    if action.startswith("kms:"):
        context["kms:ViaService"] = rng.choice(["s3.us-east-1.amazonaws.com",
                                                "ec2.us-east-1.amazonaws.com"])
    if action == "iam:PassRole":
        context["iam:PassedToService"] = rng.choice(["ec2.amazonaws.com",
                                                     "lambda.amazonaws.com"])
    if action == "dynamodb:GetItem":
        context["dynamodb:LeadingKeys"] = rng.choice([[caller.name], ["someone-else"]])
    return context


@dataclass(frozen=True)
class Job:
    """One request and the name of the policy set it is evaluated against."""

    request: dict[str, Any]
    policy_set: str

    @property
    def cross_account(self) -> bool:
        principal_account = self.request["principal"].split(":")[4]
        return principal_account != self.request["resource_account"]


def build_jobs(count: int, seed: int = SEED) -> list[Job]:
    rng = random.Random(seed)
    jobs: dict[str, Job] = {}
    while len(jobs) < count:
        caller = _weighted(rng, [(c, 1.0 if c.account == CORP else 0.6) for c in CALLERS])
        partner = caller.account == PARTNER
        on_bucket = rng.random() < (0.8 if partner else 0.35)
        action, template = rng.choice(BUCKET_TEMPLATES if on_bucket else OTHER_TEMPLATES)
        others = [c.name for c in CALLERS if c.name != caller.name]
        resource = template.format(user=caller.name, other=rng.choice(others),
                                   team=caller.team or "none", n=rng.randrange(1, 400),
                                   d=rng.randrange(10))
        if resource.startswith("arn:aws:s3:::") or resource == "*":
            bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
            resource_account = S3_ACCOUNT.get(bucket, CORP)
        else:
            resource_account = resource.split(":")[4]
        request = {"principal": caller.arn, "action": action, "resource": resource,
                   "resource_account": resource_account,
                   "context": _context(rng, caller, action)}
        name = ("partner" if partner else "corp") + ("-bucket" if on_bucket else "")
        jobs.setdefault(json.dumps(request, sort_keys=True), Job(request, name))
    return list(jobs.values())


def case_policies() -> dict[str, dict[str, Any]]:
    """The policy part of a case file, per policy set (DESIGN.md case-file keys)."""
    identity = [{"name": name, "document": doc} for name, doc in identity_policies()]
    scps = [[{"name": name, "document": doc} for name, doc in level] for level in scp_levels()]
    bucket = {"name": f"{BUCKET}-bucket-policy", "document": bucket_policy()}
    return {
        "corp": {"identity_policies": identity, "scps": scps},
        "corp-bucket": {"identity_policies": identity, "resource_policy": bucket,
                        "scps": scps},
        # The partner's caller carries the same five policies; its account is not in our
        # organization, so no SCPs apply to it.
        "partner": {"identity_policies": identity},
        "partner-bucket": {"identity_policies": identity, "resource_policy": bucket},
    }


def compile_sets(cases: dict[str, dict[str, Any]]) -> dict[str, PolicySet]:
    def named(item: dict[str, Any]) -> tuple[str, PolicyDocument]:
        return item["name"], PolicyDocument.model_validate(item["document"])

    compiled = {}
    for key, case in cases.items():
        compiled[key] = compile_policy_set(
            identity=[named(p) for p in case["identity_policies"]],
            resource_policy=named(case["resource_policy"]) if "resource_policy" in case
            else None,
            scps=[[named(p) for p in level] for level in case["scps"]] if "scps" in case
            else None,
        )
    return compiled


def build_request(spec: dict[str, Any]) -> Request:
    return make_request(spec["principal"], spec["action"], spec["resource"],
                        resource_account=spec["resource_account"], context=spec["context"])


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    rate: float | None  # items per wall-clock second: what targets are judged on
    unit: str
    target: float | None = None
    note: str = ""
    cpu_rate: float | None = None  # items per CPU second of the measured process


@dataclass(frozen=True)
class Rate:
    wall: float
    cpu: float


def rate_over(seconds: float, items: Sequence[Any], run: Callable[[Sequence[Any]], None]
              ) -> Rate:
    """Items per second of `run(items)`, repeated until `seconds` have passed."""
    run(items)  # warm-up: fills the per-action candidate caches the engine keeps
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while True:
        run(items)
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return Rate(done / elapsed, done / max(time.process_time() - cpu_started, 1e-9))


def _figure(label: str, rates: list[Rate], unit: str, target: float | None = None
            ) -> Figure:
    """Median of the interleaved rounds; the best round goes in the note (noise on a
    shared machine only ever slows a round down)."""
    wall = statistics.median(r.wall for r in rates)
    cpu = statistics.median(r.cpu for r in rates)
    note = f"best of {len(rates)}: {max(r.wall for r in rates):,.0f}" if len(rates) > 1 else ""
    return Figure(label, wall, unit, target, note, cpu)


def library_figures(jobs: list[Job], sets: dict[str, PolicySet], seconds: float,
                    rounds: int = 3) -> list[Figure]:
    pairs = [(build_request(job.request), sets[job.policy_set]) for job in jobs]
    specs = [(job.request, sets[job.policy_set]) for job in jobs]

    def decisions(items: Sequence[tuple[Request, PolicySet]]) -> None:
        decide = evaluate_decision
        for request, policy_set in items:
            decide(request, policy_set)

    def results(items: Sequence[tuple[Request, PolicySet]]) -> None:
        run = evaluate
        for request, policy_set in items:
            run(request, policy_set).decision  # noqa: B018 - the work being measured

    def built_each_time(items: Sequence[tuple[dict[str, Any], PolicySet]]) -> None:
        decide, build = evaluate_decision, build_request
        for spec, policy_set in items:
            decide(build(spec), policy_set)

    def explanations(items: Sequence[tuple[Request, PolicySet]]) -> None:
        run = evaluate
        for request, policy_set in items:
            run(request, policy_set).explanation  # noqa: B018 - the work being measured

    sample = pairs[:: max(1, len(pairs) // 200)]
    plan: list[tuple[str, Sequence[Any], Callable[[Sequence[Any]], None], str, int | None]] = [
        ("library: evaluate_decision (compiled, requests prebuilt)", pairs, decisions,
         "decisions/s", LIBRARY_TARGET),
        ("library: evaluate (result object, explanation not read)", pairs, results,
         "decisions/s", LIBRARY_TARGET),
        ("library: make_request + evaluate_decision", specs, built_each_time,
         "decisions/s", None),
        (f"library: evaluate + .explanation ({len(sample)}-request sample)", sample,
         explanations, "explanations/s", None),
    ]
    measured: list[list[Rate]] = [[] for _ in plan]
    for _ in range(rounds):  # interleaved, so a busy moment does not hit one figure only
        for slot, (_, items, run, _, _) in enumerate(plan):
            measured[slot].append(rate_over(seconds / rounds, items, run))
    return [_figure(label, rates, unit, target)
            for (label, _, _, unit, target), rates in zip(plan, measured, strict=True)]


def write_batch(path: Path, jobs: list[Job], cases: dict[str, dict[str, Any]], lines: int,
                seed: int = SEED) -> list[Job]:
    """A JSONL of full cases, the request first on each line; returns the job per line."""
    rests = {key: json.dumps(case, separators=(",", ":"))[1:] for key, case in cases.items()}
    order = [jobs[i % len(jobs)] for i in range(lines)]
    random.Random(seed).shuffle(order)
    with path.open("w", encoding="utf-8") as handle:
        for job in order:
            request = json.dumps(job.request, separators=(",", ":"))
            handle.write(f'{{"request":{request},{rests[job.policy_set]}\n')
    return order


def policy_engine_command() -> list[str] | None:
    found = shutil.which("policy-engine")
    if found is None:
        beside = Path(sys.executable).parent / "policy-engine"
        found = str(beside) if beside.exists() else None
    return None if found is None else [found]


@dataclass
class BatchRun:
    figure: Figure
    decisions: list[str] | None
    error: str | None


def batch_figure(path: Path, line_count: int) -> BatchRun:
    label = f"batch CLI: simulate --batch ({line_count:,} lines, process start incl.)"
    command = policy_engine_command()
    if command is None:
        return BatchRun(Figure(label, None, "lines/s", BATCH_TARGET), None,
                        "the `policy-engine` console script is not on PATH nor beside "
                        f"{sys.executable}")
    argv = [*command, "simulate", "--batch", str(path)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        code = subprocess.run(argv, stdout=out, stderr=err, check=False).returncode
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace").splitlines()
        stderr = err.read().decode("utf-8", "replace").strip().splitlines()
    figure = Figure(label, line_count / elapsed, "lines/s", BATCH_TARGET,
                    f"{elapsed:.2f} s wall, {cpu:.2f} s CPU", cpu_rate=line_count / cpu)
    if code != 0 or len(stdout) != line_count:
        detail = "; ".join(stderr[:3]) or "(no message on stderr)"
        if len(stderr) > 3:
            detail += f" … ({len(stderr)} stderr lines)"
        return BatchRun(Figure(label, None, "lines/s", BATCH_TARGET),
                        None, f"`{' '.join(argv)}` exited {code} after {elapsed:.2f} s with "
                        f"{len(stdout):,} output lines for {line_count:,} input lines: "
                        f"{detail}")
    decisions = [json.loads(line).get("decision", "?") for line in stdout]
    return BatchRun(figure, decisions, None)


def profile_library(jobs: list[Job], sets: dict[str, PolicySet], seconds: float,
                    top: int = 25) -> str:
    pairs = [(build_request(job.request), sets[job.policy_set]) for job in jobs]
    for request, policy_set in pairs:
        evaluate_decision(request, policy_set)
    profiler = cProfile.Profile()
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        for request, policy_set in pairs:
            evaluate_decision(request, policy_set)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


# --- report --------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def print_table(figures: list[Figure]) -> None:
    width = max(len(f.label) for f in figures)
    print(f"{'figure':<{width}}  {'wall rate':>11}  {'unit':<15} {'µs each':>8}  "
          f"{'CPU rate':>9}  target (judged on wall rate)")
    print("-" * (width + 90))
    for f in figures:
        each = "—" if not f.rate else f"{1e6 / f.rate:.1f}"
        if f.target is None:
            verdict = ""
        elif f.rate is None:
            verdict = f">= {f.target:,}  NOT MEASURED"
        else:
            verdict = f">= {f.target:,}  {'met' if f.rate >= f.target else 'BELOW'}"
        note = f"  ({f.note})" if f.note else ""
        print(f"{f.label:<{width}}  {_rate(f.rate):>11}  {f.unit:<15} {each:>8}  "
              f"{_rate(f.cpu_rate):>9}  {verdict}{note}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="time to spend on each library measurement (default 3)")
    parser.add_argument("--requests", type=int, default=1000,
                        help="distinct requests in the workload (default 1000)")
    parser.add_argument("--lines", type=int, default=50_000,
                        help="lines in the generated batch file (default 50,000)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the library path even when it meets its target")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the batch file here and keep it")
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {_load()}; seconds per library figure: "
          f"{args.seconds}")
    cases = case_policies()
    started = time.perf_counter()
    sets = compile_sets(cases)
    compile_ms = (time.perf_counter() - started) * 1000
    jobs = build_jobs(args.requests)
    library_decisions = [
        evaluate_decision(build_request(j.request), sets[j.policy_set]).value for j in jobs]
    statements = sum(len(doc["Statement"]) for _, doc in identity_policies())
    print(f"workload: {len(identity_policies())} identity policies, {statements} statements; "
          f"bucket policy {len(bucket_policy()['Statement'])} statements; SCPs "
          f"{[len(level) for level in scp_levels()]} policies per level; "
          f"{len(sets)} policy sets compiled in {compile_ms:.1f} ms")
    cross = sum(j.cross_account for j in jobs)
    print(f"requests: {len(jobs):,} distinct, {len(jobs) - cross:,} same-account and "
          f"{cross:,} cross-account, {len({j.request['action'] for j in jobs})} actions, "
          f"{len({j.request['principal'] for j in jobs})} principals")
    mix = Counter(library_decisions)
    print("decision mix: " + ", ".join(f"{d} {mix[d]:,} ({mix[d] / len(jobs):.0%})"
                                       for d in ("allowed", "explicitDeny", "implicitDeny")))
    by_kind = Counter((j.cross_account, d) for j, d in zip(jobs, library_decisions,
                                                             strict=True))
    print("  cross-account: " + ", ".join(f"{d} {by_kind[True, d]}" for d in
                                          ("allowed", "explicitDeny", "implicitDeny")))
    print()

    figures = library_figures(jobs, sets, args.seconds)

    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "batch.jsonl"
        order = write_batch(path, jobs, cases, args.lines)
        size_mb = path.stat().st_size / 1e6
        batch = batch_figure(path, args.lines)
    figures.append(batch.figure)
    print_table(figures)
    print(f"(load average at the end: {_load()}; other processes on the machine lower the "
          "wall rates, not the CPU rates)")
    library, cli = figures[0].rate, batch.figure.rate
    if library and cli:
        print(f"\nratio library/batch CLI: {library / cli:.1f}x "
              f"(batch file {size_mb:,.0f} MB, {size_mb * 1e6 / args.lines:,.0f} bytes/line)")
    if batch.error:
        print(f"\nbatch CLI not measured: {batch.error}")
    elif batch.decisions is not None:
        decided = {id(job): d for job, d in zip(jobs, library_decisions, strict=True)}
        expected = [decided[id(job)] for job in order]
        differing = sum(a != b for a, b in zip(batch.decisions, expected, strict=True))
        print(f"batch decisions agree with the library on "
              f"{len(expected) - differing:,}/{len(expected):,} lines")

    if args.profile or (library is not None and library < LIBRARY_TARGET):
        print("\nprofile of evaluate_decision (cProfile, top functions by own time):")
        print(profile_library(jobs, sets, min(args.seconds, 5.0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

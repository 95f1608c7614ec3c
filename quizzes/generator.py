"""Generated decision questions: realistic cases built from templates, replayed by seed.

`generate(seed, count)` draws `count` questions with one `random.Random(seed)` (never the
global generator), so the same seed always gives the same questions. A template names
the mechanisms that take part (identity policy, boundary, SCP levels, session policy,
resource policy, KMS key policy); the generator first draws the outcome it aims for, then
asks each mechanism to allow, miss or deny so that the mix of answers is even. The aimed
outcome is not kept: the answer is whatever the engine computes from the case
(`quizzes.explain.solve`), and a test recomputes 1,000 of them through the CLI.

Difficulty: easy is one identity policy; medium two mechanisms; hard three or more, or a
cross-account request, or conditions.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from policy_engine.case import Case, parse_case_value
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode
from quizzes.explain import Solution, solve
from quizzes.model import DecisionQuestion, Difficulty
from quizzes.templates import (
    BOUNDARIES,
    CONDITIONS,
    CROSS_ACCOUNT,
    DENY_ALLOW,
    EVALUATION,
    KMS_CONDITIONS,
    KMS_DEFAULT,
    KMS_EXTERNAL,
    SCPS,
    SESSION,
    VERSION,
    Mode,
    Policy,
    Scene,
    Written,
    allowing,
    describe_context,
    missing,
    pick_scene,
    with_condition,
)
from quizzes.topics import Topic

OUTCOMES: tuple[str, ...] = ("allowed", "explicit-deny", "implicit-deny")
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")


class GeneratorError(PolicyEngineError):
    """A request for generated questions that cannot be met (an unknown topic...)."""


@dataclass(frozen=True)
class Generated:
    """A generated question and its case, parsed and compiled once."""

    question: DecisionQuestion
    case: Case
    template: str

    def solve(self) -> Solution:
        return solve(self.case)


@dataclass
class Draft:
    """What the mechanisms write: the case's parts, the stem's sentences, the pages."""

    scene: Scene
    case: dict[str, Any] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    def cite(self, *pages: str) -> None:
        self.references.extend(p for p in pages if p not in self.references)


def _document(statements: Sequence[Written]) -> Policy:
    return {"Version": VERSION, "Statement": [dict(w.statement) for w in statements]}


def _sentence(subject: str, statements: Sequence[Written]) -> str:
    return f"{subject} " + "; it also ".join(w.words for w in statements) + "."


def _statements(rng: random.Random, scene: Scene, mode: Mode, conditions: bool
                ) -> list[Written]:
    """Statements of one permissions policy that allow, miss or deny the request."""
    use_condition = conditions and rng.random() < 0.6
    if mode in ("allow", "miss"):
        if mode == "allow":
            found = allowing(rng, scene)
            written = [with_condition(rng, scene, found, True) if use_condition else found]
        elif use_condition:
            written = [with_condition(rng, scene, allowing(rng, scene), False)]
        else:
            written = [missing(rng, scene)]
        if conditions and rng.random() < 0.3:  # a Deny whose condition does not hold
            deny = allowing(rng, scene, "Deny", unlike=written[0])
            written.append(with_condition(rng, scene, deny, False))
        return written
    allow = allowing(rng, scene)
    deny = allowing(rng, scene, "Deny", unlike=allow)
    if use_condition:
        deny = with_condition(rng, scene, deny, True)
    return [allow, deny]


# ---------------------------------------------------------------- mechanisms
# Each takes (rng, draft, mode, conditions) and adds its policies and sentences.


def identity(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    scene = draft.scene
    written = _statements(rng, scene, mode, conditions)
    name = rng.choice(("AppAccess", "TeamPermissions", "ProjectAccess", "WorkloadPolicy"))
    draft.case.setdefault("identity_policies", []).append(
        {"name": name, "document": _document(written)})
    draft.sentences.append(_sentence(f"Its identity-based policy {name}", written))
    draft.cite(EVALUATION, DENY_ALLOW, *(r for w in written for r in w.references))


def boundary(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    written = _statements(rng, draft.scene, mode, False)
    draft.case["permission_boundary"] = {"name": "DeveloperBoundary",
                                         "document": _document(written)}
    draft.sentences.append(_sentence("Its permissions boundary DeveloperBoundary", written))
    draft.cite(BOUNDARIES, *(r for w in written for r in w.references))


def session(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    written = _statements(rng, draft.scene, mode, False)
    draft.case["session_policy"] = {"name": "SessionPolicy", "document": _document(written)}
    draft.sentences.append(_sentence(
        "The session policy passed when the role was assumed", written))
    draft.cite(SESSION, *(r for w in written for r in w.references))


FULL_ACCESS: Policy = {"Effect": "Allow", "Action": "*", "Resource": "*"}
OU_NAMES = ("Workloads", "Production", "Sandbox", "Analytics")


def _scps(levels: int) -> Callable[[random.Random, Draft, Mode, bool], None]:
    """SCPs on the organization root and `levels` levels below it (OU, then account)."""

    def add(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
        scene = draft.scene
        ou = rng.choice(OU_NAMES)
        places = ["the organization root", f"OU {ou}", f"account {scene.account}"]
        chosen = rng.randrange(1, levels + 1)  # the level that misses or denies
        tree: list[list[Policy]] = []
        words: list[str] = []
        for level in range(levels + 1):
            statements = [FULL_ACCESS]
            said = "allows every action (FullAWSAccess)"
            if level == chosen and mode == "miss":
                services = rng.choice((["ec2:*", "cloudwatch:*"], ["rds:*", "logs:*"]))
                statements = [{"Effect": "Allow", "Action": services, "Resource": "*"}]
                said = f"allows only {' and '.join(services)}"
            elif level == chosen and mode == "deny":
                action = rng.choice((scene.action, f"{scene.service}:*"))
                statements = [FULL_ACCESS, {"Effect": "Deny", "Action": action,
                                            "Resource": "*"}]
                said = f"allows every action but denies {action}"
            elif level > 0 and rng.random() < 0.4:
                statements = [{"Effect": "Allow", "Action": [f"{scene.service}:*", "ec2:*"],
                               "Resource": "*"}]
                said = f"allows {scene.service}:* and ec2:*"
            name = "FullAWSAccess" if statements == [FULL_ACCESS] else f"Guardrail{level}"
            tree.append([{"name": name, "document": {"Version": VERSION,
                                                     "Statement": statements}}])
            words.append(f"the SCP on {places[level]} {said}")
        draft.case["scps"] = tree
        draft.sentences.append("The account is in an organization: " + "; ".join(words) + ".")
        draft.cite(SCPS)

    return add


def _principal_block(scene: Scene, rng: random.Random) -> tuple[Any, str]:
    if scene.cross_account and rng.random() < 0.5:
        return {"AWS": scene.caller_root}, f"account {scene.account}"
    return {"AWS": scene.principal}, scene.principal


def resource_policy(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    """An S3 bucket policy or SQS queue policy; for a caller of another account."""
    scene = draft.scene
    principal, who = _principal_block(scene, rng)
    kind = "bucket policy" if scene.service == "s3" else "queue policy"
    grant: Policy = {"Effect": "Allow", "Principal": principal, "Action": scene.action,
                     "Resource": scene.resource}
    if mode == "allow":
        statements, said = [grant], f"allows {who} to call {scene.action} on it"
    elif mode == "miss":
        other = "arn:aws:iam::123456789012:root"
        statements = [dict(grant, Principal={"AWS": other})]
        said = f"allows only account 123456789012 to call {scene.action}"
    else:
        statements = [grant, {"Effect": "Deny", "Principal": "*", "Action": scene.action,
                              "Resource": scene.resource}]
        said = f"allows {who} to call {scene.action} but also denies it to every principal"
    draft.case["resource_policy"] = {"name": kind.replace(" ", "-"),
                                     "document": {"Version": VERSION, "Statement": statements}}
    draft.sentences.append(f"The resource's {kind} {said}.")
    draft.cite(CROSS_ACCOUNT if scene.cross_account else DENY_ALLOW)


def either_policy(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    """Same account: the identity policy or the resource policy may grant the request."""
    if mode == "allow":
        side = rng.choice(("identity", "resource", "both"))
        identity(rng, draft, "allow" if side != "resource" else "miss", conditions)
        resource_policy(rng, draft, "allow" if side != "identity" else "miss", conditions)
    elif mode == "miss":
        identity(rng, draft, "miss", conditions)
        resource_policy(rng, draft, "miss", conditions)
    elif rng.random() < 0.5:
        identity(rng, draft, "deny", conditions)
        resource_policy(rng, draft, "allow", conditions)
    else:
        identity(rng, draft, "allow", conditions)
        resource_policy(rng, draft, "deny", conditions)


def key_policy(rng: random.Random, draft: Draft, mode: Mode, conditions: bool) -> None:
    """A KMS key policy with or without the statement that lets IAM policies of the key's
    account grant access, plus the caller's identity policy."""
    scene = draft.scene
    home_root = f"arn:aws:iam::{scene.resource_account}:root"
    root_statement: Policy = {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
                              "Principal": {"AWS": home_root}, "Action": "kms:*",
                              "Resource": "*"}
    admins: Policy = {"Sid": "KeyAdministrators", "Effect": "Allow",
                      "Principal": {"AWS": f"arn:aws:iam::{scene.resource_account}:role/KeyAdmins"},
                      "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:Put*",
                                 "kms:ScheduleKeyDeletion"], "Resource": "*"}
    principal, who = _principal_block(scene, rng)
    user_grant: Policy = {"Sid": "KeyUsers", "Effect": "Allow", "Principal": principal,
                          "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                          "Resource": "*"}
    with_root = rng.random() < 0.5
    identity_mode: Mode = "allow"
    statements = [root_statement] if with_root else [admins]
    said = ("the default statement allowing kms:* to the key's account "
            f"({home_root})" if with_root else
            "only a statement for role KeyAdmins (administration actions); it has no "
            "statement for the key's account root")
    if scene.cross_account:
        if mode != "miss" or rng.random() < 0.5:
            statements.append(user_grant)
            said += f", and a statement allowing {who} to use the key"
        else:
            identity_mode = rng.choice(("allow", "miss"))
            said += ", and no statement for the caller's account"
        if mode == "miss" and identity_mode == "allow" and user_grant in statements:
            identity_mode = "miss"
    elif mode == "allow" and not with_root:
        statements.append(user_grant)
        said += f", and a statement allowing {who} to use the key"
        identity_mode = rng.choice(("allow", "miss"))
    elif mode == "miss":
        identity_mode = "allow" if not with_root else "miss"
    if mode == "deny":
        deny: Policy = {"Sid": "DenyOutsideS3", "Effect": "Deny", "Principal": {"AWS": "*"},
                        "Action": scene.action, "Resource": "*",
                        "Condition": {"StringNotEquals": {
                            "kms:ViaService": f"s3.{scene.region}.amazonaws.com"}}}
        statements.append(deny)
        said += (f", and a statement denying {scene.action} to every principal unless the "
                 f"request comes through s3.{scene.region}.amazonaws.com (kms:ViaService)")
        identity_mode = "allow"
        if not with_root and not scene.cross_account:
            statements.append(user_grant)
        draft.cite(KMS_CONDITIONS, CONDITIONS)
    draft.case["resource_policy"] = {"name": "key-policy", "document": {
        "Version": VERSION, "Statement": statements}}
    draft.sentences.append(f"The key policy has {said}. The caller calls it directly, not "
                           "through another service.")
    draft.cite(KMS_DEFAULT, *([KMS_EXTERNAL] if scene.cross_account else []))
    identity(rng, draft, identity_mode, conditions)


Mechanism = Callable[[random.Random, Draft, Mode, bool], None]


@dataclass(frozen=True)
class Template:
    name: str
    difficulty: Difficulty
    topic: Topic
    mechanisms: tuple[Mechanism, ...]
    service: str | None = None  # the scene's service when the template needs one
    session: bool = False
    cross_account: bool = False
    conditions: bool = False
    services: tuple[str, ...] = ()  # one of these services, when not `service`


TEMPLATES: tuple[Template, ...] = (
    Template("identity", "easy", Topic.EVALUATION_SAME_ACCOUNT, (identity,)),
    Template("boundary", "medium", Topic.POLICY_TYPES, (identity, boundary)),
    Template("scp", "medium", Topic.POLICY_TYPES, (identity, _scps(1))),
    Template("session", "medium", Topic.POLICY_TYPES, (identity, session), session=True),
    Template("resource-policy", "medium", Topic.EVALUATION_SAME_ACCOUNT, (either_policy,),
             services=("s3", "sqs")),
    Template("key-policy", "medium", Topic.KMS_KEY_POLICIES, (key_policy,), service="kms"),
    Template("scp-boundary", "hard", Topic.POLICY_TYPES, (identity, boundary, _scps(2)),
             conditions=True),
    Template("session-boundary", "hard", Topic.POLICY_TYPES, (identity, boundary, session),
             session=True, conditions=True),
    Template("session-scp", "hard", Topic.POLICY_TYPES, (identity, session, _scps(2)),
             session=True),
    Template("cross-account", "hard", Topic.EVALUATION_CROSS_ACCOUNT,
             (identity, resource_policy), cross_account=True, conditions=True,
             services=("s3", "sqs")),
    Template("cross-account-key", "hard", Topic.KMS_KEY_POLICIES, (key_policy,),
             service="kms", cross_account=True, conditions=True),
)
GENERATED_TOPICS: tuple[Topic, ...] = tuple(dict.fromkeys(t.topic for t in TEMPLATES))


def templates_for(difficulty: str | None = None, topic: str | None = None
                  ) -> tuple[Template, ...]:
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise GeneratorError(Problem(ProblemCode.USAGE, (
            f"unknown difficulty `{difficulty}` (use {', '.join(DIFFICULTIES)})")))
    if topic is not None and topic not in GENERATED_TOPICS:
        raise GeneratorError(Problem(ProblemCode.USAGE, (
            f"no generated questions for topic `{topic}` (generated topics: "
            f"{', '.join(GENERATED_TOPICS)})")))
    found = tuple(t for t in TEMPLATES if (difficulty is None or t.difficulty == difficulty)
                  and (topic is None or t.topic == topic))
    if not found:
        raise GeneratorError(Problem(ProblemCode.USAGE, (
            f"no generated `{difficulty}` questions for topic `{topic}`")))
    return found


def generate(seed: int | str, count: int, difficulty: str | None = None,
             topic: str | None = None) -> list[Generated]:
    """`count` questions; the same arguments always give the same questions."""
    if count < 0:
        raise GeneratorError(Problem(ProblemCode.USAGE, "the count cannot be negative"))
    templates = templates_for(difficulty, topic)
    rng = random.Random(seed)
    return [build(rng.choice(templates), rng) for _ in range(count)]


def _modes(rng: random.Random, outcome: str, count: int) -> list[Mode]:
    """One mode per mechanism aiming at `outcome`: all allow; at least one misses and none
    denies; or one denies."""
    if outcome == "allowed":
        return ["allow"] * count
    chosen = rng.randrange(count)
    if outcome == "explicit-deny":
        return ["deny" if i == chosen else rng.choice(("allow", "miss")) for i in range(count)]
    return ["miss" if i == chosen or rng.random() < 0.3 else "allow" for i in range(count)]


def build(template: Template, rng: random.Random) -> Generated:
    service = template.service or (rng.choice(template.services) if template.services
                                   else None)
    scene = pick_scene(rng, service=service, session=template.session,
                       cross_account=template.cross_account)
    if template.services and not scene.principal.split(":")[-1].startswith("user/"):
        scene = pick_scene(rng, service=scene.service, cross_account=template.cross_account)
    draft = Draft(scene)
    outcome = rng.choice(OUTCOMES)
    for mechanism, mode in zip(template.mechanisms,
                               _modes(rng, outcome, len(template.mechanisms)), strict=True):
        mechanism(rng, draft, mode, template.conditions)
    request: dict[str, Any] = {"principal": scene.principal, "action": scene.action,
                               "resource": scene.resource}
    if scene.service == "s3":
        request["resource_account"] = scene.resource_account
    if scene.context:
        request["context"] = dict(scene.context)
    case = {"request": request, **draft.case}
    where = ("in the same account" if not scene.cross_account
             else f"in another account, {scene.resource_account}")
    stem = (f"{scene.caller[0].upper()}{scene.caller[1:]} of account {scene.account} calls "
            f"{scene.action} on {scene.resource}, {where}. " + " ".join(draft.sentences)
            + describe_context(scene.context) + " What is the decision?")
    digest = hashlib.sha256(json.dumps([stem, case], sort_keys=True).encode()).hexdigest()
    question_id = f"gen-{template.name}-{digest[:12]}"
    question = DecisionQuestion.model_validate({
        "id": question_id, "kind": "decision", "topic": template.topic.value,
        "domains": _domains(template), "difficulty": template.difficulty, "stem": stem,
        "references": draft.references, "case": case}, strict=False)
    return Generated(question, parse_case_value(case, source=question_id), template.name)


def _domains(template: Template) -> list[str]:
    if template.topic is Topic.KMS_KEY_POLICIES:
        return ["scs-c02:data-protection", "scs-c02:iam", "saa-c03:secure"]
    return ["scs-c02:iam", "saa-c03:secure"]

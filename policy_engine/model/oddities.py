"""Strings AWS has stored in policies although they are outside the documented grammar.

Earlier versions of AWS managed policies hold action strings such as
`lambda:ListFunctions ` (a trailing space, SecurityAudit v5), `ec2: DescribeAccountAttributes`
(a space after the colon, ViewOnlyAccess v1), `config:select-resource-config` (a lower-case
hyphenated name, ReadOnlyAccess v59) and a condition key with no prefix (`PassedToService`,
AmazonEC2SpotFleetTaggingRole v1). AWS stored them, so the documents load; each such
string is evaluated as exactly what it says and matches only what it literally matches:
no request action has a space, a comma or a hyphen in its name, so such an entry never
matches a real action. One function per element says whether a string is such an oddity,
how to word the warning, and whether a customer could still write it today.

`stored_only`: outside the grammar in a way IAM refuses when a customer writes it now, so
only documents AWS already stores (AWS managed policies, snapshot documents) may hold it.
No AWS page lists these refusals; the evidence is IAM's MalformedPolicyDocument messages
as users report them ("JSON strings must not have leading spaces", hashicorp/
terraform-provider-aws#12267; "Actions/Condition can contain only one colon",
garnaat/kappa#111, which shows IAM parses condition keys as `vendor:name` too) and the
grammar (action_string and condition keys are `prefix:name`, no white space). Otherwise
(a hyphen or comma in an action name) no AWS page or message says IAM refuses it, and a
false "invalid" is worse than a warning, so every kind accepts it with the warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from policy_engine.model.kinds import ACTION

# Unanchored patterns, valid in Python and ECMA-262: the JSON Schema reuses them.
# A service prefix, a colon, then a name of letters, digits, wildcards, hyphens and commas.
PUNCTUATED_ACTION: Final = "[A-Za-z0-9][A-Za-z0-9-]*:(?=[,-]*[A-Za-z0-9*?])[A-Za-z0-9*?,-]+"
# The same with spaces and further colons: what AWS stored in earlier managed policies.
# Never a policy variable (`$`, `{`, `}`): variables are not allowed in actions.
STORED_ACTION: Final = "[A-Za-z0-9][A-Za-z0-9-]* *:(?=[,: \\t-]*[A-Za-z0-9*?])[A-Za-z0-9*?,: \\t-]+"
UNPREFIXED_CONDITION_KEY: Final = "[A-Za-z0-9][A-Za-z0-9_./-]*"

_ACTION: Final = re.compile(ACTION)
_PUNCTUATED: Final = re.compile(PUNCTUATED_ACTION)
_STORED: Final = re.compile(STORED_ACTION)
_UNPREFIXED: Final = re.compile(UNPREFIXED_CONDITION_KEY)


@dataclass(frozen=True, slots=True)
class Oddity:
    """A string outside the grammar that AWS evidently accepts, and the warning it earns."""

    warning: str
    stored_only: bool


@lru_cache(maxsize=8192)
def action_oddity(action: str) -> Oddity | None:
    """The oddity `action` is; None for a well-formed action and for one AWS never takes."""
    if _ACTION.fullmatch(action):
        return None
    if _PUNCTUATED.fullmatch(action):
        return Oddity(f"`{action}` is not an action name as the service authorization "
                      "reference writes them (it has a hyphen or a comma); it matches only "
                      "an action spelled exactly so, which no service has", stored_only=False)
    if _STORED.fullmatch(action):
        what = _what_is_odd(action)
        return Oddity(f"`{action}` {what}: it is outside the action grammar (earlier AWS "
                      "managed policy versions hold such strings) and is compared as written, "
                      "spaces included; it matches only an action spelled exactly so, which "
                      "no service has", stored_only=True)
    return None


def _what_is_odd(action: str) -> str:
    if action.count(":") > 1:
        return "holds more than one colon"
    if action != action.rstrip():
        return "ends in white space"
    return "holds white space"


@lru_cache(maxsize=4096)
def condition_key_oddity(key: str) -> Oddity | None:
    """A condition key with no `prefix:` (AWS stored `PassedToService` without `iam:`)."""
    if not _UNPREFIXED.fullmatch(key):
        return None
    return Oddity(f"condition key `{key}` has no service prefix (such as `aws:` or `iam:`); "
                  "AWS stored such keys in earlier AWS managed policies, but it matches only "
                  "a request key spelled exactly so, which no service sends", stored_only=True)

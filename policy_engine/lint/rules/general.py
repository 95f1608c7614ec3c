"""General rules about the document as a whole."""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.lint.kinds import ORGANIZATION
from policy_engine.lint.rule import Hit, LintTarget, rule
from policy_engine.lint.severity import Severity
from policy_engine.model.kinds import KIND_RULES, PolicyKind
from policy_engine.model.policy import VERSION_2012

# Organizations policies must state the version (validate refuses them); every other kind
# accepts a policy without one.
_VERSION_OPTIONAL = frozenset(KIND_RULES) - ORGANIZATION - {PolicyKind.AWS_MANAGED}


@rule("MISSING_VERSION", "missing-version", Severity.WARNING, kinds=_VERSION_OPTIONAL)
def missing_version(target: LintTarget) -> Iterator[Hit]:
    """A policy without `"Version": "2012-10-17"`.

    Why: without a Version element AWS reads the policy as version 2008-10-17, in which
    policy variables such as `${aws:username}` are plain text, so a resource pattern that
    was meant to name the caller's own folder names a folder literally called
    `${aws:username}` instead.

    Anti-pattern: `{"Statement": [...]}` with no Version.

    Fix: add `"Version": "2012-10-17"` as the first element.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """
    raw = target.policy.raw
    if isinstance(raw, dict) and "Version" not in raw:
        yield Hit("the policy has no `Version`; add `\"Version\": \"2012-10-17\"` (without "
                  "it policy variables are not recognised)", "")


@rule("OUTDATED_VERSION", "outdated-version", Severity.WARNING, kinds=_VERSION_OPTIONAL)
def outdated_version(target: LintTarget) -> Iterator[Hit]:
    """A policy that states `"Version": "2008-10-17"`.

    Why: 2008-10-17 is the earlier version of the policy language; in it policy
    variables such as `${aws:username}` are plain text and newer features are missing.

    Fix: use `"Version": "2012-10-17"`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """
    if target.document.version not in (None, VERSION_2012):
        yield Hit(f"`{target.document.version}` is the earlier policy language version; use "
                  f"`{VERSION_2012}`", "/Version")

"""Rules about `Resource` and `NotResource` values: ARN patterns, variables, KMS's `*`.

The Resource element page: a resource is `*` or an ARN, wildcards allowed within segments
but not in the service segment; policy variables only in the resource part, and only
under Version 2012-10-17.
"""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.arn import PARTITIONS, arn_segments, is_arn_pattern_shape
from policy_engine.model.kinds import KindRules, Quotas
from policy_engine.model.variables import variable_problem
from policy_engine.validation.view import Finding, StatementView
from policy_engine.validation.wording import a, clip


def resource_values(statement: StatementView, rules: KindRules,
                    quotas: Quotas) -> Iterator[Finding]:
    """Each resource of `Resource`, then of `NotResource`."""
    variables = statement.document.variables
    for element in ("Resource", "NotResource"):
        for pointer, resource in statement.items(element):
            problem = _resource_problem(resource, variables)
            if problem:
                code, message = problem
                yield Finding(code, message, pointer)
            elif rules.resource_star_only and resource != "*":
                yield Finding("kind-restriction", f"`{clip(resource)}`: in {a(rules.title)} "
                              "the Resource is `*`, meaning this key", pointer)


def _resource_problem(resource: str, variables: bool) -> tuple[str, str] | None:
    """(code, message) when `resource` is no resource pattern; `variables`: Version 2012."""
    if resource == "":
        return "empty-value", "an empty string is not a resource"
    if resource == "*":
        return None
    if not is_arn_pattern_shape(resource) or not _arn_parts_ok(resource):
        return "invalid-arn", (f"`{clip(resource)}` is not an ARN: write "
                               "`arn:partition:service:region:account:resource` or `*`")
    if variables and "${" in resource:
        if any("${" in part for part in arn_segments(resource)[:5]):
            return "invalid-arn", (f"`{clip(resource)}`: policy variables may appear only in "
                                   "the resource part of an ARN (after the fifth colon)")
        message = variable_problem(resource)
        if message:
            return "invalid-arn", message
    return None


def _arn_parts_ok(resource: str) -> bool:
    """Known (or wildcard) partition, a service with no wildcard, a resource part.

    `arn:aws:s3:*` (fewer than six parts, ending in `*`) covers the rest of the ARN.
    """
    parts = arn_segments(resource)
    if len(parts) < 4:
        return False
    partition, service = parts[1], parts[2]
    if "*" not in partition and "?" not in partition and partition not in PARTITIONS:
        return False
    if not service or "*" in service or "?" in service:
        return False
    return len(parts) < 6 or bool(parts[5])

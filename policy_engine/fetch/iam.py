"""IAM: the account's authorization details (every page), identity providers, alias.

`GetAccountAuthorizationDetails` pages are joined into one value shaped exactly like the
output of `aws iam get-account-authorization-details`, which the snapshot loader reads
as-is.

Sources: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html,
API_ListSAMLProviders.html, API_ListOpenIDConnectProviders.html, API_ListAccountAliases.html.
"""

from __future__ import annotations

from typing import Any, Final

from policy_engine.fetch.found import Found, plain
from policy_engine.fetch.reader import Reader

__all__ = ["DETAIL_LISTS", "fetch_iam", "join_pages"]

DETAIL_LISTS: Final = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def join_pages(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """The pages of GetAccountAuthorizationDetails as one complete output."""
    joined = {key: [plain(item) for page in pages for item in page.get(key, [])]
              for key in DETAIL_LISTS}
    joined["Policies"] = [_named(policy) for policy in joined["Policies"]]
    return joined


def _named(policy: dict[str, Any]) -> dict[str, Any]:
    """AWS always sends `PolicyName`; some emulators (moto) leave it out. It is the last
    part of the policy's ARN (`arn:aws:iam::ACCOUNT:policy/PATH/NAME`)."""
    if "PolicyName" in policy or "Arn" not in policy:
        return policy
    return {"PolicyName": str(policy["Arn"]).rsplit("/", 1)[-1], **policy}


def fetch_iam(reader: Reader) -> Found:
    found = Found()
    pages = reader.page_list("get_account_authorization_details")
    if pages is not None:
        found.account["authorization_details"] = join_pages(pages)
    providers = [*_arns(reader, "list_saml_providers", "SAMLProviderList"),
                 *_arns(reader, "list_open_id_connect_providers",
                        "OpenIDConnectProviderList")]
    if providers:
        found.account["identity_providers"] = sorted(providers)
    aliases = reader.call("list_account_aliases")
    if aliases and aliases.get("AccountAliases"):
        found.account["name"] = aliases["AccountAliases"][0]
    return found


def _arns(reader: Reader, method: str, key: str) -> list[str]:
    response = reader.call(method)
    return [item["Arn"] for item in (response or {}).get(key, [])]

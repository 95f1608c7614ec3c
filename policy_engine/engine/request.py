"""The request being authorized: who, what action, on which resource, with what context.

Derived context keys follow the global condition keys page and the principal-key table of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Final

from policy_engine.arn import (
    ACCOUNT_ID,
    Arn,
    ArnParts,
    arn_segments,
    is_service_principal,
    parse_arn,
    split_arn,
)
from policy_engine.engine.context import ContextValue, build_context, make_context_value
from policy_engine.engine.slots import Slot
from policy_engine.errors import ArnError, Problem
from policy_engine.memo import BoundedMemo

WEB_IDENTITY_PROVIDERS = frozenset(
    {"cognito-identity.amazonaws.com", "www.amazon.com", "graph.facebook.com",
     "accounts.google.com"}
)
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/"


class PrincipalType(StrEnum):
    """Values of `aws:PrincipalType`, plus the callers that have no IAM identity."""

    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"
    IDENTITY_PROVIDER = "IdentityProvider"
    ANONYMOUS = "Anonymous"

    @property
    def with_article(self) -> str:
        """What the caller is, as a message says it: "an anonymous caller"."""
        return _WITH_ARTICLE[self]


_WITH_ARTICLE = {
    PrincipalType.USER: "a user", PrincipalType.ROLE_SESSION: "an assumed-role session",
    PrincipalType.FEDERATED_USER: "a federated-user session",
    PrincipalType.ROOT: "an account root user", PrincipalType.SERVICE: "a service principal",
    PrincipalType.IDENTITY_PROVIDER: "an identity provider",
    PrincipalType.ANONYMOUS: "an anonymous caller",
}


_IAM_IDENTITIES = frozenset({PrincipalType.USER, PrincipalType.ROLE_SESSION,
                             PrincipalType.FEDERATED_USER, PrincipalType.ROOT})
_SESSIONS = frozenset({PrincipalType.ROLE_SESSION, PrincipalType.FEDERATED_USER})


@dataclass(frozen=True, slots=True)
class RequestPrincipal:
    """Everything the matchers need to know about the caller, computed once."""

    text: str
    type: PrincipalType
    partition: str = "aws"
    account: str | None = None
    name: str | None = None
    role_arn: str | None = None
    role_path_known: bool = True
    session_arn: str | None = None
    session_name: str | None = None
    is_service_linked: bool = False

    # Computed once: the evaluator asks these for every policy of every request.
    is_iam_identity: bool = field(init=False)
    is_session: bool = field(init=False)

    def __post_init__(self) -> None:
        # Users, role sessions, federated users and root: the callers SCPs apply to.
        object.__setattr__(self, "is_iam_identity", self.type in _IAM_IDENTITIES)
        object.__setattr__(self, "is_session", self.type in _SESSIONS)

    @property
    def root_arn(self) -> str | None:
        return f"arn:{self.partition}:iam::{self.account}:root" if self.account else None

    @property
    def principal_arn(self) -> str | None:
        """`aws:PrincipalArn`: the role ARN for a role session, absent for anonymous callers."""
        match self.type:
            case PrincipalType.ROLE_SESSION:
                return self.role_arn
            case PrincipalType.ROOT:
                return self.root_arn
            case PrincipalType.USER | PrincipalType.FEDERATED_USER:
                return self.text
        return None

    @property
    def exact_arns(self) -> tuple[str, ...]:
        """ARNs that name exactly this caller in a Principal element."""
        match self.type:
            case PrincipalType.USER | PrincipalType.FEDERATED_USER:
                return (self.text,)
            case PrincipalType.ROLE_SESSION:
                return (self.session_arn,) if self.session_arn else ()
            case PrincipalType.IDENTITY_PROVIDER:
                return (self.text,)
        return ()


def parse_principal(text: str, *, pointer: str = "/request/principal",
                    source: str = "<input>", context_principal_arn: str | None = None
                    ) -> RequestPrincipal:
    """Classify the caller named in a request.

    A role ARN stands for a session of that role; an assumed-role session ARN carries no
    role path, so `aws:PrincipalArn` in the context (when given) supplies it.
    """
    if text == "*":
        return RequestPrincipal(text, PrincipalType.ANONYMOUS)
    if text in WEB_IDENTITY_PROVIDERS:
        return RequestPrincipal(text, PrincipalType.IDENTITY_PROVIDER)
    if not text.startswith("arn:"):
        if is_service_principal(text):
            return RequestPrincipal(text, PrincipalType.SERVICE)
        raise ArnError(Problem("invalid-principal", f"`{text}` is not a principal ARN, a "
                               "service principal or `*`", pointer, source=source))
    arn = parse_arn(text, source=source, pointer=pointer)
    if arn.service == "iam":
        return _iam_principal(text, arn, pointer, source)
    if arn.service == "sts":
        return _sts_principal(text, arn, pointer, source, context_principal_arn)
    raise ArnError(Problem("invalid-principal", f"`{text}` is not an IAM or STS principal ARN",
                           pointer, source=source))


@lru_cache(maxsize=4096)
def _cached_principal(text: str, principal_arn: str | None) -> RequestPrincipal:
    # Not keyed on the source: a bad principal is parsed again to name the right file.
    return parse_principal(text, context_principal_arn=principal_arn)


def _iam_principal(text: str, arn: Arn, pointer: str, source: str) -> RequestPrincipal:
    if arn.resource == "root":
        return RequestPrincipal(text, PrincipalType.ROOT, arn.partition, arn.account)
    kind, _, rest = arn.resource.partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user" and name:
        return RequestPrincipal(text, PrincipalType.USER, arn.partition, arn.account, name)
    if kind == "role" and name:
        return RequestPrincipal(
            text, PrincipalType.ROLE_SESSION, arn.partition, arn.account, name,
            role_arn=text, is_service_linked=("/" + rest).startswith(SERVICE_LINKED_ROLE_PATH),
        )
    if kind in {"saml-provider", "oidc-provider"} and rest:
        return RequestPrincipal(text, PrincipalType.IDENTITY_PROVIDER, arn.partition,
                                arn.account, rest)
    raise ArnError(Problem("invalid-principal", f"`{text}` is not a user, role, root or "
                           "identity-provider ARN", pointer, source=source))


def _sts_principal(text: str, arn: Arn, pointer: str, source: str,
                   context_principal_arn: str | None) -> RequestPrincipal:
    kind, _, rest = arn.resource.partition("/")
    if kind == "assumed-role" and rest.count("/") == 1:
        role_name, session_name = rest.split("/")
        role_arn = f"arn:{arn.partition}:iam::{arn.account}:role/{role_name}"
        path_known = False
        role_prefix = f"arn:{arn.partition}:iam::{arn.account}:role/"
        hint = context_principal_arn or ""
        if hint.startswith(role_prefix) and hint.endswith("/" + role_name):
            role_arn, path_known = hint, True
        return RequestPrincipal(
            text, PrincipalType.ROLE_SESSION, arn.partition, arn.account, role_name,
            role_arn=role_arn, role_path_known=path_known, session_arn=text,
            session_name=session_name,
            is_service_linked=role_arn.split(":role", 1)[1].startswith(SERVICE_LINKED_ROLE_PATH),
        )
    if kind == "federated-user" and rest and "/" not in rest:
        return RequestPrincipal(text, PrincipalType.FEDERATED_USER, arn.partition,
                                arn.account, rest, session_name=rest)
    raise ArnError(Problem("invalid-principal", f"`{text}` is not an assumed-role session or "
                           "federated-user ARN", pointer, source=source))


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization question, ready for the evaluator (nothing is parsed later)."""

    principal: RequestPrincipal
    action: str
    resource: str
    resource_account: str | None
    context: Mapping[str, ContextValue]
    derived_keys: tuple[str, ...] = field(default=())
    # Context keys as written or as AWS spells them, for explanations only.
    key_spellings: tuple[str, ...] = field(default=())
    # Computed once in __post_init__, read many times on the hot path.
    action_lower: str = field(init=False)
    service: str = field(init=False)
    # The resource classified once: its ARN fields (None for `*`) and the slot a resource
    # policy fills for this request (KEY and TRUST policies must name the caller).
    resource_arn: ArnParts | None = field(init=False)
    resource_slot: Slot = field(init=False)
    is_cross_account: bool = field(init=False)

    def __post_init__(self) -> None:
        action_lower = self.action.lower()
        object.__setattr__(self, "action_lower", action_lower)
        service = action_lower.split(":", 1)[0]
        object.__setattr__(self, "service", service)
        arn, slot = _classify_resource(self.resource, service)
        object.__setattr__(self, "resource_arn", arn)
        object.__setattr__(self, "resource_slot", slot)
        caller_account = self.principal.account
        object.__setattr__(self, "is_cross_account",
                           caller_account is not None and self.resource_account is not None
                           and caller_account != self.resource_account)

    def with_action(self, action: str) -> Request:
        """The same request for another action. Context keys do not depend on it, except
        `kms:CallerAccount`, which AWS KMS sets on its own requests only."""
        context, derived, spellings = self.context, self.derived_keys, self.key_spellings
        is_kms = _is_kms_action(action)
        if is_kms and self.service != "kms" and _KMS_CALLER_ACCOUNT not in context:
            context, derived, spellings = _with_kms_caller_account(
                self.principal, dict(context), derived, spellings)
        elif not is_kms and _KMS_CALLER_ACCOUNT in derived:
            context = {k: v for k, v in context.items() if k != _KMS_CALLER_ACCOUNT}
            derived = tuple(k for k in derived if k != _KMS_CALLER_ACCOUNT)
            spellings = tuple(s for s in spellings if s.lower() != _KMS_CALLER_ACCOUNT)
        return Request(self.principal, action, self.resource, self.resource_account,
                       context, derived, spellings)

    @property
    def resource_service(self) -> str | None:
        return None if self.resource_arn is None else self.resource_arn.service


@lru_cache(maxsize=65536)
def _classify_resource(resource: str, service: str) -> tuple[ArnParts | None, Slot]:
    arn = split_arn(resource)
    if arn is None:
        return None, Slot.RESOURCE
    if arn.service == "kms" and arn.resource.startswith("key/"):
        return arn, Slot.KEY
    if arn.service == "iam" and arn.resource.startswith("role/") and service == "sts":
        return arn, Slot.TRUST
    return arn, Slot.RESOURCE


def make_request(
    principal: str,
    action: str,
    resource: str,
    *,
    resource_account: str | None = None,
    context: Mapping[str, object] | None = None,
    now: datetime | None = None,
    source: str = "<input>",
) -> Request:
    """Build a request, deriving the context keys AWS sets itself when they are absent."""
    context_input = context
    given = build_context(context or {})
    arn_hint = given.get("aws:principalarn")
    hint = arn_hint.single if arn_hint else None
    try:
        caller = _cached_principal(principal, hint)
    except ArnError:
        caller = parse_principal(principal, source=source, context_principal_arn=hint)
    if ":" not in action and action != "*":
        raise ArnError(Problem("invalid-action", f"`{action}` is not an action "
                               "(expected service:Action)", "/request/action", source=source))
    arn_account, empty_account = _resource_facts(resource, source)
    if resource_account and arn_account and resource_account != arn_account:
        raise ArnError(Problem(
            "invalid-arn", f"`resource_account` {resource_account} differs from the account "
            f"{arn_account} in the resource ARN", "/request/resource_account", source=source))
    if resource_account is not None and not ACCOUNT_ID.fullmatch(resource_account):
        raise ArnError(Problem("invalid-arn", f"`{resource_account}` is not an account id "
                               "(12 digits)", "/request/resource_account", source=source))
    account = resource_account or arn_account
    if account is None and caller.account is not None and empty_account:
        raise ArnError(Problem(
            "missing-element", f"`{resource}` names no account, so `resource_account` is "
            "required to tell same-account from cross-account access",
            "/request/resource_account", source=source))
    derivable, derivable_keys, spellings = _derived(caller, hint, account, now)
    if _is_kms_action(action):
        derivable, derivable_keys, spellings = _with_kms_caller_account(
            caller, derivable, derivable_keys, spellings)
    context = dict(derivable)
    context.update(given)
    derived_keys = tuple([key for key in derivable_keys if key not in given]) if given \
        else derivable_keys
    if context_input:
        spellings = (*spellings, *context_input)
    return Request(caller, action, resource, account, context, derived_keys, spellings)


_Derived = tuple[dict[str, ContextValue], tuple[str, ...], tuple[str, ...]]
# Not an lru_cache on `_derive`: it is keyed by the principal's text, not the principal.
_DERIVED: BoundedMemo[tuple[object, ...], _Derived] = BoundedMemo(4096)


def _derived(caller: RequestPrincipal, hint: str | None, resource_account: str | None,
             now: datetime | None) -> _Derived:
    # Keyed by the principal's text, whose hash Python caches (a dataclass's it does not).
    key = (caller.text, hint, resource_account, now)
    found = _DERIVED.get(key)
    if found is None:
        found = _DERIVED.put(key, _derive(caller, resource_account, now))
    return found


def _derive(caller: RequestPrincipal, resource_account: str | None, now: datetime | None
            ) -> _Derived:
    """The keys AWS would set (lower-cased, with values), their sorted names and their
    AWS spellings. Batches repeat callers and one `now`, so each combination is derived
    once; callers must not mutate the returned mapping."""
    keys = derived_context(caller, resource_account, now)
    values = {key.lower(): make_context_value(value) for key, value in keys.items()}
    return values, tuple(sorted(values)), tuple(keys)


# Callers that sign with an account's credentials; a service, an identity provider and
# an anonymous caller carry no caller account.
_ACCOUNT_CALLERS: Final = frozenset({
    PrincipalType.USER, PrincipalType.ROLE_SESSION, PrincipalType.ROOT,
    PrincipalType.FEDERATED_USER})


_KMS_CALLER_ACCOUNT: Final = "kms:calleraccount"


def _is_kms_action(action: str) -> bool:
    return action[:4].lower() == "kms:"


def _with_kms_caller_account(caller: RequestPrincipal, values: dict[str, ContextValue],
                             keys: tuple[str, ...], spellings: tuple[str, ...]) -> _Derived:
    """AWS KMS sets `kms:CallerAccount`, the caller's account, on its requests
    (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    #conditions-kms-caller-account): key policies use it to admit every identity of an
    account, as the key policies of AWS managed keys do with kms:ViaService."""
    if caller.account is None or caller.type not in _ACCOUNT_CALLERS:
        return values, keys, spellings
    return ({**values, _KMS_CALLER_ACCOUNT: make_context_value(caller.account)},
            tuple(sorted((*keys, _KMS_CALLER_ACCOUNT))), (*spellings, "kms:CallerAccount"))


def _resource_facts(resource: str, source: str) -> tuple[str | None, bool]:
    """(account in the ARN, whether the ARN's account field is empty); raises if malformed."""
    try:
        return _cached_resource_facts(resource)
    except ArnError:
        return _resource_account(resource, source), False  # raises, naming the source


@lru_cache(maxsize=65536)
def _cached_resource_facts(resource: str) -> tuple[str | None, bool]:
    return _resource_account(resource, "<input>"), _has_empty_account(resource)


def _has_empty_account(resource: str) -> bool:
    parts = arn_segments(resource)
    return len(parts) == 6 and parts[0] == "arn" and not parts[4]


def _resource_account(resource: str, source: str) -> str | None:
    if resource == "*":
        return None
    parts = arn_segments(resource)
    if len(parts) != 6 or parts[0] != "arn":
        raise ArnError(Problem("invalid-arn", f"`{resource}` is not a resource ARN or `*`",
                               "/request/resource", source=source))
    account = parts[4]
    if account and not ACCOUNT_ID.fullmatch(account):
        return None
    return account or None


def derived_context(caller: RequestPrincipal, resource_account: str | None,
                    now: datetime | None) -> dict[str, object]:
    keys: dict[str, object] = {}
    if caller.principal_arn:
        keys["aws:PrincipalArn"] = caller.principal_arn
    if caller.account and caller.type is not PrincipalType.IDENTITY_PROVIDER:
        keys["aws:PrincipalAccount"] = caller.account
    if caller.type is not PrincipalType.IDENTITY_PROVIDER:
        keys["aws:PrincipalType"] = caller.type.value
    keys["aws:PrincipalIsAWSService"] = caller.type is PrincipalType.SERVICE
    match caller.type:
        case PrincipalType.USER:
            keys["aws:username"] = caller.name
        case PrincipalType.ROOT:
            keys["aws:userid"] = caller.account
        case PrincipalType.FEDERATED_USER:
            keys["aws:userid"] = f"{caller.account}:{caller.name}"
        case PrincipalType.ANONYMOUS:
            keys["aws:userid"] = "anonymous"
        case PrincipalType.SERVICE:
            keys["aws:PrincipalServiceName"] = caller.text
    if resource_account:
        keys["aws:ResourceAccount"] = resource_account
    if now is not None:
        moment = now.astimezone(UTC)
        keys["aws:CurrentTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        keys["aws:EpochTime"] = int(moment.timestamp())
    return keys

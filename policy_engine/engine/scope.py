"""Which slots of a policy set take part in one request, and why the others do not.

Sources: orgs_manage_policies_scps.html and orgs_manage_policies_rcps.html (who SCPs and
RCPs limit), reference_policies_evaluation-logic_policy-eval-denyallow.html (identity-based
policies and boundaries need an IAM caller, session policies a session).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Protocol

from policy_engine.engine.compiler import CompiledPolicy, PolicySet
from policy_engine.engine.request import Request
from policy_engine.engine.services import RCP_EXEMPT_ACTIONS, rcp_services
from policy_engine.engine.slots import Applicability, Slot


class Scope(NamedTuple):
    """What holds for one request under one policy set, per applicability."""

    scps: bool
    rcps: bool
    iam_caller: bool
    session: bool

    def includes(self, slot: Slot) -> bool:
        match slot.applicability:
            case Applicability.PRINCIPAL_ORGANIZATION:
                return self.scps
            case Applicability.RESOURCE_ORGANIZATION:
                return self.rcps
            case Applicability.IAM_CALLER:
                return self.iam_caller
            case Applicability.SESSION_CALLER:
                return self.session
        return True


class Organizations(Protocol):
    """What the SCP and RCP rules read of a policy set (a PolicySet and its evaluator have
    it)."""

    @property
    def scps(self) -> tuple[tuple[CompiledPolicy, ...], ...] | None: ...
    @property
    def rcps(self) -> tuple[tuple[CompiledPolicy, ...], ...] | None: ...
    @property
    def management_account(self) -> str | None: ...


@lru_cache(maxsize=1024)
def included(slots: tuple[Slot, ...], scps: bool, rcps: bool, iam_caller: bool,
             session: bool) -> tuple[int, ...]:
    """The positions of the slots a scope includes (a pure function: sets of one shape,
    as analyses make per caller, share the answer)."""
    scope = Scope(scps, rcps, iam_caller, session)
    return tuple([index for index, slot in enumerate(slots) if scope.includes(slot)])


def scope_of(request: Request, policies: PolicySet) -> Scope:
    caller = request.principal
    return Scope(scp_applies(request, policies), rcp_applies(request, policies),
                 caller.is_iam_identity, caller.is_session)


def scp_applies(request: Request, policies: Organizations) -> bool:
    """SCPs limit IAM users and roles (and root) of member accounts, not the management
    account and not service-linked roles (orgs_manage_policies_scps.html)."""
    caller = request.principal
    return (policies.scps is not None and caller.is_iam_identity
            and caller.account != policies.management_account
            and not caller.is_service_linked)


def rcp_applies(request: Request, policies: Organizations) -> bool:
    """RCPs limit requests to resources of member accounts for the services they cover
    (orgs_manage_policies_rcps.html)."""
    return (policies.rcps is not None and request.resource_account is not None
            and request.resource_account != policies.management_account
            and not request.principal.is_service_linked
            and request.service in rcp_services()
            and request.action_lower not in RCP_EXEMPT_ACTIONS)


def exemption(slot: Slot, request: Request, policies: PolicySet) -> str:
    """Why the slot's policies do not take part in the request (explanations print it)."""
    match slot.applicability:
        case Applicability.PRINCIPAL_ORGANIZATION:
            return _scp_exemption(request, policies)
        case Applicability.RESOURCE_ORGANIZATION:
            return _rcp_exemption(request, policies)
        case Applicability.IAM_CALLER:
            return f"{request.principal.type.with_article} has no identity-based permissions"
        case Applicability.SESSION_CALLER:
            return "session policies apply only to session principals"
    return ""


def _scp_exemption(request: Request, policies: PolicySet) -> str:
    caller = request.principal
    if not caller.is_iam_identity:
        return "SCPs apply only to IAM users and roles of member accounts"
    if caller.account == policies.management_account:
        return "SCPs do not restrict the management account"
    return "SCPs do not restrict service-linked roles"


def _rcp_exemption(request: Request, policies: PolicySet) -> str:
    if request.resource_account is None:
        return "the resource has no account, so no RCP applies"
    if request.resource_account == policies.management_account:
        return "RCPs do not restrict resources in the management account"
    if request.principal.is_service_linked:
        return "RCPs do not restrict service-linked roles"
    if request.action_lower in RCP_EXEMPT_ACTIONS:
        return f"RCPs do not restrict `{request.action}`"
    return f"RCPs do not cover the `{request.service}` service"

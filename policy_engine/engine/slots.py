"""The slots a policy can fill in one evaluation: the engine's one vocabulary for them.

Each member carries the label explanations print (the `role` of a policy in JSON), the
order in which slots are laid out and their Deny statements reported, and its
applicability: which requests the policies in the slot take part in. The validation
vocabulary (`model.kinds.PolicyKind`, 20 kinds) is a different, finer thing: it says how
a document is checked, not what part it plays in a decision.

The resource policy of a set fills `RESOURCE`; for a request on a KMS key it acts as the
key policy (`KEY`) and for sts:AssumeRole* on a role as the trust policy (`TRUST`), both
of which must name the caller (policy-eval-denyallow). The request says which
(`Request.resource_slot`).
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Applicability(Enum):
    """Which requests a slot's policies take part in."""

    PRINCIPAL_ORGANIZATION = "requests of IAM callers in a member account (SCPs)"
    RESOURCE_ORGANIZATION = "requests on resources of a member account (RCPs)"
    EVERY_REQUEST = "every request"
    IAM_CALLER = "requests of users, role sessions, federated users and root"
    SESSION_CALLER = "requests of role sessions and federated users"


class Slot(StrEnum):
    """Label (the member's value), report order and applicability of a policy slot."""

    order: int
    applicability: Applicability

    def __new__(cls, label: str, order: int, applicability: Applicability) -> Slot:
        member = str.__new__(cls, label)
        member._value_ = label
        member.order = order
        member.applicability = applicability
        return member

    SCP = "scp", 0, Applicability.PRINCIPAL_ORGANIZATION
    RCP = "rcp", 1, Applicability.RESOURCE_ORGANIZATION
    RESOURCE = "resource", 2, Applicability.EVERY_REQUEST
    KEY = "key", 2, Applicability.EVERY_REQUEST
    TRUST = "trust", 2, Applicability.EVERY_REQUEST
    IDENTITY = "identity", 3, Applicability.IAM_CALLER
    PERMISSIONS_BOUNDARY = "permissions-boundary", 4, Applicability.IAM_CALLER
    SESSION = "session", 5, Applicability.SESSION_CALLER
    # The policy of the VPC endpoint the request travels through: a limit on every caller
    # (vpc/latest/privatelink/vpc-endpoints-access.html).
    VPC_ENDPOINT = "vpc-endpoint", 6, Applicability.EVERY_REQUEST

    @property
    def label(self) -> str:
        return self.value

    @property
    def is_organization_level(self) -> bool:
        """SCPs and RCPs: one list of policies per level of an organization path; they
        only limit, never grant."""
        return self.applicability in _ORGANIZATION


_ORGANIZATION = frozenset({Applicability.PRINCIPAL_ORGANIZATION,
                           Applicability.RESOURCE_ORGANIZATION})

# The slots a policy set lays out, in report order (KEY and TRUST are what RESOURCE
# becomes for some requests, not places of their own).
LAID_OUT = tuple(sorted((s for s in Slot if s not in {Slot.KEY, Slot.TRUST}),
                        key=lambda s: s.order))

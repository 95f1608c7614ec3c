"""Groups of policy kinds that lint rules name in their `kinds`."""

from __future__ import annotations

from typing import Final

from policy_engine.model.kinds import KIND_RULES, Family, PolicyKind

IDENTITY_SIDE: Final = frozenset(k for k, r in KIND_RULES.items() if r.family is Family.IDENTITY)
RESOURCE_SIDE: Final = frozenset(k for k, r in KIND_RULES.items() if r.family is Family.RESOURCE)
ORGANIZATION: Final = frozenset(k for k, r in KIND_RULES.items()
                                if r.family is Family.ORGANIZATION)
# Kinds whose Allow statements grant access by themselves (not the guardrails SCP, RCP,
# boundary, session and VPC endpoint policies, whose Allow only sets a maximum).
GRANTING: Final = (IDENTITY_SIDE | RESOURCE_SIDE) - {
    PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.VPC_ENDPOINT}
# Resource policies that grant access to principals (trust policies grant assumption).
RESOURCE_GRANTING: Final = RESOURCE_SIDE - {PolicyKind.VPC_ENDPOINT}

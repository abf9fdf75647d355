"""Inter-municipal placement's roles and permissions.

Case officers request placements for their cases (the team is checked by the cases part). The
placement coordinators of a municipality or operation are its designated staff: they keep the
register of units, see their units' addresses and decide on offers. The national coordinator's
placement role sees the engine's full explanations, each view audited, and runs national rounds.
"""

from __future__ import annotations

from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.service import TenantKind

REQUEST = REGISTRY.permission("placement", "request", "Begära placering av en person i en annan kommun")
OFFER = REGISTRY.permission("placement", "offer", "Erbjuda boende och ta emot placeringar i den egna kommunen")
EXPLAIN = REGISTRY.permission(
    "placement", "explain", "Se placeringsmotorns fullständiga förklaring (visar var andra bor; loggas)"
)
ROUND = REGISTRY.permission(
    "placement",
    "round",
    "Samla samtidiga placeringsbegäranden i en nationell omgång och skicka erbjudandena (loggas)",
)
PAY = REGISTRY.permission("placement", "pay", "Se och besluta om betalningsansvaret för placeringar mellan kommuner")
OVERSEE_PAYMENT = REGISTRY.permission(
    "placement", "oversee_payment", "Se tvister om betalningsansvar för placeringar i länet (utan identitet)"
)

KINDS = (TenantKind.MUNICIPALITY.value, TenantKind.OPERATION.value)
"""Requests and offers exist in these kinds of tenant only."""

PLACEMENT_COORDINATOR = REGISTRY.role(
    "placement_coordinator",
    swedish="Placeringssamordnare",
    english="Placement coordinator",
    # Municipalities request and receive placements; operations offer supported housing.
    tenant_kinds={TenantKind.MUNICIPALITY, TenantKind.OPERATION},
    permissions=[REQUEST, OFFER, PAY],
)
PLACEMENT_NATIONAL = REGISTRY.role(
    "placement_national",
    swedish="Nationell placeringssamordnare",
    english="National placement coordinator",
    tenant_kinds={TenantKind.NATIONAL_COORDINATOR},
    permissions=[EXPLAIN, ROUND],
)

REGISTRY.grant("case_officer", REQUEST)
# The county board sees disputes about payment between municipalities in its county.
REGISTRY.grant("network_coordinator", OVERSEE_PAYMENT)

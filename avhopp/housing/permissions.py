"""Inter-municipal placement's role and permissions."""

from __future__ import annotations

from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.service import TenantKind

REQUEST = REGISTRY.permission("placement", "request", "Begära placering av en person i en annan kommun")
OFFER = REGISTRY.permission("placement", "offer", "Erbjuda boende och ta emot placeringar i den egna kommunen")

PLACEMENT_COORDINATOR = REGISTRY.role(
    "placement_coordinator",
    swedish="Placeringssamordnare",
    english="Placement coordinator",
    # Municipalities request and receive placements; operations offer supported housing.
    tenant_kinds={TenantKind.MUNICIPALITY, TenantKind.OPERATION},
    permissions=[REQUEST, OFFER],
)

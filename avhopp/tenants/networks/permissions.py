"""What the networks' routes state. The roles are the registry's (they existed before this part).

A coordinator (`network:administer`, county boards only) runs the spaces of its county board; a
member (`network:participate`) takes part for its organisation. A guest holds no role: the guest's
routes need a signed-in person acting for a tenant, and the database shows them their meeting alone.
"""

from __future__ import annotations

from avhopp.tenants.registry.permissions import NETWORK_ADMINISTER, NETWORK_KINDS, NETWORK_PARTICIPATE
from avhopp.tenants.registry.service import TenantKind

COORDINATOR_KINDS = (TenantKind.COUNTY_BOARD.value,)
MEMBER_KINDS = tuple(sorted(NETWORK_KINDS))

__all__ = ["COORDINATOR_KINDS", "MEMBER_KINDS", "NETWORK_ADMINISTER", "NETWORK_PARTICIPATE"]

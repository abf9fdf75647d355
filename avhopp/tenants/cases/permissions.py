"""The roles and permissions of cases.

Reading and writing a case is the case officers' (`case:read`, `case:write`, from the
registry, which declared them before this part existed); which case they see is the team's
business, decided row by row in the database. A unit head oversees the tenant's cases without
their identities, assigns teams, and opens a case only through a recorded emergency access.
"""

from __future__ import annotations

from avhopp.directory.line.permissions import RECEIVE
from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.permissions import CASE_KINDS, CASE_READ, CASE_WRITE, THREAT_READ, THREAT_WRITE
from avhopp.tenants.registry.service import TenantKind

OVERSEE = REGISTRY.permission(
    "case", "oversee", "Se organisationens ärendelista utan identiteter, fördela ärenden och öppna ett ärende i nödläge"
)

FIGURES = REGISTRY.permission("follow_up_statistics", "read", "Se uppföljningens statistik")
"""The national follow-up figures: the national analyst's, and a unit head's own beside the country's."""

CASE_UNIT_HEAD = REGISTRY.role(
    "case_unit_head",
    swedish="Enhetschef (ärenden)",
    english="Unit head (cases)",
    tenant_kinds=CASE_KINDS,
    permissions=[
        OVERSEE,
        CASE_READ,
        REGISTRY.described(FIGURES, "Se uppföljningens statistik för den egna organisationen bredvid hela landets"),
    ],
)
REGISTRY.grant(
    "national_analyst",
    REGISTRY.described(FIGURES, "Se uppföljningens statistik nationellt och per organisation, med små tal dolda"),
)
FIGURES_KINDS = (TenantKind.NATIONAL_COORDINATOR.value, *sorted(CASE_KINDS))
"""Where the follow-up figures open: at the national coordinator, and in case-keeping tenants."""

__all__ = [
    "CASE_KINDS",
    "CASE_READ",
    "CASE_UNIT_HEAD",
    "CASE_WRITE",
    "FIGURES",
    "FIGURES_KINDS",
    "OVERSEE",
    "RECEIVE",
    "THREAT_READ",
    "THREAT_WRITE",
]
"""What the cases' routes state; the roles that hold them are the registry's, the line's and this part's.

The line's referrals are received in the case workspace, under the line's `referral:receive`."""

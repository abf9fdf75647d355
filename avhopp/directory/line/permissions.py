"""The guidance line's roles and permissions, and the line's part in other roles."""

from __future__ import annotations

from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.service import TenantKind

OPERATE = REGISTRY.permission("line_contact", "write", "Registrera samtal och kontakter på stödlinjen")
REVIEW = REGISTRY.permission("line_contact", "review", "Granska och följa upp vägledarnas kontakter")
STATISTICS = REGISTRY.permission("line_statistics", "read", "Se stödlinjens statistik")
RECEIVE = REGISTRY.permission("referral", "receive", "Ta emot remisser från stödlinjen: öppna, acceptera eller avböja")

LINE_KINDS = (TenantKind.GUIDANCE_LINE.value,)
"""Where the line's own routes open."""
STATISTICS_KINDS = (TenantKind.GUIDANCE_LINE.value, TenantKind.NATIONAL_COORDINATOR.value)
"""The line sees its own statistics; the national coordinator sees them nationally."""

LINE_OPERATOR = REGISTRY.role(
    "line_operator",
    swedish="Vägledare på stödlinjen",
    english="Guidance line operator",
    tenant_kinds=LINE_KINDS,
    permissions=[OPERATE],
)
LINE_SUPERVISOR = REGISTRY.role(
    "line_supervisor",
    swedish="Arbetsledare på stödlinjen",
    english="Guidance line supervisor",
    tenant_kinds=LINE_KINDS,
    permissions=[REVIEW, STATISTICS],
)
NATIONAL_ANALYST = REGISTRY.role(
    "national_analyst",
    swedish="Nationell samordnare (statistik)",
    english="National coordinator (statistics)",
    tenant_kinds={TenantKind.NATIONAL_COORDINATOR},
    permissions=[REGISTRY.described(STATISTICS, "Se stödlinjens statistik, nationellt och med små tal dolda")],
)

# Case officers take the line's referrals where they arrive (RECEIVING_KINDS of the line's service).
REGISTRY.grant("case_officer", RECEIVE)

"""The directory's roles and permissions: editing an organisation's entries, reviewing them, searching."""

from __future__ import annotations

from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.service import TenantKind

SEARCH = REGISTRY.permission("directory", "search", "Söka i katalogen utifrån en persons situation och se skälen")
EDIT = REGISTRY.permission(
    "directory", "edit", "Redigera den egna organisationens uppgifter i den nationella katalogen"
)
REVIEW = REGISTRY.permission(
    "directory", "review", "Granska och publicera ändringar i katalogen (bara hos den nationella samordnaren)"
)

REVIEWING_KINDS = (TenantKind.NATIONAL_COORDINATOR.value,)
"""Where the directory's review routes open: the national coordinator keeps the directory."""

DIRECTORY_EDITOR = REGISTRY.role(
    "directory_editor",
    swedish="Redaktör för katalogen",
    english="Directory editor",
    # Every organisation that offers services to defectors, the guidance line included.
    tenant_kinds={
        TenantKind.MUNICIPALITY,
        TenantKind.OPERATION,
        TenantKind.OTHER_AUTHORITY,
        TenantKind.GUIDANCE_LINE,
    },
    permissions=[SEARCH, EDIT],
)
DIRECTORY_REVIEWER = REGISTRY.role(
    "directory_reviewer",
    swedish="Granskare av katalogen (nationell samordnare)",
    english="Directory reviewer (national coordinator)",
    tenant_kinds=REVIEWING_KINDS,
    permissions=[SEARCH, REVIEW],
)

# The working roles of other modules look up services for the people they help.
for _role in (
    "case_officer",
    "security_officer",
    "placement_coordinator",
    "line_operator",
    "line_supervisor",
    "network_coordinator",
    "network_member",
):
    REGISTRY.grant(_role, SEARCH)

"""The roles and permissions of tenant administration and of the work later modules build on.

Case, threat assessment and county network roles exist before their modules do, so that
people can be given them now and memberships need no change when the modules arrive.
"""

from __future__ import annotations

from avhopp.platform.audit.permissions import AUDIT_READ
from avhopp.platform.authz.registry import REGISTRY
from avhopp.tenants.registry.models import TenantKind

EVERY_KIND = frozenset(TenantKind)
CASE_KINDS = frozenset({TenantKind.MUNICIPALITY, TenantKind.OPERATION, TenantKind.OTHER_AUTHORITY})
"""Social services, the operations and the police's own defector operations run cases."""
NETWORK_KINDS = frozenset(
    {TenantKind.MUNICIPALITY, TenantKind.OPERATION, TenantKind.OTHER_AUTHORITY, TenantKind.COUNTY_BOARD}
)

PLATFORM_ADMINISTER = REGISTRY.permission(
    "platform", "administer", "Skapa, ändra och avaktivera organisationer på plattformen"
)
ONBOARD = REGISTRY.permission(
    "onboarding",
    "administer",
    "Bjuda in den första administratören i varje organisation och följa hur katalogen bekräftas",
)
TENANT_ADMINISTER = REGISTRY.permission(
    "tenant", "administer", "Bjuda in användare och ge eller ta bort roller i den egna organisationen"
)
CASE_READ = REGISTRY.permission("case", "read", "Läsa den egna organisationens ärenden")
CASE_WRITE = REGISTRY.permission("case", "write", "Öppna, ändra och avsluta ärenden")
THREAT_READ = REGISTRY.permission("threat_assessment", "read", "Läsa hot- och riskbedömningar")
THREAT_WRITE = REGISTRY.permission("threat_assessment", "write", "Skriva och uppdatera polisens hot- och riskbedömning")
NETWORK_ADMINISTER = REGISTRY.permission(
    "network", "administer", "Leda länsnätverket: medlemmar, möten och gemensamma underlag"
)
NETWORK_PARTICIPATE = REGISTRY.permission("network", "participate", "Delta i länsnätverket och dela underlag")

PLATFORM_ADMIN = REGISTRY.role(
    "platform_admin",
    swedish="Plattformsadministratör",
    english="Platform administrator",
    # The platform is run from the national coordinator; the role is never anyone else's.
    tenant_kinds={TenantKind.NATIONAL_COORDINATOR},
    permissions=[PLATFORM_ADMINISTER],
)
NATIONAL_ADMIN = REGISTRY.role(
    "national_admin",
    swedish="Nationell administratör",
    english="National administrator",
    # Onboarding the country's organisations is the national coordinator's task alone.
    tenant_kinds={TenantKind.NATIONAL_COORDINATOR},
    permissions=[ONBOARD],
)
TENANT_ADMIN = REGISTRY.role(
    "tenant_admin",
    swedish="Administratör för organisationen",
    english="Organisation administrator",
    tenant_kinds=EVERY_KIND,
    permissions=[TENANT_ADMINISTER],
)
CASE_OFFICER = REGISTRY.role(
    "case_officer",
    swedish="Handläggare",
    english="Case officer",
    tenant_kinds=CASE_KINDS,
    permissions=[CASE_READ, CASE_WRITE],
)
SECURITY_OFFICER = REGISTRY.role(
    "security_officer",
    swedish="Säkerhetshandläggare (polisens hot- och riskbedömning)",
    english="Security officer (police threat and risk assessment)",
    tenant_kinds={TenantKind.OTHER_AUTHORITY, TenantKind.OPERATION},
    permissions=[THREAT_READ, THREAT_WRITE],
)
NETWORK_COORDINATOR = REGISTRY.role(
    "network_coordinator",
    swedish="Samordnare för länsnätverket",
    english="County network coordinator",
    tenant_kinds={TenantKind.COUNTY_BOARD},
    permissions=[NETWORK_ADMINISTER, NETWORK_PARTICIPATE],
)
NETWORK_MEMBER = REGISTRY.role(
    "network_member",
    swedish="Medlem i länsnätverket",
    english="County network member",
    tenant_kinds=NETWORK_KINDS,
    permissions=[NETWORK_PARTICIPATE],
)
AUDITOR = REGISTRY.role(
    "auditor",
    swedish="Granskare (logg)",
    english="Auditor (audit trail)",
    tenant_kinds=EVERY_KIND,
    permissions=[AUDIT_READ],
)

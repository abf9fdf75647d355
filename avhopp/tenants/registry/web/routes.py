"""What the tenant registry adds to the web app: start page, account, tenant switching, administration."""

from __future__ import annotations

from pathlib import Path

from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.permissions import ONBOARD, PLATFORM_ADMINISTER, TENANT_ADMINISTER
from avhopp.tenants.registry.web.admin import ADMIN_ROUTES
from avhopp.tenants.registry.web.onboarding import ONBOARDING_ROUTES
from avhopp.tenants.registry.web.pages import TENANT_ROUTES

REGISTRY_WEB = PartWeb(
    name="tenants.registry",
    routes=[*TENANT_ROUTES, *ADMIN_ROUTES, *ONBOARDING_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Mitt konto", "/konto"),
        NavEntry("Personer och roller", "/organisation/personer", TENANT_ADMINISTER),
        NavEntry("Katalogen att bekräfta", "/organisation/katalog", TENANT_ADMINISTER),
        NavEntry("Organisationer", "/organisationer", PLATFORM_ADMINISTER),
        NavEntry(
            "Anslutning av organisationer",
            "/nationellt/organisationer",
            ONBOARD,
            (TenantKind.NATIONAL_COORDINATOR.value,),
        ),
    ),
)

"""The composition root: the platform's app with every module's routes and templates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from avhopp.platform.web.app import create_app
from avhopp.platform.web.shell import register_nav
from avhopp.tenants.admin_views import ADMIN_ROUTES
from avhopp.tenants.service import People
from avhopp.tenants.views import TENANT_NAV, TENANT_ROUTES

if TYPE_CHECKING:
    from litestar import Litestar
    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings
    from avhopp.platform.telemetry import Telemetry

_TENANT_TEMPLATES = Path(__file__).parent / "tenants" / "templates"


def build_app(settings: Settings, app_url: URL, *, telemetry: Telemetry | None = None) -> Litestar:
    """The whole product's web application."""
    for entry in TENANT_NAV:
        register_nav(entry)
    return create_app(
        settings,
        app_url,
        people=People(),
        route_handlers=[*TENANT_ROUTES, *ADMIN_ROUTES],
        template_dirs=[_TENANT_TEMPLATES],
        telemetry=telemetry,
    )

"""The composition root: the platform's app with every module's routes and templates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from avhopp.directory.routes import DIRECTORY_JOBS, DIRECTORY_NAV, DIRECTORY_ROUTES, DIRECTORY_TEMPLATES
from avhopp.platform.notifications.jobs import send_notice_email
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
JOBS = (*DIRECTORY_JOBS, send_notice_email)
"""Every module's background jobs; importing this module registers them with the job runtime."""


def build_app(settings: Settings, app_url: URL, *, telemetry: Telemetry | None = None) -> Litestar:
    """The whole product's web application."""
    for entry in (*TENANT_NAV, *DIRECTORY_NAV):
        register_nav(entry)
    return create_app(
        settings,
        app_url,
        people=People(),
        route_handlers=[*TENANT_ROUTES, *ADMIN_ROUTES, *DIRECTORY_ROUTES],
        template_dirs=[_TENANT_TEMPLATES, *DIRECTORY_TEMPLATES],
        telemetry=telemetry,
    )

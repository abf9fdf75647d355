"""The composition root: the platform's app with every part's routes, templates, menu entries and jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.authorization import complete_registry
from avhopp.directory.catalogue import jobs as catalogue_jobs
from avhopp.directory.catalogue.web.routes import CATALOGUE_WEB
from avhopp.directory.line import jobs as line_jobs
from avhopp.directory.line.web.routes import LINE_WEB
from avhopp.housing.placement import jobs as placement_jobs
from avhopp.housing.placement.web.routes import PLACEMENT_WEB
from avhopp.platform.app import create_app
from avhopp.platform.notifications.jobs import send_notice_email
from avhopp.tenants.cases import jobs as case_jobs
from avhopp.tenants.cases.web.routes import CASES_WEB
from avhopp.tenants.networks import jobs as network_jobs
from avhopp.tenants.networks.web.routes import NETWORKS_WEB
from avhopp.tenants.registry import jobs as registry_jobs
from avhopp.tenants.registry.service import People
from avhopp.tenants.registry.web.routes import REGISTRY_WEB

if TYPE_CHECKING:
    from litestar import Litestar
    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings
    from avhopp.platform.telemetry import Telemetry

PARTS = (REGISTRY_WEB, CASES_WEB, NETWORKS_WEB, PLACEMENT_WEB, CATALOGUE_WEB, LINE_WEB)
"""Every part's web contribution, in menu order."""
JOBS = (
    *catalogue_jobs.JOBS,
    *line_jobs.JOBS,
    *case_jobs.JOBS,
    *placement_jobs.JOBS,
    *registry_jobs.JOBS,
    *network_jobs.JOBS,
    send_notice_email,
)
"""Every part's background jobs; importing this module registers them with the job runtime."""


def build_app(settings: Settings, app_url: URL, *, telemetry: Telemetry | None = None) -> Litestar:
    """The whole product's web application."""
    complete_registry()
    return create_app(settings, app_url, people=People(), parts=PARTS, telemetry=telemetry)

"""What cases add to the web app: the case workspace's pages and the cases API."""

from __future__ import annotations

from pathlib import Path

from avhopp.platform.web.parts import PartWeb
from avhopp.tenants.cases.web.api import API_ROUTES
from avhopp.tenants.cases.web.pages import PAGE_ROUTES

CASES_WEB = PartWeb(
    name="tenants.cases",
    routes=[*PAGE_ROUTES, *API_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(),
)

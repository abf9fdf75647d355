"""What cases add to the web app: the case workspace's pages and the cases API."""

from __future__ import annotations

from pathlib import Path

from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.cases.permissions import CASE_READ, FIGURES, FIGURES_KINDS, OVERSEE, RECEIVE, THREAT_WRITE
from avhopp.tenants.cases.web.api import API_ROUTES
from avhopp.tenants.cases.web.api_statistics import StatisticsApi
from avhopp.tenants.cases.web.common import KINDS
from avhopp.tenants.cases.web.figures import FIGURES_ROUTES
from avhopp.tenants.cases.web.pages import PAGE_ROUTES

CASES_WEB = PartWeb(
    name="tenants.cases",
    routes=[*PAGE_ROUTES, *FIGURES_ROUTES, *API_ROUTES, StatisticsApi],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Ärenden", "/arenden", CASE_READ, KINDS),
        NavEntry("Remisser från stödlinjen", "/arenden/remisser", RECEIVE, KINDS),
        NavEntry("Delade ärenden", "/arenden/delade", CASE_READ, KINDS),
        NavEntry("Hotbedömningar", "/arenden/hotbedomningar", THREAT_WRITE, KINDS),
        NavEntry("Ärendeöversikt", "/arenden/oversikt", OVERSEE, KINDS),
        NavEntry("Nationell uppföljning", "/statistik/uppfoljning", FIGURES, FIGURES_KINDS),
    ),
)

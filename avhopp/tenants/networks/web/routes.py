"""What networks add to the web app: the pages of the coordinator's workspace and the member's view, and the API."""

from __future__ import annotations

from pathlib import Path

from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry, PageLink
from avhopp.tenants.networks.permissions import MEMBER_KINDS, NETWORK_PARTICIPATE
from avhopp.tenants.networks.web.api import API_ROUTES
from avhopp.tenants.networks.web.documents import DOCUMENT_PAGE_ROUTES
from avhopp.tenants.networks.web.exchange_api import EXCHANGE_API_ROUTES
from avhopp.tenants.networks.web.exchange_pages import EXCHANGE_PAGE_ROUTES
from avhopp.tenants.networks.web.needs import NEEDS_ROUTES
from avhopp.tenants.networks.web.overview import OVERVIEW_ROUTES
from avhopp.tenants.networks.web.pages import PAGE_ROUTES

NETWORKS_WEB = PartWeb(
    name="tenants.networks",
    routes=[
        *PAGE_ROUTES,
        *DOCUMENT_PAGE_ROUTES,
        *NEEDS_ROUTES,
        *EXCHANGE_PAGE_ROUTES,
        *OVERVIEW_ROUTES,
        *API_ROUTES,
        *EXCHANGE_API_ROUTES,
    ],
    templates=Path(__file__).parent / "templates",
    # Everyone signed in: anyone may be a meeting's guest, and the page lists their meetings as a guest.
    nav=(NavEntry("Länsnätverk", "/natverk"),),
    # On a case's page, for its team: bring it to a network as an anonymised consultation.
    page_links=(
        PageLink(
            "case",
            "Ta upp i länsnätverket (anonymt)",
            "/natverk/konsultationer/fran-arende/{id}",
            NETWORK_PARTICIPATE,
            MEMBER_KINDS,
        ),
    ),
)

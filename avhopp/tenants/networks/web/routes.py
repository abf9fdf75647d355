"""What networks add to the web app: the pages of the coordinator's workspace and the member's view, and the API."""

from __future__ import annotations

from pathlib import Path

from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.networks.permissions import MEMBER_KINDS, NETWORK_PARTICIPATE
from avhopp.tenants.networks.web.api import API_ROUTES
from avhopp.tenants.networks.web.pages import PAGE_ROUTES

NETWORKS_WEB = PartWeb(
    name="tenants.networks",
    routes=[*PAGE_ROUTES, *API_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(NavEntry("Länsnätverk", "/natverk", NETWORK_PARTICIPATE, MEMBER_KINDS),),
)

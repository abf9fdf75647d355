"""What placement adds to the web app: the officers' and the designated staff's pages and the API."""

from __future__ import annotations

from pathlib import Path

from avhopp.housing.placement.permissions import EXPLAIN, KINDS, OFFER, OVERSEE_PAYMENT, PAY, REQUEST, ROUND
from avhopp.housing.placement.web.api import API_ROUTES
from avhopp.housing.placement.web.pages import PAGE_ROUTES
from avhopp.housing.placement.web.payment import PAYMENT_ROUTES
from avhopp.housing.placement.web.rounds import ROUND_ROUTES
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry

PLACEMENT_WEB = PartWeb(
    name="housing.placement",
    routes=[*PAGE_ROUTES, *PAYMENT_ROUTES, *ROUND_ROUTES, *API_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Placeringar", "/placering", REQUEST, KINDS),
        NavEntry("Erbjudanden om placering", "/placering/erbjudanden", OFFER, KINDS),
        NavEntry("Bostäder för placering", "/placering/bostader", OFFER, KINDS),
        NavEntry("Betalningsansvar för placeringar", "/placering/betalningsansvar", PAY, ("municipality",)),
        NavEntry("Tvister om betalningsansvar", "/placering/betalningstvister", OVERSEE_PAYMENT, ("county_board",)),
        NavEntry("Placeringsmotorns förklaringar", "/placering/nationell", EXPLAIN, ("national_coordinator",)),
        NavEntry("Nationella placeringsomgångar", "/placering/nationell/omgangar", ROUND, ("national_coordinator",)),
    ),
)

"""What the catalogue adds to the web app: its API, the HSDS API, its pages and menu entries."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory.catalogue.permissions import EDIT, REVIEW, REVIEWING_KINDS, SEARCH
from avhopp.directory.catalogue.web.api import DIRECTORY_API
from avhopp.directory.catalogue.web.editor import EDITOR_ROUTES
from avhopp.directory.catalogue.web.hsds_api import HSDS_ROUTES
from avhopp.directory.catalogue.web.public import PUBLIC_ROUTES
from avhopp.directory.catalogue.web.review import REVIEW_ROUTES
from avhopp.directory.catalogue.web.search import SEARCH_ROUTES
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry

CATALOGUE_WEB = PartWeb(
    name="directory.catalogue",
    routes=[*DIRECTORY_API, *HSDS_ROUTES, *SEARCH_ROUTES, *EDITOR_ROUTES, *REVIEW_ROUTES, *PUBLIC_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Sök stöd", "/katalog", SEARCH),
        NavEntry("Våra uppgifter i katalogen", "/katalog/redigera", EDIT),
        NavEntry("Granskning av katalogen", "/katalog/granskning", REVIEW, REVIEWING_KINDS),
    ),
)

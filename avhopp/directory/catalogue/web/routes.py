"""What the catalogue adds to the web app: its API, the HSDS API, its pages and menu entries."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory.catalogue.web.api import DIRECTORY_API
from avhopp.directory.catalogue.web.editor import EDITOR_ROUTES
from avhopp.directory.catalogue.web.hsds_api import HSDS_ROUTES
from avhopp.directory.catalogue.web.public import PUBLIC_ROUTES
from avhopp.directory.catalogue.web.review import REVIEW_ROUTES
from avhopp.directory.catalogue.web.search import SEARCH_ROUTES
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.registry.service import Role

_SEARCHERS = frozenset(
    {
        Role.CASE_OFFICER,
        Role.SECURITY_OFFICER,
        Role.PLACEMENT_COORDINATOR,
        Role.DIRECTORY_EDITOR,
        Role.DIRECTORY_REVIEWER,
        Role.LINE_OPERATOR,
        Role.LINE_SUPERVISOR,
        Role.NETWORK_COORDINATOR,
        Role.NETWORK_MEMBER,
    }
)
CATALOGUE_WEB = PartWeb(
    name="directory.catalogue",
    routes=[*DIRECTORY_API, *HSDS_ROUTES, *SEARCH_ROUTES, *EDITOR_ROUTES, *REVIEW_ROUTES, *PUBLIC_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Sök stöd", "/katalog", roles=_SEARCHERS),
        NavEntry("Våra uppgifter i katalogen", "/katalog/redigera", roles=frozenset({Role.DIRECTORY_EDITOR})),
        NavEntry("Granskning av katalogen", "/katalog/granskning", roles=frozenset({Role.DIRECTORY_REVIEWER})),
    ),
)

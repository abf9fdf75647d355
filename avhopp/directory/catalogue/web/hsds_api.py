"""The read-only Open Referral HSDS API under /api/hsds: services, organizations, locations, taxonomies.

Public directory data, so public routes (rate-limited per address), with the public fields
only: numbers meant for professionals stay out. Lists are HSDS `Page` objects; filters are
cumulative, as the HSDS API specification requires. Locations are a profile extension
(the specification lists them only nested).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery, Parameter

from avhopp.directory.catalogue.hsds.details import location_to_hsds
from avhopp.directory.catalogue.hsds.filters import service_filters
from avhopp.directory.catalogue.hsds.mapping import organization_to_hsds, service_to_hsds
from avhopp.directory.catalogue.hsds.paging import page_of, paged
from avhopp.directory.catalogue.hsds.reading import JsonObject
from avhopp.directory.catalogue.hsds.taxonomy import (
    find_taxonomy,
    find_term,
    hsds_taxonomies,
    hsds_taxonomy_terms,
    taxonomy_to_hsds,
    term_to_hsds,
)
from avhopp.directory.catalogue.service import (
    CatalogueFilter,
    PublishedEntry,
    catalogue_version,
    published_entries,
    published_organizations_page,
    published_page,
    published_service,
)
from avhopp.platform.heavy import off_loop
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.request import Anyone
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.web.openapi_problems import problem_responses
from avhopp.platform.web.ratelimit import RateLimit, check_rate

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler
    from sqlalchemy.ext.asyncio import AsyncSession

HSDS_VERSION = "3.1"
PROFILE = "https://github.com/avhopp/avhopp/blob/main/docs/katalog.md"
EXCHANGE_LIMIT = RateLimit("directory.hsds", requests=120, seconds=60)

MAX_PAGE = 100_000
"""Beyond any catalogue's last page; an unbounded number would overflow the database's offset."""
Page = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="Sidnummer, från 1")]
PerPage = Annotated[int, Parameter(ge=1, le=100, description="Antal per sida, högst 100")]


LIMITED = problem_responses(
    {
        429: (
            f"Högst {EXCHANGE_LIMIT.requests} förfrågningar i minuten från en adress;"
            " försök igen om Retry-After sekunder."
        )
    }
)


async def within_exchange_limit(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard on the routes that read the catalogue: over the limit, refuse before reading it."""
    await check_rate(connection, EXCHANGE_LIMIT)


_CONVERTED: OrderedDict[tuple[UUID, tuple[datetime, datetime]], JsonObject] = OrderedDict()
CONVERTED_KEPT = 4096
"""Services kept converted: the same for every anonymous reader until the service or its organisation changes."""


_CONVERTED_LOCK = threading.Lock()
"""Pages are converted in worker threads (`off_loop`), which share the kept conversions."""


def _public_service(entry: PublishedEntry) -> JsonObject:
    if entry.version is None:
        return service_to_hsds(entry.service, entry.organization, include_internal=False)
    key = (entry.service.id, entry.version)
    with _CONVERTED_LOCK:
        converted = _CONVERTED.get(key)
        if converted is not None:
            _CONVERTED.move_to_end(key)
            return converted
    converted = service_to_hsds(entry.service, entry.organization, include_internal=False)
    with _CONVERTED_LOCK:
        _CONVERTED[key] = converted
        if len(_CONVERTED) > CONVERTED_KEPT:
            _CONVERTED.popitem(last=False)
    return converted


def _public_services(entries: list[PublishedEntry]) -> list[JsonObject]:
    return [_public_service(entry) for entry in entries]


def _organizations(entries: list[PublishedEntry]) -> list[JsonObject]:
    grouped: dict[UUID, list[PublishedEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.organization.id, []).append(entry)
    return [
        organization_to_hsds(group[0].organization, [entry.service for entry in group], include_internal=False)
        for group in sorted(grouped.values(), key=lambda group: group[0].organization.name)
    ]


def _locations(entries: list[PublishedEntry]) -> list[JsonObject]:
    found: dict[UUID, JsonObject] = {}
    for entry in entries:
        for location in entry.service.locations:
            found.setdefault(location.id, location_to_hsds(location, entry.organization))
    return list(found.values())


_LOCATIONS: dict[tuple[object, ...], list[JsonObject]] = {}


async def _all_locations(session: AsyncSession) -> list[JsonObject]:
    """Every public location, made once per state of the catalogue (locations live inside the services)."""
    version = await catalogue_version(session)
    if version not in _LOCATIONS:
        _LOCATIONS.clear()
        _LOCATIONS[version] = await off_loop(_locations, await published_entries(session, CatalogueFilter()))
    return _LOCATIONS[version]


class HsdsApi(Controller):
    """The read-only HSDS 3.1 API: published services and their organisations, public fields only."""

    path = "/api/hsds"
    opt = {"permission": PUBLIC}  # noqa: RUF012 - Litestar's layer attribute
    tags = ["hsds"]  # noqa: RUF012 - Litestar's layer attribute

    @get("/", summary="HSDS: om API:t")
    async def root(self) -> dict[str, str]:
        """The HSDS version, the profile we follow and where the OpenAPI document is."""
        return {"version": HSDS_VERSION, "profile": PROFILE, "openapi_url": "/api/docs/openapi.json"}

    @get("/services", guards=[within_exchange_limit], responses=LIMITED, summary="HSDS: tjänster")
    async def services(  # noqa: PLR0913, PLR0917 - the HSDS API's query parameters
        self,
        anyone: Anyone,
        search: FromQuery[str] = "",
        organization_id: FromQuery[UUID | None] = None,
        taxonomy_term_id: FromQuery[UUID | None] = None,
        taxonomy_id: FromQuery[UUID | None] = None,
        modified_after: FromQuery[datetime | None] = None,
        page: Page = 1,
        per_page: PerPage = 50,
    ) -> JsonObject:
        """Published services, fully nested, paged; `search` is Swedish full text."""
        wanted = CatalogueFilter(
            text=search[:200],
            organization_id=organization_id,
            modified_after=modified_after,
            any_of=service_filters(taxonomy_term_id, taxonomy_id),
        )
        total, entries = await published_page(anyone.session, wanted, offset=(page - 1) * per_page, limit=per_page)
        return paged(await off_loop(_public_services, entries), total_items=total, page_number=page, per_page=per_page)

    @get("/services/{service_id:uuid}", guards=[within_exchange_limit], responses=LIMITED, summary="HSDS: en tjänst")
    async def service(self, anyone: Anyone, service_id: FromPath[UUID]) -> JsonObject:
        """One published service, fully nested."""
        return _public_service(await published_service(anyone.session, service_id))

    @get("/organizations", guards=[within_exchange_limit], responses=LIMITED, summary="HSDS: organisationer")
    async def organizations(
        self, anyone: Anyone, search: FromQuery[str] = "", page: Page = 1, per_page: PerPage = 50
    ) -> JsonObject:
        """Organisations that have published services, paged."""
        total, entries = await published_organizations_page(
            anyone.session, CatalogueFilter(text=search[:200]), offset=(page - 1) * per_page, limit=per_page
        )
        return paged(await off_loop(_organizations, entries), total_items=total, page_number=page, per_page=per_page)

    @get(
        "/organizations/{organization_id:uuid}",
        guards=[within_exchange_limit],
        responses=LIMITED,
        summary="HSDS: en organisation",
    )
    async def organization(self, anyone: Anyone, organization_id: FromPath[UUID]) -> JsonObject:
        """One organisation with its identifiers and locations."""
        entries = await published_entries(anyone.session, CatalogueFilter(organization_id=organization_id))
        if not entries:
            raise NotFoundError
        return _organizations(entries)[0]

    @get("/locations", guards=[within_exchange_limit], responses=LIMITED, summary="HSDS: platser (profilens tillägg)")
    async def locations(self, anyone: Anyone, page: Page = 1, per_page: PerPage = 50) -> JsonObject:
        """Public reception addresses of published services, paged."""
        return page_of(await _all_locations(anyone.session), page_number=page, per_page=per_page)

    @get("/locations/{location_id:uuid}", guards=[within_exchange_limit], responses=LIMITED, summary="HSDS: en plats")
    async def location(self, anyone: Anyone, location_id: FromPath[UUID]) -> JsonObject:
        """One location."""
        for location in await _all_locations(anyone.session):
            if location["id"] == str(location_id):
                return location
        raise NotFoundError

    @get("/taxonomies", summary="HSDS: taxonomier")
    async def taxonomy_list(self, page: Page = 1, per_page: PerPage = 50) -> JsonObject:
        """The directory's vocabularies as HSDS taxonomies."""
        return page_of(hsds_taxonomies(), page_number=page, per_page=per_page)

    @get("/taxonomies/{taxonomy_id:uuid}", summary="HSDS: en taxonomi")
    async def taxonomy(self, taxonomy_id: FromPath[UUID]) -> dict[str, object]:
        """One vocabulary."""
        taxonomy = find_taxonomy(taxonomy_id)
        if taxonomy is None:
            raise NotFoundError
        return taxonomy_to_hsds(taxonomy)

    @get("/taxonomy_terms", summary="HSDS: termer")
    async def term_list(
        self, taxonomy_id: FromQuery[UUID | None] = None, page: Page = 1, per_page: PerPage = 50
    ) -> JsonObject:
        """The vocabularies' values, optionally of one taxonomy."""
        return page_of(hsds_taxonomy_terms(taxonomy_id), page_number=page, per_page=per_page)

    @get("/taxonomy_terms/{term_id:uuid}", summary="HSDS: en term")
    async def term(self, term_id: FromPath[UUID]) -> dict[str, object]:
        """One value."""
        term = find_term(term_id)
        if term is None:
            raise NotFoundError
        return term_to_hsds(term)


HSDS_ROUTES = [HsdsApi]

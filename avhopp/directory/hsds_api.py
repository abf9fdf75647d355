"""The read-only Open Referral HSDS API under /api/hsds: services, organizations, locations, taxonomies.

Public directory data, so public routes (rate-limited per address), with the public fields
only: numbers meant for professionals stay out. Lists are HSDS `Page` objects; filters are
cumulative, as the HSDS API specification requires. Locations are a profile extension
(the specification lists them only nested).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, Parameter

from avhopp.directory.hsds.details import location_to_hsds
from avhopp.directory.hsds.mapping import organization_to_hsds, service_to_hsds
from avhopp.directory.hsds.paging import page_of
from avhopp.directory.hsds.reading import JsonObject
from avhopp.directory.hsds.taxonomy import (
    find_taxonomy,
    find_term,
    hsds_taxonomies,
    hsds_taxonomy_terms,
    taxonomy_to_hsds,
    term_to_hsds,
)
from avhopp.directory.service import (
    CatalogueFilter,
    EntryNotFoundError,
    PublishedEntry,
    published_entries,
    published_service,
)
from avhopp.platform.auth.permissions import PUBLIC
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.ratelimit import RateLimit, SlidingWindowLimiter, check_rate, client_address

HSDS_VERSION = "3.1"
PROFILE = "https://github.com/avhopp/avhopp/blob/main/docs/katalog.md"
EXCHANGE_LIMIT = RateLimit(requests=120, seconds=60)
_LIMITER_STATE = "directory_hsds_limiter"
_OPT = {"permission": PUBLIC}
_PREFIX = "/api/hsds"

Page = Annotated[int, Parameter(ge=1, description="Sidnummer, från 1")]
PerPage = Annotated[int, Parameter(ge=1, le=100, description="Antal per sida, högst 100")]


def _limited(request: Request[Any, Any, Any], state: State) -> None:
    limiter = state.get(_LIMITER_STATE)
    if limiter is None:
        limiter = state[_LIMITER_STATE] = SlidingWindowLimiter(EXCHANGE_LIMIT)
    check_rate(limiter.allow(client_address(request)))


async def _entries(request: Request[Any, Any, Any], state: State, wanted: CatalogueFilter) -> list[PublishedEntry]:
    _limited(request, state)
    async with context_session(state.sessions, RequestContext()) as session:
        return await published_entries(session, wanted)


def _public_service(entry: PublishedEntry) -> JsonObject:
    return service_to_hsds(entry.service, entry.organization, include_internal=False)


def _has_term(service: JsonObject, taxonomy_term_id: UUID | None, taxonomy_id: UUID | None) -> bool:
    attributes: list[dict[str, Any]] = service.get("attributes", [])  # type: ignore[assignment]
    terms = [find_term(UUID(str(attribute["taxonomy_term_id"]))) for attribute in attributes]
    return (taxonomy_term_id is None or any(term and term.id == taxonomy_term_id for term in terms)) and (
        taxonomy_id is None or any(term and term.taxonomy.id == taxonomy_id for term in terms)
    )


@get(f"{_PREFIX}/", opt=_OPT, summary="HSDS: om API:t")
async def hsds_root() -> dict[str, str]:
    """The HSDS version, the profile we follow and where the OpenAPI document is."""
    return {"version": HSDS_VERSION, "profile": PROFILE, "openapi_url": "/api/docs/openapi.json"}


@get(f"{_PREFIX}/services", opt=_OPT, summary="HSDS: tjänster")
async def hsds_services(  # noqa: PLR0913, PLR0917 - the HSDS API's query parameters
    request: Request[Any, Any, Any],
    state: State,
    search: FromQuery[str] = "",
    organization_id: FromQuery[UUID | None] = None,
    taxonomy_term_id: FromQuery[UUID | None] = None,
    taxonomy_id: FromQuery[UUID | None] = None,
    modified_after: FromQuery[datetime | None] = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> JsonObject:
    """Published services, fully nested, paged; `search` is Swedish full text."""
    wanted = CatalogueFilter(text=search[:200], organization_id=organization_id, modified_after=modified_after)
    services = [_public_service(entry) for entry in await _entries(request, state, wanted)]
    matching = [service for service in services if _has_term(service, taxonomy_term_id, taxonomy_id)]
    return page_of(matching, page_number=page, per_page=per_page)


@get(f"{_PREFIX}/services/{{service_id:uuid}}", opt=_OPT, summary="HSDS: en tjänst")
async def hsds_service(request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]) -> JsonObject:
    """One published service, fully nested."""
    _limited(request, state)
    async with context_session(state.sessions, RequestContext()) as session:
        try:
            return _public_service(await published_service(session, service_id))
        except EntryNotFoundError:
            raise NotFoundException from None


def _organizations(entries: list[PublishedEntry]) -> list[JsonObject]:
    grouped: dict[UUID, list[PublishedEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.organization.id, []).append(entry)
    return [
        organization_to_hsds(group[0].organization, [entry.service for entry in group], include_internal=False)
        for group in sorted(grouped.values(), key=lambda group: group[0].organization.name)
    ]


@get(f"{_PREFIX}/organizations", opt=_OPT, summary="HSDS: organisationer")
async def hsds_organizations(
    request: Request[Any, Any, Any], state: State, search: FromQuery[str] = "", page: Page = 1, per_page: PerPage = 50
) -> JsonObject:
    """Organisations that have published services, paged."""
    entries = await _entries(request, state, CatalogueFilter(text=search[:200]))
    return page_of(_organizations(entries), page_number=page, per_page=per_page)


@get(f"{_PREFIX}/organizations/{{organization_id:uuid}}", opt=_OPT, summary="HSDS: en organisation")
async def hsds_organization(
    request: Request[Any, Any, Any], state: State, organization_id: FromPath[UUID]
) -> JsonObject:
    """One organisation with its identifiers and locations."""
    entries = await _entries(request, state, CatalogueFilter(organization_id=organization_id))
    if not entries:
        raise NotFoundException
    return _organizations(entries)[0]


def _locations(entries: list[PublishedEntry]) -> list[JsonObject]:
    found: dict[UUID, JsonObject] = {}
    for entry in entries:
        for location in entry.service.locations:
            found.setdefault(location.id, location_to_hsds(location, entry.organization))
    return list(found.values())


@get(f"{_PREFIX}/locations", opt=_OPT, summary="HSDS: platser (profilens tillägg)")
async def hsds_locations(
    request: Request[Any, Any, Any], state: State, page: Page = 1, per_page: PerPage = 50
) -> JsonObject:
    """Public reception addresses of published services, paged."""
    return page_of(_locations(await _entries(request, state, CatalogueFilter())), page_number=page, per_page=per_page)


@get(f"{_PREFIX}/locations/{{location_id:uuid}}", opt=_OPT, summary="HSDS: en plats")
async def hsds_location(request: Request[Any, Any, Any], state: State, location_id: FromPath[UUID]) -> JsonObject:
    """One location."""
    for location in _locations(await _entries(request, state, CatalogueFilter())):
        if location["id"] == str(location_id):
            return location
    raise NotFoundException


@get(f"{_PREFIX}/taxonomies", opt=_OPT, summary="HSDS: taxonomier")
async def hsds_taxonomy_list(page: Page = 1, per_page: PerPage = 50) -> JsonObject:
    """The directory's vocabularies as HSDS taxonomies."""
    return page_of(hsds_taxonomies(), page_number=page, per_page=per_page)


@get(f"{_PREFIX}/taxonomies/{{taxonomy_id:uuid}}", opt=_OPT, summary="HSDS: en taxonomi")
async def hsds_taxonomy(taxonomy_id: FromPath[UUID]) -> dict[str, object]:
    """One vocabulary."""
    taxonomy = find_taxonomy(taxonomy_id)
    if taxonomy is None:
        raise NotFoundException
    return taxonomy_to_hsds(taxonomy)


@get(f"{_PREFIX}/taxonomy_terms", opt=_OPT, summary="HSDS: termer")
async def hsds_term_list(
    taxonomy_id: FromQuery[UUID | None] = None, page: Page = 1, per_page: PerPage = 50
) -> JsonObject:
    """The vocabularies' values, optionally of one taxonomy."""
    return page_of(hsds_taxonomy_terms(taxonomy_id), page_number=page, per_page=per_page)


@get(f"{_PREFIX}/taxonomy_terms/{{term_id:uuid}}", opt=_OPT, summary="HSDS: en term")
async def hsds_term(term_id: FromPath[UUID]) -> dict[str, object]:
    """One value."""
    term = find_term(term_id)
    if term is None:
        raise NotFoundException
    return term_to_hsds(term)


HSDS_ROUTES = [
    hsds_root,
    hsds_services,
    hsds_service,
    hsds_organizations,
    hsds_organization,
    hsds_locations,
    hsds_location,
    hsds_taxonomy_list,
    hsds_taxonomy,
    hsds_term_list,
    hsds_term,
]

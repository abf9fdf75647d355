"""The HSDS API's taxonomy filters run in the database and page there, and find exactly the services
whose HSDS attributes carry the term or the taxonomy."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from avhopp.directory.catalogue.hsds.filters import service_filters
from avhopp.directory.catalogue.hsds.mapping import service_to_hsds
from avhopp.directory.catalogue.hsds.taxonomy import TAXONOMIES, find_term, hsds_taxonomy_terms
from avhopp.directory.catalogue.service import CatalogueFilter, published_entries, published_page
from avhopp.directory.catalogue.web import hsds_api
from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.directory.catalogue.service import PublishedEntry

pytestmark = pytest.mark.usefixtures("seeded")


def carried(entry: PublishedEntry) -> set[uuid.UUID]:
    """The terms of a service's HSDS attributes, as a reader of the API sees them."""
    attributes = service_to_hsds(entry.service, entry.organization, include_internal=False)["attributes"]
    assert isinstance(attributes, list)
    return {uuid.UUID(str(attribute["taxonomy_term_id"])) for attribute in attributes}


async def test_every_term_and_taxonomy_filter_finds_what_the_attributes_carry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with context_session(sessions, RequestContext()) as session:
        everything = await published_entries(session, CatalogueFilter())
        terms = {entry.service.id: carried(entry) for entry in everything}
        checked = 0
        for listed in hsds_taxonomy_terms():
            term_id = uuid.UUID(str(listed["id"]))
            found = await published_entries(session, CatalogueFilter(any_of=service_filters(term_id, None)))
            assert {entry.service.id for entry in found} == {
                service for service, held in terms.items() if term_id in held
            }, listed["code"]
            checked += bool(found)
        assert checked > 10  # the seed carries many of the terms
        for taxonomy in TAXONOMIES:
            found = await published_entries(session, CatalogueFilter(any_of=service_filters(None, taxonomy.id)))
            expected = {
                service
                for service, held in terms.items()
                if any((term := find_term(term_id)) is not None and term.taxonomy == taxonomy for term_id in held)
            }
            assert {entry.service.id for entry in found} == expected, taxonomy.key
        unknown = await published_entries(session, CatalogueFilter(any_of=service_filters(uuid.uuid4(), None)))
        assert unknown == []


async def test_a_page_reads_only_its_services_and_counts_them_all(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext()) as session:
        everything = await published_entries(session, CatalogueFilter())
        total, page = await published_page(session, CatalogueFilter(), offset=10, limit=7)
        assert total == len(everything)
        assert [entry.service.id for entry in page] == [entry.service.id for entry in everything[10:17]]
        beyond_total, beyond = await published_page(session, CatalogueFilter(), offset=10_000, limit=7)
        assert (beyond_total, beyond) == (len(everything), [])


async def test_an_anonymous_request_converts_one_page_at_most_and_none_when_nothing_changed(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    converted: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        converted.append(str(args[0].id))
        return service_to_hsds(*args, **kwargs)

    monkeypatch.setattr(hsds_api, "service_to_hsds", counting)
    hsds_api._CONVERTED.clear()  # noqa: SLF001 - a cold cache, as after a start
    first = await api.get("/api/hsds/services", params={"per_page": 5, "page": 3})
    assert first.status_code == 200
    assert first.json()["total_items"] > 100
    assert len(converted) == 5
    again = await api.get("/api/hsds/services", params={"per_page": 5, "page": 3})
    assert again.json() == first.json()
    assert len(converted) == 5
    organizations = await api.get("/api/hsds/organizations", params={"per_page": 2})
    assert organizations.status_code == 200
    assert organizations.json()["size"] == 2
    assert len(converted) == 5

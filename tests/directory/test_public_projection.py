"""What the public may read of the directory, enforced by the database (migration 0018).

Run as the runtime role. Without a tenant (anyone on the public page or the HSDS API, or an
SQL injection there) the published tables give no row, and the public views give documents
without what only professionals may read; acting for a tenant, the whole entry is there.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.directory.catalogue.documents import service_from_document
from avhopp.directory.catalogue.entry import Phone
from avhopp.directory.catalogue.search import SearchQuery, search_directory
from avhopp.directory.catalogue.service import publish_organization, publish_service, published_service
from tests.directory.conftest import COORDINATOR, KC, MALMO, changed, organization, service

if TYPE_CHECKING:
    from avhopp.directory.catalogue.entry import ServiceEntry
    from tests.directory.conftest import Tenants

INTERNAL_NUMBER = "031-999 00 11"


async def published_with_an_internal_phone(tenants: Tenants) -> ServiceEntry:
    owner = organization()
    entry = service(
        owner,
        phones=(
            Phone(id=uuid.uuid4(), number="031-123456", description="Mottagningen"),
            Phone(id=uuid.uuid4(), number=INTERNAL_NUMBER, description="Jouren för yrkesverksamma", public=False),
        ),
    )
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
        await publish_service(session, tenants.ids[KC], entry)
    return entry


async def test_without_a_tenant_the_published_tables_give_no_row(tenants: Tenants) -> None:
    entry = await published_with_an_internal_phone(tenants)
    async with tenants.acting(None) as session:
        services = (
            await session.execute(text("SELECT document::text FROM directory_service WHERE id = :id"), {"id": entry.id})
        ).all()
        organizations = (
            await session.execute(
                text("SELECT document::text FROM directory_organization WHERE id = :id"), {"id": entry.organization_id}
            )
        ).all()
        everything = await session.scalar(text("SELECT count(*) FROM directory_service"))
    assert services == []
    assert organizations == []
    assert everything == 0


async def test_a_professional_search_without_a_tenant_finds_and_counts_nothing(tenants: Tenants) -> None:
    # Its candidates come from the public view (for the indexes); the tables' condition gates them.
    entry = await published_with_an_internal_phone(tenants)
    query = SearchQuery(text=entry.name)
    async with tenants.acting(None) as session:
        nobody = await search_directory(session, query, date(2026, 12, 4), internal=True)
    async with tenants.acting(MALMO) as session:
        professional = await search_directory(session, query, date(2026, 12, 4), internal=True)

    assert (nobody.hits, nobody.total) == ([], 0)
    assert all(count == 0 for counted in nobody.facets.values() for count in counted.values())
    [hit] = [hit for hit in professional.hits if hit.service.id == entry.id]
    assert INTERNAL_NUMBER in {phone.number for phone in hit.service.phones}


async def test_the_public_view_holds_public_phones_only(tenants: Tenants) -> None:
    entry = await published_with_an_internal_phone(tenants)
    async with tenants.acting(None) as session:
        row = (
            await session.execute(
                text(
                    "SELECT v::text AS whole, document::text AS document FROM directory_public_service v WHERE id = :id"
                ),
                {"id": entry.id},
            )
        ).one()
        via_service = await published_service(session, entry.id)
    assert INTERNAL_NUMBER not in row.whole
    assert service_from_document(row.document) == changed(entry, phones=entry.phones[:1])
    assert via_service.service == changed(entry, phones=entry.phones[:1])


async def test_a_field_not_listed_for_the_public_stays_out_of_the_view(tenants: Tenants) -> None:
    entry = await published_with_an_internal_phone(tenants)
    async with tenants.acting(COORDINATOR) as session:
        await session.execute(
            text(
                "UPDATE directory_service SET document = document || jsonb_build_object('internal_note', 'Hemlig')"
                " WHERE id = :id"
            ),
            {"id": entry.id},
        )
    try:
        async with tenants.acting(None) as session:
            document = await session.scalar(
                text("SELECT document::text FROM directory_public_service WHERE id = :id"), {"id": entry.id}
            )
    finally:
        async with tenants.acting(COORDINATOR) as session:
            await session.execute(
                text("UPDATE directory_service SET document = document - 'internal_note' WHERE id = :id"),
                {"id": entry.id},
            )
    assert document is not None
    assert "Hemlig" not in document


async def test_acting_for_a_tenant_professionals_read_the_whole_entry(tenants: Tenants) -> None:
    entry = await published_with_an_internal_phone(tenants)
    async with tenants.acting(MALMO) as session:
        whole = await published_service(session, entry.id, internal=True)
    assert whole.service.phones == entry.phones


async def test_the_runtime_role_cannot_change_the_public_views(tenants: Tenants) -> None:
    async with tenants.acting(None) as session:
        privileges = (
            await session.execute(
                text(
                    "SELECT privilege_type FROM information_schema.role_table_grants"
                    " WHERE grantee = current_user AND table_name IN ('directory_public_service',"
                    " 'directory_public_organization')"
                )
            )
        ).scalars()
        assert set(privileges) == {"SELECT"}

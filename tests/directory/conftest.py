"""Directory fixtures: entry builders, tenants by slug, sessions acting for a tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.directory.catalogue.entry import Area, OrganizationEntry, Phone, ServiceEntry
from avhopp.directory.catalogue.vocabulary import AreaKind, Intervention, OperationType
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.idp import ensure_identity_provider
from tests.platform.auth.conftest import BASE_URL, product_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

__all__ = ["product_settings"]

COORDINATOR, GOTEBORG, MALMO, KC = "bra", "kommun-1480", "kommun-1280", "kc-goteborg"


@dataclass(frozen=True)
class Tenants:
    """Tenant ids by slug, and sessions acting for one of them."""

    ids: dict[str, uuid.UUID]
    sessions: async_sessionmaker[AsyncSession]

    def acting(self, slug: str | None, user_id: uuid.UUID | None = None) -> AbstractAsyncContextManager[AsyncSession]:
        tenant_id = None if slug is None else self.ids[slug]
        return context_session(self.sessions, RequestContext(tenant_id=tenant_id, user_id=user_id))


@pytest.fixture(scope="session")
def tenants(owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]) -> Tenants:
    with owner_engine.connect() as connection:
        ids = {row.slug: row.id for row in connection.execute(text("SELECT slug, id FROM tenant"))}
    return Tenants(ids, sessions)


def organization(**overrides: Any) -> OrganizationEntry:
    """A valid organisation entry with a fresh id."""
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "name": f"Testverksamheten {uuid.uuid4().hex[:6]}",
        "description": "Stöd till den som vill lämna en kriminell grupp.",
        "operation_type": OperationType.NON_AUTHORITY,
    }
    return OrganizationEntry(**(fields | overrides))


def service(owner: OrganizationEntry, **overrides: Any) -> ServiceEntry:
    """A valid service entry of `owner` with a fresh id: the whole country, guidance and contact person."""
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "organization_id": owner.id,
        "name": f"Stödtjänst {uuid.uuid4().hex[:6]}",
        "description": "Samtalsstöd och en kontaktperson för den som vill bryta med kriminaliteten.",
        "catchment": (Area(AreaKind.COUNTRY),),
        "interventions": (Intervention.GUIDANCE, Intervention.CONTACT_PERSON),
        "phones": (Phone(id=uuid.uuid4(), number="031-123456", description="Mottagningen"),),
    }
    return ServiceEntry(**(fields | overrides))


def changed(entry: ServiceEntry, **fields: Any) -> ServiceEntry:
    """A copy of an entry with some fields changed."""
    return msgspec.structs.replace(entry, **fields)


@pytest.fixture
async def api(
    product_settings: Settings, database: TestDatabase, owner_engine: Engine
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of the whole app, for the public API."""
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, product_settings, [])
    async with AsyncTestClient(build_app(product_settings, database.app_url), base_url=BASE_URL) as client:
        yield client

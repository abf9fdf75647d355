"""Shared fixtures: one migrated database per test session, engines for both roles."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from avhopp.authorization import complete_registry
from avhopp.platform.database import create_app_engine, create_owner_engine, session_factory
from avhopp.platform.geography.load import load_geography
from avhopp.platform.migrate import migrate
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants
from tests.support.postgres import TestDatabase, create_database, drop_database, server_admin_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


# Tests use the policy loader, the grant checks and the roles table without building the app.
complete_registry()


@pytest.fixture(scope="session")
def admin_url() -> Iterator[URL]:
    """A role that may create databases, on the server under test.

    The embedded server's folder lives outside pytest's temporary folders, which a
    concurrent pytest session may delete from under it.
    """
    folder = Path(tempfile.mkdtemp(prefix="avhopp-test-postgres-"))
    try:
        with server_admin_url(folder) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database(admin_url: URL) -> Iterator[TestDatabase]:
    """The session's database at head, with geography and all tenants loaded."""
    db = create_database(admin_url)
    migrate(db.owner_url, db.app_url)
    engine = create_owner_engine(db.owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
    engine.dispose()
    yield db
    drop_database(admin_url, db)


@pytest.fixture(scope="session")
def owner_engine(database: TestDatabase) -> Iterator[Engine]:
    """Sync engine as the schema owner (for setting up and inspecting, not for app code)."""
    engine = create_owner_engine(database.owner_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(database: TestDatabase) -> AsyncIterator[AsyncEngine]:
    """Async engine as the runtime role, the one row-level security binds."""
    engine = create_app_engine(database.app_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(app_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The runtime session factory, publishing the request context per transaction."""
    return session_factory(app_engine)

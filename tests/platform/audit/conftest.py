"""A database of the audit tests' own, for tampering without breaking the other tests' chains."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import create_app_engine, create_owner_engine, session_factory
from avhopp.platform.migrate import migrate
from tests.platform.web.conftest import SECRET_KEY
from tests.support.postgres import TestDatabase, create_database, drop_database

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@pytest.fixture
def own_database(admin_url: URL) -> Iterator[TestDatabase]:
    """An empty database at head, dropped after the test."""
    db = create_database(admin_url, prefix="avhopp_audit")
    migrate(db.owner_url, db.app_url)
    yield db
    drop_database(admin_url, db)


@pytest.fixture
def own_owner(own_database: TestDatabase) -> Iterator[Engine]:
    """The owner's engine on the test's own database."""
    engine = create_owner_engine(own_database.owner_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def own_sessions(own_database: TestDatabase) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Runtime sessions on the test's own database."""
    engine = create_app_engine(own_database.app_url, pool_size=2)
    yield session_factory(engine, audit_key=chain_key(SECRET_KEY))
    await engine.dispose()

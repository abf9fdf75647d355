"""A PostgreSQL for the tests: the server in DATABASE_URL, or an embedded one (pgserver).

Each test session gets a database of its own, migrated to head by the real migrations and
used through the real runtime role, so that row-level security is what the tests see.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from avhopp.platform.database import app_url_for, create_owner_engine
from avhopp.platform.geography.load import load_geography
from avhopp.platform.migrate import migrate
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class TestDatabase:
    """A fresh database: the owner's URL and the runtime role's URL."""

    owner_url: URL
    app_url: URL


@contextmanager
def server_admin_url(folder: Path) -> Iterator[URL]:
    """An administrative connection: DATABASE_URL if set, else a new embedded server in `folder`."""
    raw = os.environ.get("DATABASE_URL")
    if raw:
        yield make_url(raw).set(drivername="postgresql+psycopg")
        return
    import pgserver  # noqa: PLC0415 - only without a server

    server = pgserver.get_server(folder / "pgdata", cleanup_mode="delete")  # type: ignore[attr-defined]
    try:
        yield make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    finally:
        server.cleanup()


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(admin_url: URL, prefix: str = "avhopp_test") -> TestDatabase:
    """Create an empty database owned by the admin's role."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    owner_url = admin_url.set(database=name)
    return TestDatabase(owner_url=owner_url, app_url=app_url_for(owner_url, None))


def prepare_database(database: TestDatabase) -> TestDatabase:
    """Migrate an empty database to head and load the geography and every tenant, as production's Job does."""
    migrate(database.owner_url, database.app_url)
    engine = create_owner_engine(database.owner_url)
    try:
        with engine.begin() as connection:
            load_geography(connection)
            provision_tenants(connection, geographic_tenants() + demo_tenants())
    finally:
        engine.dispose()
    return database


def drop_database(admin_url: URL, database: TestDatabase) -> None:
    """Drop a test database, closing whatever still uses it."""
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(database.owner_url.database)))
        )

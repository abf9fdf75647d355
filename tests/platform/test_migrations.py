"""The schema comes from the migrations alone, and they go both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from avhopp.all_models import Base
from avhopp.platform.database import create_owner_engine
from avhopp.platform.migrate import current_revision, downgrade, migrate
from tests.support.postgres import create_database, drop_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from tests.support.postgres import TestDatabase


@pytest.fixture
def empty_database(admin_url: URL) -> Iterator[TestDatabase]:
    db = create_database(admin_url, prefix="avhopp_migrations")
    yield db
    drop_database(admin_url, db)


def public_tables(url: URL) -> set[str]:
    engine = create_owner_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_to_head_then_back_to_base_and_up_again(empty_database: TestDatabase) -> None:
    db = empty_database
    assert public_tables(db.owner_url) == set()

    migrate(db.owner_url, db.app_url)
    assert public_tables(db.owner_url) == set(Base.metadata.tables)
    head = current_revision(db.owner_url)
    assert head is not None

    downgrade(db.owner_url, db.app_url, "base")
    assert public_tables(db.owner_url) == set()
    assert current_revision(db.owner_url) is None

    migrate(db.owner_url, db.app_url)
    assert current_revision(db.owner_url) == head


def test_models_and_migrations_agree(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []

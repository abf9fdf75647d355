"""A migration's round-trip test: the policies, indexes and functions (read as the owner) across it and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from avhopp.platform.migrate import downgrade, migrate

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

POLICIES = (
    "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
    " WHERE schemaname = 'public' ORDER BY tablename, policyname"
)
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"


Catalogue = dict[str, list[tuple[Any, ...]]]


def catalogue(db: TestDatabase, *queries: str) -> Catalogue:
    """Each query's rows, by query."""
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.connect() as connection:
            return {query: [tuple(row) for row in connection.execute(text(query))] for query in queries}
    finally:
        engine.dispose()


def across(db: TestDatabase, revision: str, *queries: str) -> tuple[Catalogue, Catalogue]:
    """The catalogue just before `revision` and just after it; the database is left at `revision`."""
    migrate(db.owner_url, db.app_url, f"{revision}-1")
    before = catalogue(db, *queries)
    migrate(db.owner_url, db.app_url, revision)
    return before, catalogue(db, *queries)


def assert_round_trip(db: TestDatabase, revision: str, before: Catalogue, after: Catalogue) -> None:
    """Downgrading from `revision` gives back `before` exactly, and upgrading again `after`."""
    downgrade(db.owner_url, db.app_url, f"{revision}-1")
    assert catalogue(db, *before) == before
    migrate(db.owner_url, db.app_url, revision)
    assert catalogue(db, *after) == after

"""What a migration's round-trip test compares: the policies, indexes and functions, read as the owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.platform.database import create_owner_engine

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

POLICIES = (
    "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
    " WHERE schemaname = 'public' ORDER BY tablename, policyname"
)
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"


def catalogue(db: TestDatabase, *queries: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each query's rows, by query."""
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.connect() as connection:
            return {query: [tuple(row) for row in connection.execute(text(query))] for query in queries}
    finally:
        engine.dispose()

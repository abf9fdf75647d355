"""Migration 0050 widens ix_case_grant_live to cover the grant array; its downgrade gives back the index as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from avhopp.platform.migrate import downgrade, migrate
from tests.support.postgres import create_database, drop_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import URL

    from tests.support.postgres import TestDatabase

COVERED = "0050"
_INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
_POLICIES = (
    "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
    " WHERE schemaname = 'public' ORDER BY tablename, policyname"
)


@pytest.fixture
def empty_database(admin_url: URL) -> Iterator[TestDatabase]:
    db = create_database(admin_url, prefix="avhopp_grant_array")
    yield db
    drop_database(admin_url, db)


def _catalogue(db: TestDatabase) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.connect() as connection:
            return {query: [tuple(row) for row in connection.execute(text(query))] for query in (_INDEXES, _POLICIES)}
    finally:
        engine.dispose()


def test_the_live_grants_index_covers_the_grant_array_and_its_downgrade_restores_it(
    empty_database: TestDatabase,
) -> None:
    db = empty_database
    migrate(db.owner_url, db.app_url, f"{COVERED}-1")
    before = _catalogue(db)
    migrate(db.owner_url, db.app_url, COVERED)
    after = _catalogue(db)
    live = dict(after[_INDEXES])["ix_case_grant_live"]
    assert live.endswith(
        "(tenant_id, valid_until) INCLUDE (valid_from, case_id, owner_tenant_id) WHERE (revoked_at IS NULL)"
    )
    # Only that index changed, and no policy: who may read which row stays the same.
    assert [row for row in after[_INDEXES] if row not in before[_INDEXES]] == [("ix_case_grant_live", live)]
    assert after[_POLICIES] == before[_POLICIES]

    downgrade(db.owner_url, db.app_url, f"{COVERED}-1")
    assert _catalogue(db) == before
    migrate(db.owner_url, db.app_url, COVERED)
    assert _catalogue(db) == after

"""Migration 0048 rewrites policies from their catalogue text; its downgrade gives back 0047's exactly."""

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

SARGABLE = "0048"
_POLICIES = (
    "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
    " WHERE schemaname = 'public' ORDER BY tablename, policyname"
)
_INDEXES = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexdef"
_SETS = (
    "SELECT pg_get_functiondef(oid), proacl::text FROM pg_proc"
    " WHERE proname IN ('network_member_spaces', 'network_guest_meetings') ORDER BY proname"
)


@pytest.fixture
def empty_database(admin_url: URL) -> Iterator[TestDatabase]:
    db = create_database(admin_url, prefix="avhopp_rls_sargable")
    yield db
    drop_database(admin_url, db)


def _catalogue(db: TestDatabase) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.connect() as connection:
            return {
                query: [tuple(row) for row in connection.execute(text(query))] for query in (_POLICIES, _INDEXES, _SETS)
            }
    finally:
        engine.dispose()


def test_the_rewrite_reads_sets_once_as_arrays_and_its_downgrade_restores_0047(empty_database: TestDatabase) -> None:
    db = empty_database
    migrate(db.owner_url, db.app_url, f"{SARGABLE}-1")
    before = _catalogue(db)
    migrate(db.owner_url, db.app_url, SARGABLE)
    after = _catalogue(db)
    policies = "\n".join(str(row) for row in after[_POLICIES])
    # No case set is tested row by row any more, and no grant is looked up per row.
    assert "AS case_once" in policies
    assert " IN ( SELECT t.case_id AS case_once" not in policies
    assert " IN ( SELECT e.case_id AS case_once" not in policies
    assert "g.case_id = case_file.id" not in policies
    assert "AS grant_any" in policies
    assert "AS board_any" in policies
    assert "AS stat_any" in policies
    assert all("LANGUAGE plpgsql" in definition for definition, _ in after[_SETS])

    downgrade(db.owner_url, db.app_url, f"{SARGABLE}-1")
    assert _catalogue(db) == before
    migrate(db.owner_url, db.app_url, SARGABLE)
    assert _catalogue(db) == after

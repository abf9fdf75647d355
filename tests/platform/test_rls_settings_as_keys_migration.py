"""Migration 0049 turns tests of the settings alone into index keys; its downgrade gives back 0048's exactly."""

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

SETTINGS_AS_KEYS = "0049"
_POLICIES = (
    "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies"
    " WHERE schemaname = 'public' ORDER BY tablename, policyname"
)
_INDEXES = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexdef"


@pytest.fixture
def empty_database(admin_url: URL) -> Iterator[TestDatabase]:
    db = create_database(admin_url, prefix="avhopp_rls_keys")
    yield db
    drop_database(admin_url, db)


def _catalogue(db: TestDatabase) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.connect() as connection:
            return {query: [tuple(row) for row in connection.execute(text(query))] for query in (_POLICIES, _INDEXES)}
    finally:
        engine.dispose()


def test_the_settings_become_index_keys_and_the_downgrade_restores_0048(empty_database: TestDatabase) -> None:
    db = empty_database
    migrate(db.owner_url, db.app_url, f"{SETTINGS_AS_KEYS}-1")
    before = _catalogue(db)
    migrate(db.owner_url, db.app_url, SETTINGS_AS_KEYS)
    after = _catalogue(db)
    policies = {(row[0], row[1]): row for row in after[_POLICIES]}
    for name in ("job_outbox_relay_select", "job_outbox_relay_update", "job_outbox_relay_delete"):
        assert "(id >= ( SELECT" in policies["job_outbox", name][5]
    tally = policies["followup_stat_tally", "followup_stat_tally_job"]
    assert "AS job_tenant" in tally[5]
    assert tally[5] == tally[6]
    # Nothing else changed.
    assert len(before[_POLICIES]) == len(after[_POLICIES])
    assert sum(row != policies[row[0], row[1]] for row in before[_POLICIES]) == 4

    downgrade(db.owner_url, db.app_url, f"{SETTINGS_AS_KEYS}-1")
    assert _catalogue(db) == before
    migrate(db.owner_url, db.app_url, SETTINGS_AS_KEYS)
    assert _catalogue(db) == after

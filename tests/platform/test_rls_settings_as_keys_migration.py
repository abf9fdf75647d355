"""Migration 0049 turns tests of the settings alone into index keys; its downgrade gives back 0048's exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.migrate import downgrade, migrate
from tests.support.catalogue import INDEXES, POLICIES, catalogue

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

SETTINGS_AS_KEYS = "0049"


def test_the_settings_become_index_keys_and_the_downgrade_restores_0048(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    migrate(db.owner_url, db.app_url, f"{SETTINGS_AS_KEYS}-1")
    before = catalogue(db, POLICIES, INDEXES)
    migrate(db.owner_url, db.app_url, SETTINGS_AS_KEYS)
    after = catalogue(db, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    for name in ("job_outbox_relay_select", "job_outbox_relay_update", "job_outbox_relay_delete"):
        assert "(id >= ( SELECT" in policies["job_outbox", name][5]
    tally = policies["followup_stat_tally", "followup_stat_tally_job"]
    assert "AS job_tenant" in tally[5]
    assert tally[5] == tally[6]
    # Nothing else changed.
    assert len(before[POLICIES]) == len(after[POLICIES])
    assert sum(row != policies[row[0], row[1]] for row in before[POLICIES]) == 4

    downgrade(db.owner_url, db.app_url, f"{SETTINGS_AS_KEYS}-1")
    assert catalogue(db, POLICIES, INDEXES) == before
    migrate(db.owner_url, db.app_url, SETTINGS_AS_KEYS)
    assert catalogue(db, POLICIES, INDEXES) == after

"""Migration 0049 turns tests of the settings alone into index keys; its downgrade gives back 0048's exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

SETTINGS_AS_KEYS = "0049"


def test_the_settings_become_index_keys_and_the_downgrade_restores_0048(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    before, after = across(db, SETTINGS_AS_KEYS, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    for name in ("job_outbox_relay_select", "job_outbox_relay_update", "job_outbox_relay_delete"):
        assert "(id >= ( SELECT" in policies["job_outbox", name][5]
    tally = policies["followup_stat_tally", "followup_stat_tally_job"]
    assert "AS job_tenant" in tally[5]
    assert tally[5] == tally[6]
    # Nothing else changed.
    assert len(before[POLICIES]) == len(after[POLICIES])
    assert sum(row != policies[row[0], row[1]] for row in before[POLICIES]) == 4

    assert_round_trip(db, SETTINGS_AS_KEYS, before, after)

"""Migration 0050 widens ix_case_grant_live to cover the grant array; its downgrade gives back the index as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

COVERED = "0050"


def test_the_live_grants_index_covers_the_grant_array_and_its_downgrade_restores_it(
    unmigrated_database: TestDatabase,
) -> None:
    db = unmigrated_database
    before, after = across(db, COVERED, INDEXES, POLICIES)
    indexes: dict[str, str] = dict(after[INDEXES])
    live = indexes["ix_case_grant_live"]
    assert live.endswith(
        "(tenant_id, valid_until) INCLUDE (valid_from, case_id, owner_tenant_id) WHERE (revoked_at IS NULL)"
    )
    # Only that index changed, and no policy: who may read which row stays the same.
    assert [row for row in after[INDEXES] if row not in before[INDEXES]] == [("ix_case_grant_live", live)]
    assert after[POLICIES] == before[POLICIES]

    assert_round_trip(db, COVERED, before, after)

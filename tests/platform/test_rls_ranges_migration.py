"""Migration 0051: "my tenant, or every tenant" as a range, a member's spaces as an array; downgrade gives 0050."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

RANGES = "0051"
_CHANGED = {
    ("followup_stat_case", "followup_stat_case_1"),
    ("followup_stat_point", "followup_stat_point_1"),
    ("directory_revision", "tenant_or_coordinator"),
    ("network_space", "network_space_1"),
}


def test_the_sets_become_ranges_and_arrays_and_the_downgrade_restores_0050(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    before, after = across(db, RANGES, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    for table, name in _CHANGED - {("network_space", "network_space_1")}:
        using = policies[table, name][5]
        assert "(tenant_id >= ( SELECT" in using, name
        assert "(tenant_id <= ( SELECT" in using, name
        assert "ARRAY" not in using, name
    revisions = policies["directory_revision", "tenant_or_coordinator"]
    assert revisions[5] == revisions[6]
    spaces = policies["network_space", "network_space_1"][5]
    assert "AS member_any" in spaces
    assert " IN ( SELECT" not in spaces
    # Nothing else changed.
    assert {(row[0], row[1]) for row in before[POLICIES]} == set(policies)
    assert {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]} == _CHANGED
    assert before[INDEXES] == after[INDEXES]

    assert_round_trip(db, RANGES, before, after)

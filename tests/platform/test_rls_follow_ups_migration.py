"""Migration 0054: follow-ups are the tenant's or a grant's, from an index with the tenant; downgrade gives 0053."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

FOLLOW_UPS = "0054"


def test_the_follow_ups_policy_drops_the_branches_the_tenant_covers(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    before, after = across(db, FOLLOW_UPS, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    using = policies["case_follow_up", "case_follow_up_1"][5]
    assert "case_emergency_access" not in using
    assert using.count("case_team") == 1
    assert "'follow_up'::text = ANY (g.categories)" in using
    assert {(row[0], row[1]) for row in before[POLICIES]} == set(policies)
    changed = {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]}
    assert changed == {("case_follow_up", "case_follow_up_1")}
    indexes: dict[str, str] = dict(after[INDEXES])
    assert "(case_id, due_on) INCLUDE (tenant_id) WHERE (done_at IS NULL)" in indexes["ix_case_follow_up_open"]
    assert set(indexes) == set(dict(before[INDEXES]))

    assert_round_trip(db, FOLLOW_UPS, before, after)

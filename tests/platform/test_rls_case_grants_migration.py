"""Migration 0055: a case's grant is asked of the row's case, after the team; downgrade gives 0054."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

GRANT_PER_ROW = "0055"
SHARED_BY_CATEGORY = {
    "case_person": "identity",
    "case_meeting": "action_plan",
    "case_intervention": "action_plan",
    "case_threat_assessment": "threat_assessment",
    "case_follow_up": "follow_up",
}


def test_the_grant_is_asked_of_the_rows_case_not_of_every_team_case(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    before, after = across(db, GRANT_PER_ROW, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    for table, category in SHARED_BY_CATEGORY.items():
        using = policies[table, f"{table}_1"][5]
        assert f"(g.case_id = {table}.case_id)" in using
        assert "g.case_id = t.case_id" not in using
        assert f"'{category}'::text = ANY (g.categories)" in using
        assert using.count("FROM case_team t") == 1
    assert {(row[0], row[1]) for row in before[POLICIES]} == set(policies)
    changed = {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]}
    assert changed == {(table, f"{table}_1") for table in SHARED_BY_CATEGORY}
    assert after[INDEXES] == before[INDEXES]

    assert_round_trip(db, GRANT_PER_ROW, before, after)

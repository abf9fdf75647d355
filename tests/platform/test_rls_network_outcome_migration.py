"""Migration 0053: outcomes' published test as an IN after the space, the responder's index; downgrade gives 0052."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

OUTCOMES = "0053"


def test_the_outcomes_policy_reads_published_meetings_once_and_responses_get_their_index(
    unmigrated_database: TestDatabase,
) -> None:
    db = unmigrated_database
    before, after = across(db, OUTCOMES, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    using = policies["network_outcome", "network_outcome_1"][5]
    assert "EXISTS" not in using
    # The member's space is tested before the minutes are read.
    assert using.index("network_member_spaces") < using.index("network_minutes")
    assert "meeting_id IN ( SELECT n.meeting_id" in using
    # Nothing else changed among the policies; one index more.
    assert {(row[0], row[1]) for row in before[POLICIES]} == set(policies)
    changed = {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]}
    assert changed == {("network_outcome", "network_outcome_1")}
    added = set(after[INDEXES]) - set(before[INDEXES])
    assert [name for name, _definition in added] == ["ix_network_response_responder"]
    assert "(responder_tenant_id, user_id)" in next(definition for _name, definition in added)
    assert set(before[INDEXES]) <= set(after[INDEXES])

    assert_round_trip(db, OUTCOMES, before, after)

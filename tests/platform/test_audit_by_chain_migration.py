"""Migration 0052 reads the audit trail by its chain; its downgrade gives back 0051's policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

BY_CHAIN = "0052"


def test_the_trail_is_read_by_its_chain_and_the_downgrade_restores_0051(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    before, after = across(db, BY_CHAIN, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    read = policies["audit_event", "audit_read"][5]
    assert read.startswith("(chain = ( SELECT")
    assert " OR " not in read
    changed = {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]}
    assert changed == {("audit_event", "audit_read")}
    assert before[INDEXES] == after[INDEXES]

    assert_round_trip(db, BY_CHAIN, before, after)

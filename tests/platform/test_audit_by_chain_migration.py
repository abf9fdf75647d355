"""Migration 0052 reads the audit trail by its chain; its downgrade gives back 0051's policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.migrate import downgrade, migrate
from tests.support.catalogue import INDEXES, POLICIES, catalogue

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

BY_CHAIN = "0052"


def test_the_trail_is_read_by_its_chain_and_the_downgrade_restores_0051(unmigrated_database: TestDatabase) -> None:
    db = unmigrated_database
    migrate(db.owner_url, db.app_url, f"{BY_CHAIN}-1")
    before = catalogue(db, POLICIES, INDEXES)
    migrate(db.owner_url, db.app_url, BY_CHAIN)
    after = catalogue(db, POLICIES, INDEXES)
    policies = {(row[0], row[1]): row for row in after[POLICIES]}
    read = policies["audit_event", "audit_read"][5]
    assert read.startswith("(chain = ( SELECT")
    assert " OR " not in read
    changed = {(row[0], row[1]) for row in before[POLICIES] if row != policies[row[0], row[1]]}
    assert changed == {("audit_event", "audit_read")}
    assert before[INDEXES] == after[INDEXES]

    downgrade(db.owner_url, db.app_url, f"{BY_CHAIN}-1")
    assert catalogue(db, POLICIES, INDEXES) == before
    migrate(db.owner_url, db.app_url, BY_CHAIN)
    assert catalogue(db, POLICIES, INDEXES) == after

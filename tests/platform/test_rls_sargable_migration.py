"""Migration 0048 rewrites policies from their catalogue text; its downgrade gives back 0047's exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.migrate import downgrade, migrate
from tests.support.catalogue import INDEXES, POLICIES, catalogue

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

SARGABLE = "0048"
_SETS = (
    "SELECT pg_get_functiondef(oid), proacl::text FROM pg_proc"
    " WHERE proname IN ('network_member_spaces', 'network_guest_meetings') ORDER BY proname"
)


def test_the_rewrite_reads_sets_once_as_arrays_and_its_downgrade_restores_0047(
    unmigrated_database: TestDatabase,
) -> None:
    db = unmigrated_database
    migrate(db.owner_url, db.app_url, f"{SARGABLE}-1")
    before = catalogue(db, POLICIES, INDEXES, _SETS)
    migrate(db.owner_url, db.app_url, SARGABLE)
    after = catalogue(db, POLICIES, INDEXES, _SETS)
    policies = "\n".join(str(row) for row in after[POLICIES])
    # No case set is tested row by row any more, and no grant is looked up per row.
    assert "AS case_once" in policies
    assert " IN ( SELECT t.case_id AS case_once" not in policies
    assert " IN ( SELECT e.case_id AS case_once" not in policies
    assert "g.case_id = case_file.id" not in policies
    assert "AS grant_any" in policies
    assert "AS board_any" in policies
    assert "AS stat_any" in policies
    assert all("LANGUAGE plpgsql" in definition for definition, _ in after[_SETS])

    downgrade(db.owner_url, db.app_url, f"{SARGABLE}-1")
    assert catalogue(db, POLICIES, INDEXES, _SETS) == before
    migrate(db.owner_url, db.app_url, SARGABLE)
    assert catalogue(db, POLICIES, INDEXES, _SETS) == after

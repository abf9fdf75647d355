"""Migration 0048 rewrites policies from their catalogue text; its downgrade gives back 0047's exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.catalogue import INDEXES, POLICIES, across, assert_round_trip

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
    before, after = across(db, SARGABLE, POLICIES, INDEXES, _SETS)
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

    assert_round_trip(db, SARGABLE, before, after)

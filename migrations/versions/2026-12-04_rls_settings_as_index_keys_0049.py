"""Row-level security: a test of the settings alone becomes an index key, so it costs nothing per row.

PostgreSQL evaluates a WHERE condition that names no column of the row once, as a one-time filter,
but not a policy's: it keeps a policy's conditions at the table, so such a test runs on every row
the scan reads. The outbox's relay policies (`(SELECT current_setting('app.job_relay')) = 'on'`)
made every statement outside the relay read the whole primary key to return nothing (40,000 index
entries, 18 ms for a page), and the tally's job policy (its tenant, and no person) read all of the
tenant's rows before the person test threw them away. Both tests now choose the key a scan takes:

- the outbox: `id >= (SELECT CASE WHEN <the relay> THEN <the least uuid> END)`. The relay sees
  every row (a NOT NULL uuid is never below the least one), anyone else compares with NULL, which
  no row passes and which the primary key's scan answers without reading an entry;
- the tally: `tenant_id = (SELECT CASE WHEN <no person> THEN <the tenant> END)`: the tenant's rows
  when no person acts, NULL (no row) when one does, so the tenant index's scan is empty for a
  person. The test of no person stays beside it, redundant for the rows but not for the plan: the
  planner estimates a test of a setting at 0.5% of the rows, and without it took a page by key to
  be found within a few hundred rows of the primary key and read all 40,000 (4.5 ms on the benchmark's data) where
  the tenant index, sorted, reads none.

Who may read or write which row is unchanged: the relay's setting must still be exactly 'on', an
unset tenant still reads as NULL.

The downgrade restores the 0048 policies' text exactly.

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None

_RELAY_POLICIES = ("job_outbox_relay_select", "job_outbox_relay_update", "job_outbox_relay_delete")
_RELAY_BEFORE = "(SELECT current_setting('app.job_relay', true) AS app_setting) = 'on'"
# The least uuid (uuids compare as 16 unsigned bytes): every id is at or above it.
_RELAY = (
    "id >= (SELECT CASE WHEN current_setting('app.job_relay', true) = 'on'"
    " THEN '00000000-0000-0000-0000-000000000000'::uuid END AS relay_key)"
)

_NO_PERSON = "(SELECT NULLIF(current_setting('app.user_id', true), '') AS \"nullif\") IS NULL"
_TALLY_BEFORE = (
    f"(tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS \"nullif\")) AND ({_NO_PERSON})"
)
_TALLY = (
    "(tenant_id = (SELECT CASE WHEN NULLIF(current_setting('app.user_id', true), '') IS NULL"
    f" THEN NULLIF(current_setting('app.tenant_id', true), '')::uuid END AS job_tenant)) AND ({_NO_PERSON})"
)


def upgrade() -> None:
    """The relay's and the job's tests as index keys."""
    for name in _RELAY_POLICIES:
        op.execute(f"ALTER POLICY {name} ON job_outbox USING ({_RELAY})")
    op.execute(f"ALTER POLICY followup_stat_tally_job ON followup_stat_tally USING ({_TALLY}) WITH CHECK ({_TALLY})")


def downgrade() -> None:
    """The 0048 policies."""
    op.execute(
        f"ALTER POLICY followup_stat_tally_job ON followup_stat_tally USING ({_TALLY_BEFORE})"
        f" WITH CHECK ({_TALLY_BEFORE})"
    )
    for name in _RELAY_POLICIES:
        op.execute(f"ALTER POLICY {name} ON job_outbox USING ({_RELAY_BEFORE})")

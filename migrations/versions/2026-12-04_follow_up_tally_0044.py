"""The follow-up figures from a tally kept by the copy, so the national overview no longer counts every row.

`followup_statistics` (0031) counted 600,000 follow-ups' JSON answers on every request at national
scale (seconds). The daily copy is the only writer of the statistics, so the counts change only
when it runs: it keeps `followup_stat_tally` (a few hundred small rows per organisation) by
taking away what the cases it copies counted before and adding what they count now
(avhopp/tenants/cases/tally.py), and `followup_statistics` now sums those rows. Same signature,
same rows as before for any data: an open follow-up keeps its due month, so "missed" still
depends on the day asked. The tally starts empty and the copy marks are removed, so the next
daily copy copies and counts every organisation's cases again. Forced row-level security as for
the statistics (0024): only a job acting for the tenant writes or reads its rows; the function
reads them as the owner through a read-only policy.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-04
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

if TYPE_CHECKING:
    from types import ModuleType

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def _figures_revision() -> ModuleType:
    """Migration 0031, whose access rule this one keeps and whose function it restores on downgrade."""
    path = next(Path(__file__).parent.glob("*_0031.py"))
    spec = importlib.util.spec_from_file_location("avhopp_migration_0031", path)
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0031 = _figures_revision()
_NATIONAL_ANALYST: str = _0031._NATIONAL_ANALYST  # noqa: SLF001
_UNIT_HEAD: str = _0031._UNIT_HEAD  # noqa: SLF001
_JOB = (
    "(tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
    " AND (SELECT NULLIF(current_setting('app.user_id', true), '')) IS NULL)"
)
"""A job acting for the row's tenant, as in 0024: every request has someone signed in."""
_ACTING = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"

_SIGNATURE = "followup_statistics(uuid, date)"
_STATISTICS = f"""
CREATE OR REPLACE FUNCTION followup_statistics(only_tenant uuid, overdue_before date)
RETURNS TABLE (dimension text, first text, second text, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH allowed AS (
        SELECT ({_NATIONAL_ANALYST})
            OR (({_UNIT_HEAD}) AND (only_tenant IS NULL OR only_tenant = {_ACTING})) AS yes
    ), chosen AS (
        SELECT t.dimension, t.first, t.second, t.due_month, t.count FROM followup_stat_tally t
        WHERE (SELECT yes FROM allowed) AND (only_tenant IS NULL OR t.tenant_id = only_tenant)
    )
    SELECT c.dimension, c.first, c.second, sum(c.count)::bigint FROM chosen c
    WHERE c.second <> 'open' OR c.dimension <> 'completeness' GROUP BY 1, 2, 3
    UNION ALL
    SELECT 'completeness', c.first, 'missed', sum(c.count)::bigint FROM chosen c
    WHERE c.dimension = 'completeness' AND c.second = 'open' AND c.due_month < overdue_before GROUP BY 2
$$"""


def upgrade() -> None:
    op.create_table(
        "followup_stat_tally",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.Text(), nullable=False),
        sa.Column("first", sa.Text(), nullable=False),
        sa.Column("second", sa.Text(), nullable=False),
        sa.Column("due_month", sa.Date(), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("count <> 0", name=op.f("ck_followup_stat_tally_count_not_zero")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_followup_stat_tally_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_stat_tally")),
    )
    op.create_index("ix_followup_stat_tally_tenant", "followup_stat_tally", ["tenant_id"], unique=False)
    op.execute("ALTER TABLE followup_stat_tally ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE followup_stat_tally FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY followup_stat_tally_job ON followup_stat_tally USING ({_JOB}) WITH CHECK ({_JOB})")
    op.execute(
        "CREATE POLICY followup_stat_tally_figures ON followup_stat_tally FOR SELECT TO CURRENT_USER USING (true)"
    )
    grant_runtime("followup_stat_tally", "SELECT, INSERT, DELETE")
    op.execute(
        sql.SQL("GRANT USAGE ON SEQUENCE followup_stat_tally_id_seq TO {}")
        .format(sql.Identifier(runtime_role()))
        .as_string()
    )
    op.execute(_STATISTICS)
    # The tally starts empty: without marks, the next daily copy copies every organisation's cases again.
    op.execute("ALTER TABLE followup_stat_mark NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM followup_stat_mark")
    op.execute("ALTER TABLE followup_stat_mark FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    op.execute(_0031._FUNCTION)  # noqa: SLF001
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )
    op.drop_index("ix_followup_stat_tally_tenant", table_name="followup_stat_tally")
    op.drop_table("followup_stat_tally")

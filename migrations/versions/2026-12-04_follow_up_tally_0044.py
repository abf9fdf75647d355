"""The follow-up figures from a tally kept by the copy, so the national overview no longer counts every row.

`followup_statistics` (0031) counted 600,000 follow-ups' JSON answers on every request at national
scale (seconds). The daily copy is the only writer of the statistics, so the counts change only
when it runs: `followup_tally_refresh()` counts the acting tenant's statistics again into
`followup_stat_tally` (a few hundred small rows per organisation) at the end of each copy that
changed something, and `followup_statistics` now sums those rows. Same signature, same rows as
before for any data: an open follow-up keeps its due month, so "missed" still depends on the day
asked. Forced row-level security as for the statistics (0024): only a job acting for the tenant
writes or reads its rows; the function reads them as the owner through a read-only policy.

Revision ID: 0044
Revises: 0039
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
down_revision = "0039"
branch_labels = None
depends_on = None


def _figures_revision() -> ModuleType:
    """Migration 0031, whose grants and answer codes this one keeps and whose function it restores on downgrade."""
    path = next(Path(__file__).parent.glob("*_0031.py"))
    spec = importlib.util.spec_from_file_location("avhopp_migration_0031", path)
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0031 = _figures_revision()
_OUTCOMES: tuple[str, ...] = _0031._OUTCOMES  # noqa: SLF001
_NATIONAL_ANALYST: str = _0031._NATIONAL_ANALYST  # noqa: SLF001
_UNIT_HEAD: str = _0031._UNIT_HEAD  # noqa: SLF001
_CRIME = "answers ->> 'new_crime' IN ('suspected', 'convicted')"
_WHICH = " ".join(f"WHEN GROUPING(o.{code}) = 0 THEN '{code}'" for code in _OUTCOMES)
_JOB = (
    "(tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
    " AND (SELECT NULLIF(current_setting('app.user_id', true), '')) IS NULL)"
)
"""A job acting for the row's tenant, as in 0024: every request has someone signed in."""
_ACTING = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"

_REFRESH = f"""
CREATE FUNCTION followup_tally_refresh() RETURNS void
LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, public AS $$
    DELETE FROM followup_stat_tally WHERE tenant_id = {_ACTING};
    INSERT INTO followup_stat_tally (tenant_id, dimension, first, second, due_month, count)
    SELECT {_ACTING}, dimension, first, second, due_month, count FROM (
        SELECT 'started' AS dimension, year_started::text AS first, tenant_kind AS second,
            NULL::date AS due_month, count(*) AS count
        FROM followup_stat_case WHERE tenant_id = {_ACTING} GROUP BY 2, 3
        UNION ALL
        SELECT 'county', coalesce(county_code, ''), '', NULL, count(*)
        FROM followup_stat_case WHERE tenant_id = {_ACTING} GROUP BY 2
        UNION ALL
        SELECT 'need', n.need, '', NULL, count(*)
        FROM followup_stat_case, unnest(needs) AS n(need) WHERE tenant_id = {_ACTING} GROUP BY 2
        UNION ALL
        SELECT 'intervention', i.code, '', NULL, count(*)
        FROM followup_stat_case, unnest(interventions_received) AS i(code) WHERE tenant_id = {_ACTING} GROUP BY 2
        UNION ALL
        SELECT 'outcome:' || CASE {_WHICH} END, o.months_after::text,
            coalesce({", ".join(f"o.{code}" for code in _OUTCOMES)}), NULL, count(*)
        FROM (
            SELECT months_after, {", ".join(f"answers ->> '{code}' AS {code}" for code in _OUTCOMES)}
            FROM followup_stat_point WHERE done AND tenant_id = {_ACTING}
        ) o
        GROUP BY GROUPING SETS ({", ".join(f"(o.months_after, o.{code})" for code in _OUTCOMES)})
        HAVING coalesce({", ".join(f"o.{code}" for code in _OUTCOMES)}) IS NOT NULL
        UNION ALL
        SELECT 'completeness', coalesce(c.municipality_code, ''),
            CASE WHEN p.on_time THEN 'on_time' WHEN p.done THEN 'late' ELSE 'open' END,
            CASE WHEN p.done THEN NULL ELSE p.due_month END, count(*)
        FROM followup_stat_point p JOIN followup_stat_case c USING (pseudonym)
        WHERE p.tenant_id = {_ACTING} GROUP BY 2, 3, 4
        UNION ALL
        SELECT 'survival', s.at::text, s.kind, NULL, count(*) FROM (
            SELECT coalesce(min(months_after) FILTER (WHERE {_CRIME}),
                            max(months_after) FILTER (WHERE answers ->> 'new_crime' = 'none_known')) AS at,
                   CASE WHEN bool_or({_CRIME}) THEN 'event' ELSE 'censored' END AS kind
            FROM followup_stat_point WHERE done AND tenant_id = {_ACTING} GROUP BY pseudonym
        ) s WHERE s.at IS NOT NULL GROUP BY 2, 3
    ) counted;
$$"""
"""Runs as the job (invoker): row-level security lets it count and write its own tenant's rows only."""

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
        sa.CheckConstraint("count > 0", name=op.f("ck_followup_stat_tally_count_positive")),
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
    op.execute(_REFRESH)
    op.execute("REVOKE ALL ON FUNCTION followup_tally_refresh() FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION followup_tally_refresh() TO {}")
        .format(sql.Identifier(runtime_role()))
        .as_string()
    )
    op.execute(_STATISTICS)
    _tally_every_tenant()


def _tally_every_tenant() -> None:
    """The statistics already copied, counted once now; the owner acts for each tenant in turn, as its job."""
    bind = op.get_bind()
    tenants = bind.execute(sa.text("SELECT DISTINCT tenant_id FROM followup_stat_case")).scalars().all()
    for tenant_id in tenants:
        bind.execute(sa.text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
        bind.execute(sa.text("SELECT set_config('app.user_id', '', true)"))
        bind.execute(sa.text("SELECT followup_tally_refresh()"))
    bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    op.execute(_0031._FUNCTION)  # noqa: SLF001
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )
    op.execute("DROP FUNCTION followup_tally_refresh()")
    op.drop_index("ix_followup_stat_tally_tenant", table_name="followup_stat_tally")
    op.drop_table("followup_stat_tally")

"""National follow-up figures: counts from the statistics tables, never rows.

`followup_statistics(only_tenant, overdue_before)` runs as the owner and returns counts grouped
by dimension (cases started per year and kind, per county, needs, interventions received, the
answers of each follow-up point, completeness per municipality, and the time to the first known
new crime as events and censorings per point). Nobody but a job and the national analyst reads
the `followup_stat_*` rows (0024); this function gives counts, which the app publishes only
through disclosure control:

- to a national analyst of the national coordinator: every tenant's counts, or one tenant's;
- to a unit head of a case-keeping tenant: the national counts, and the counts of their own
  tenant (`only_tenant` their tenant); never another tenant's.

Anyone else gets no rows. The owner (the function runs as it) reads the statistics tables
through its own policy; the runtime role never gets that.

Revision ID: 0031
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid"
_HOLDS = (
    "EXISTS (SELECT 1 FROM membership m JOIN tenant t ON t.id = m.tenant_id WHERE m.tenant_id = {tenant}"
    " AND m.user_id = {user} AND '{role}' = ANY (m.roles) AND t.kind IN ({kinds}))"
)
_NATIONAL_ANALYST = _HOLDS.format(tenant=_TENANT, user=_USER, role="national_analyst", kinds="'national_coordinator'")
_UNIT_HEAD = _HOLDS.format(
    tenant=_TENANT, user=_USER, role="case_unit_head", kinds="'municipality', 'operation', 'other_authority'"
)
_OUTCOMES = ("housing", "occupation", "addiction", "contact_with_group", "new_crime")
_CRIME = "answers ->> 'new_crime' IN ('suspected', 'convicted')"
_MINE = "(SELECT yes FROM allowed) AND (only_tenant IS NULL OR tenant_id = only_tenant)"
_WHICH = " ".join(f"WHEN GROUPING(o.{code}) = 0 THEN '{code}'" for code in _OUTCOMES)

_SIGNATURE = "followup_statistics(uuid, date)"
_FUNCTION = f"""
CREATE FUNCTION followup_statistics(only_tenant uuid, overdue_before date)
RETURNS TABLE (dimension text, first text, second text, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH allowed AS (
        SELECT ({_NATIONAL_ANALYST})
            OR (({_UNIT_HEAD}) AND (only_tenant IS NULL OR only_tenant = {_TENANT})) AS yes
    )
    SELECT 'started', year_started::text, tenant_kind, count(*) FROM followup_stat_case WHERE {_MINE} GROUP BY 2, 3
    UNION ALL
    SELECT 'county', coalesce(county_code, ''), '', count(*) FROM followup_stat_case WHERE {_MINE} GROUP BY 2
    UNION ALL
    SELECT 'need', n.need, '', count(*) FROM followup_stat_case, unnest(needs) AS n(need) WHERE {_MINE} GROUP BY 2
    UNION ALL
    SELECT 'intervention', i.code, '', count(*)
    FROM followup_stat_case, unnest(interventions_received) AS i(code) WHERE {_MINE} GROUP BY 2
    UNION ALL
    SELECT 'outcome:' || CASE {_WHICH} END, o.months_after::text,
        coalesce({", ".join(f"o.{code}" for code in _OUTCOMES)}), count(*)
    FROM (
        SELECT months_after, {", ".join(f"answers ->> '{code}' AS {code}" for code in _OUTCOMES)}
        FROM followup_stat_point WHERE done AND {_MINE}
    ) o
    GROUP BY GROUPING SETS ({", ".join(f"(o.months_after, o.{code})" for code in _OUTCOMES)})
    HAVING coalesce({", ".join(f"o.{code}" for code in _OUTCOMES)}) IS NOT NULL
    UNION ALL
    SELECT 'completeness', coalesce(c.municipality_code, ''),
        CASE WHEN p.on_time THEN 'on_time' WHEN p.done THEN 'late' ELSE 'missed' END, count(*)
    FROM followup_stat_point p JOIN followup_stat_case c USING (pseudonym)
    WHERE (p.done OR p.due_month < overdue_before) AND (SELECT yes FROM allowed)
        AND (only_tenant IS NULL OR p.tenant_id = only_tenant)
    GROUP BY 2, 3
    UNION ALL
    SELECT 'survival', s.at::text, s.kind, count(*) FROM (
        SELECT coalesce(min(months_after) FILTER (WHERE {_CRIME}),
                        max(months_after) FILTER (WHERE answers ->> 'new_crime' = 'none_known')) AS at,
               CASE WHEN bool_or({_CRIME}) THEN 'event' ELSE 'censored' END AS kind
        FROM followup_stat_point WHERE done AND {_MINE} GROUP BY pseudonym
    ) s WHERE s.at IS NOT NULL GROUP BY 2, 3
$$"""
"""Counts only; `overdue_before` is the first due month whose open follow-ups are not yet missed."""

_GRANTS = (
    (
        "national_analyst",
        "follow_up_statistics",
        "read",
        "Se uppföljningens statistik nationellt och per organisation, med små tal dolda",
    ),
    (
        "case_unit_head",
        "follow_up_statistics",
        "read",
        "Se uppföljningens statistik för den egna organisationen bredvid hela landets",
    ),
)


def upgrade() -> None:
    for table in ("followup_stat_case", "followup_stat_point"):
        op.execute(f"CREATE POLICY {table}_figures ON {table} FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )
    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [{"role": role, "obj": obj, "act": act, "description": text} for role, obj, act, text in _GRANTS],
    )


def downgrade() -> None:
    for role, obj, act, _ in _GRANTS:
        op.execute(
            sa.text("DELETE FROM authz_role_permission WHERE role = :role AND obj = :obj AND act = :act").bindparams(
                role=role, obj=obj, act=act
            )
        )
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    for table in ("followup_stat_case", "followup_stat_point"):
        op.execute(f"DROP POLICY {table}_figures ON {table}")

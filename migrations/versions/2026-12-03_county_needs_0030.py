"""Needs in the county: the guidance line's and the follow-up statistics' counts for one county, never rows.

Two functions (SECURITY DEFINER, run as the owner) return counts only, for a county space's page:
`line_county_statistics(line, county, since)` counts one line's contacts that concerned the county
(acting for the line inside itself, as `line_statistics` of 0012 does, so the line's row-level
security still decides what it counts); `followup_county_statistics(county)` counts the cases that
organisations of the county report to the follow-up statistics (0024), by need, intervention
received and phase. The follow-up statistics tables stay readable to the national analyst alone:
the owner is given a read-only policy on `followup_stat_case` that only these functions use, as 0024
did for the action plan. Small counts are hidden by the application's disclosure control.

Revision ID: 0030
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_FUNCTIONS = {
    "line_county_statistics(uuid, text, timestamptz)": """
CREATE FUNCTION line_county_statistics(line uuid, county text, since timestamptz)
RETURNS TABLE (dimension text, value text, count bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
BEGIN
    PERFORM set_config('app.tenant_id', line::text, true);
    RETURN QUERY
        SELECT 'contacts', '', count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.county_code = county AND c.started_at >= since
        UNION ALL
        SELECT 'need', n.need, count(*)
        FROM line_contact c, unnest(c.needs) AS n(need)
        WHERE c.tenant_id = line AND c.county_code = county AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'outcome', o.outcome, count(*)
        FROM line_contact c, unnest(c.outcomes) AS o(outcome)
        WHERE c.tenant_id = line AND c.county_code = county AND c.started_at >= since GROUP BY 2;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$""",
    "followup_county_statistics(text)": """
CREATE FUNCTION followup_county_statistics(county text)
RETURNS TABLE (dimension text, value text, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT 'phase', s.phase, count(*)
    FROM followup_stat_case s WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2
    UNION ALL
    SELECT 'need', n.need, count(*)
    FROM followup_stat_case s, unnest(s.needs) AS n(need)
    WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2
    UNION ALL
    SELECT 'intervention', i.intervention, count(*)
    FROM followup_stat_case s, unnest(s.interventions_received) AS i(intervention)
    WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2
$$""",
}


def upgrade() -> None:
    # The owner (the function runs as it) reads the statistics' cases; the runtime role never gets this.
    op.execute(
        "CREATE POLICY followup_stat_case_county_feed ON followup_stat_case FOR SELECT TO CURRENT_USER USING (true)"
    )
    for signature, body in _FUNCTIONS.items():
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
            .format(sql.SQL(signature), sql.Identifier(runtime_role()))
            .as_string()
        )


def downgrade() -> None:
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    op.execute("DROP POLICY followup_stat_case_county_feed ON followup_stat_case")

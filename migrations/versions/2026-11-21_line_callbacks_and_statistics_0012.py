"""The guidance line: callbacks with sealed numbers, the line's settings, statistics as aggregates only.

`line_statistics(line, since)` runs as the owner and returns counts for one line, never rows:
the national coordinator sees every line's figures (small ones suppressed by the app) without
any transaction of theirs reading a contact. It acts for the line inside itself, so row-level
security still applies to what it counts.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role, tenant_scoped_table

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_STATISTICS = """
CREATE FUNCTION line_statistics(line uuid, since timestamptz)
RETURNS TABLE (dimension text, value text, count bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
BEGIN
    PERFORM set_config('app.tenant_id', line::text, true);
    RETURN QUERY
        SELECT 'day', to_char(c.started_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD'), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'week', to_char(c.started_at AT TIME ZONE 'Europe/Stockholm', 'IYYY-"v"IW'), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'caller_type', c.caller_type, count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'county', coalesce(c.county_code, ''), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'need', n.need, count(*)
        FROM line_contact c, unnest(c.needs) AS n(need) WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'outcome', o.outcome, count(*)
        FROM line_contact c, unnest(c.outcomes) AS o(outcome)
        WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'referral', r.status, count(*)
        FROM line_referral r WHERE r.tenant_id = line AND r.sent_at >= since GROUP BY 2
        UNION ALL
        SELECT 'callback_hours',
            CASE WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 3600 THEN 'under_1'
                 WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 4 * 3600 THEN '1_to_4'
                 WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 24 * 3600 THEN '4_to_24'
                 ELSE 'over_24' END,
            count(*)
        FROM line_callback b
        WHERE b.tenant_id = line AND b.created_at >= since AND b.first_reached_at IS NOT NULL GROUP BY 2;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "line_callback",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("phone_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name="ck_line_callback_status_known"),
        sa.CheckConstraint("window_end > window_start", name="ck_line_callback_window_forward"),
        sa.CheckConstraint(
            "status = 'open' OR phone_sealed IS NULL", name="ck_line_callback_number_erased_when_closed"
        ),
        sa.CheckConstraint(
            "NOT contains_personal_identity_number(note)", name="ck_line_callback_note_without_personal_numbers"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_line_callback_tenant_id_tenant"),
        sa.ForeignKeyConstraint(["contact_id"], ["line_contact.id"], name="fk_line_callback_contact_id_line_contact"),
        sa.PrimaryKeyConstraint("id", name="pk_line_callback"),
    )
    op.create_index("ix_line_callback_queue", "line_callback", ["tenant_id", "status", "window_start"])
    tenant_scoped_table("line_callback")
    grant_runtime("line_callback", "SELECT, INSERT, UPDATE")

    op.create_table(
        "line_callback_attempt",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("callback_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('reached', 'no_answer', 'not_safe', 'wrong_number')",
            name="ck_line_callback_attempt_outcome_known",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_line_callback_attempt_tenant_id_tenant"),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["line_callback.id"], name="fk_line_callback_attempt_callback_id_line_callback"
        ),
        sa.ForeignKeyConstraint(["operator_id"], ["app_user.id"], name="fk_line_callback_attempt_operator_id_app_user"),
        sa.PrimaryKeyConstraint("id", name="pk_line_callback_attempt"),
    )
    op.create_index("ix_line_callback_attempt_callback_id", "line_callback_attempt", ["callback_id"])
    tenant_scoped_table("line_callback_attempt")
    grant_runtime("line_callback_attempt", "SELECT, INSERT")

    op.create_table(
        "line_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("note_retention_days", sa.SmallInteger(), server_default=sa.text("30"), nullable=False),
        sa.CheckConstraint("note_retention_days BETWEEN 1 AND 365", name="ck_line_settings_retention_in_range"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_line_settings_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_line_settings"),
    )
    tenant_scoped_table("line_settings")
    grant_runtime("line_settings", "SELECT, INSERT, UPDATE")

    op.execute(_STATISTICS)
    op.execute("REVOKE ALL ON FUNCTION line_statistics(uuid, timestamptz) FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION line_statistics(uuid, timestamptz) TO {}")
        .format(sql.Identifier(runtime_role()))
        .as_string()
    )

    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [
            {
                "role": "national_analyst",
                "obj": "line_statistics",
                "act": "read",
                "description": "Se stödlinjens statistik, nationellt och med små tal dolda",
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE role = 'national_analyst'")
    op.execute("DROP FUNCTION line_statistics(uuid, timestamptz)")
    op.drop_table("line_settings")
    op.drop_table("line_callback_attempt")
    op.drop_table("line_callback")

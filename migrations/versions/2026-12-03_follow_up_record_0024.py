"""The national follow-up record (versioned) and the pseudonymised statistics it is copied into.

A follow-up's answers carry the version of the record they follow, and the date it was done; a
draft may hold some answers, a closed one holds all. A case's coded situation at intake joins its
header. Answers recorded before (the short form of 0015) become version 1.

The statistics tables (`followup_stat_*`) hold coded facts under a pseudonym, no identity and no
case number. Forced row-level security: only a job acting for the case's tenant with nobody
signed in (`_JOB`) writes or reads its tenant's rows, and only a national analyst of the national
coordinator (`_NATIONAL_ANALYST`) reads them all; no person of any organisation does, the
case's own officers included. The national analyst reads nothing of any case: the case tables'
policies of 0015 name no such role.

The copy needs the interventions received from a case's action plan, which only the team sees.
Two functions (SECURITY DEFINER, run as the owner, to whom a read-only policy on the plan is given)
return exactly the interventions' codes and which cases changed, to a job of the case's tenant only.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role, tenant_scoped_table

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
_JOB = f"(tenant_id = {_TENANT} AND {_USER} IS NULL)"
"""A job acting for the row's tenant: every request has someone signed in (a person or a client's account)."""
_NATIONAL_ANALYST = (
    f"EXISTS (SELECT 1 FROM membership m JOIN tenant t ON t.id = m.tenant_id WHERE m.tenant_id = {_TENANT}"
    f" AND m.user_id = {_USER} AND 'national_analyst' = ANY (m.roles) AND t.kind = 'national_coordinator')"
)
"""The person acting is a national analyst of the national coordinator (avhopp/directory/line/permissions.py)."""

_FUNCTIONS = {
    "followup_plan_changes(timestamptz)": """
CREATE FUNCTION followup_plan_changes(since timestamptz)
RETURNS TABLE (case_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT DISTINCT i.case_id FROM case_intervention i
    WHERE i.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND NULLIF(current_setting('app.user_id', true), '') IS NULL
      AND i.updated_at >= since
$$""",
    "followup_interventions_received(uuid[])": """
CREATE FUNCTION followup_interventions_received(cases uuid[])
RETURNS TABLE (case_id uuid, intervention text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT DISTINCT i.case_id, i.intervention FROM case_intervention i
    WHERE i.case_id = ANY (cases)
      AND i.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND NULLIF(current_setting('app.user_id', true), '') IS NULL
      AND i.status IN ('ongoing', 'done')
$$""",
}
"""For a job of the case's tenant (nobody signed in): which cases' plans changed, and what they received."""

_STAT_TABLES = ("followup_stat_point", "followup_stat_case")


def upgrade() -> None:
    _follow_up_record()
    _statistics_tables()
    _security()


def _follow_up_record() -> None:
    op.add_column("case_follow_up", sa.Column("schema_version", sa.SmallInteger(), nullable=True))
    op.add_column("case_follow_up", sa.Column("held_on", sa.Date(), nullable=True))
    # The short form recorded so far is version 1 of the record; its day is the day it was typed in.
    op.execute(
        "UPDATE case_follow_up SET schema_version = 1, held_on = (done_at AT TIME ZONE 'Europe/Stockholm')::date"
        " WHERE answers IS NOT NULL"
    )
    op.drop_constraint(op.f("ck_case_follow_up_done_with_answers"), "case_follow_up", type_="check")
    op.create_check_constraint(
        op.f("ck_case_follow_up_done_with_answers"),
        "case_follow_up",
        "done_at IS NULL OR (answers IS NOT NULL AND schema_version IS NOT NULL AND held_on IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_case_follow_up_answers_with_schema"), "case_follow_up", "(answers IS NULL) = (schema_version IS NULL)"
    )
    op.add_column("case_file", sa.Column("intake_answers", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("case_file", sa.Column("intake_version", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_case_file_intake_answers_with_schema"),
        "case_file",
        "(intake_answers IS NULL) = (intake_version IS NULL)",
    )
    op.create_index("ix_case_file_tenant_last_entry", "case_file", ["tenant_id", "last_entry_at"], unique=False)
    op.create_index(
        "ix_case_intervention_tenant_updated", "case_intervention", ["tenant_id", "updated_at"], unique=False
    )


def _statistics_tables() -> None:
    op.create_table(
        "followup_stat_case",
        sa.Column("pseudonym", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("tenant_kind", sa.Text(), nullable=False),
        sa.Column("county_code", sa.Text(), nullable=True),
        sa.Column("municipality_code", sa.Text(), nullable=True),
        sa.Column("year_started", sa.SmallInteger(), nullable=False),
        sa.Column("contact_source", sa.Text(), nullable=False),
        sa.Column("affiliation", sa.Text(), nullable=True),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("intake_version", sa.SmallInteger(), nullable=True),
        sa.Column("intake_answers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("interventions_received", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("copied_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("length(pseudonym) = 64", name=op.f("ck_followup_stat_case_pseudonym_is_a_digest")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_followup_stat_case_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_followup_stat_case")),
    )
    op.create_index("ix_followup_stat_case_tenant", "followup_stat_case", ["tenant_id"], unique=False)
    op.create_table(
        "followup_stat_point",
        sa.Column("pseudonym", sa.Text(), nullable=False),
        sa.Column("months_after", sa.SmallInteger(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("due_month", sa.Date(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("schema_version", sa.SmallInteger(), nullable=True),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["pseudonym"],
            ["followup_stat_case.pseudonym"],
            name=op.f("fk_followup_stat_point_pseudonym_followup_stat_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_followup_stat_point_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("pseudonym", "months_after", name=op.f("pk_followup_stat_point")),
    )
    op.create_index("ix_followup_stat_point_tenant", "followup_stat_point", ["tenant_id"], unique=False)
    op.create_table(
        "followup_stat_mark",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("copied_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_followup_stat_mark_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_followup_stat_mark")),
    )


def _forced(table: str, *policies: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for number, policy in enumerate(policies, start=1):
        op.execute(f"CREATE POLICY {table}_{number} ON {table} {policy}")


def _security() -> None:
    grant_runtime("case_follow_up", "UPDATE (schema_version, held_on)")

    for table in _STAT_TABLES:
        _forced(
            table,
            f"FOR SELECT USING ({_JOB} OR {_NATIONAL_ANALYST})",
            f"FOR INSERT WITH CHECK ({_JOB})",
            f"FOR UPDATE USING ({_JOB}) WITH CHECK ({_JOB})",
            f"FOR DELETE USING ({_JOB})",
        )
        grant_runtime(table, "SELECT, INSERT, UPDATE, DELETE")
    tenant_scoped_table("followup_stat_mark")
    grant_runtime("followup_stat_mark", "SELECT, INSERT, UPDATE")

    # The owner (the functions run as it) reads the plan; the runtime role never gets this.
    op.execute("CREATE POLICY case_intervention_feed ON case_intervention FOR SELECT TO CURRENT_USER USING (true)")
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
    op.execute("DROP POLICY case_intervention_feed ON case_intervention")
    op.drop_table("followup_stat_mark")
    for table in _STAT_TABLES:
        op.drop_table(table)
    op.drop_index("ix_case_intervention_tenant_updated", table_name="case_intervention")
    op.drop_index("ix_case_file_tenant_last_entry", table_name="case_file")
    op.drop_constraint(op.f("ck_case_file_intake_answers_with_schema"), "case_file", type_="check")
    op.drop_column("case_file", "intake_version")
    op.drop_column("case_file", "intake_answers")
    op.drop_constraint(op.f("ck_case_follow_up_answers_with_schema"), "case_follow_up", type_="check")
    op.drop_constraint(op.f("ck_case_follow_up_done_with_answers"), "case_follow_up", type_="check")
    # Drafts are not a thing before this revision: they go, and the first constraint comes back.
    op.execute("UPDATE case_follow_up SET answers = NULL WHERE done_at IS NULL")
    op.create_check_constraint(
        op.f("ck_case_follow_up_done_with_answers"), "case_follow_up", "(done_at IS NULL) = (answers IS NULL)"
    )
    op.drop_column("case_follow_up", "held_on")
    op.drop_column("case_follow_up", "schema_version")

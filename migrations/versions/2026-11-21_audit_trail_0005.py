"""The audit trail: append-only, hash-chained per tenant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out rather than imported, so that this migration never changes after the fact.
_OWN_TENANT = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_PLATFORM_READ = "tenant_id IS NULL AND current_setting('app.audit_platform', true) = 'on'"
_VERIFY = "current_setting('app.audit_verify', true) = 'on'"


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("chain", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_client_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=True),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        # No foreign keys: the trail outlives what it mentions, and must not block its removal.
        sa.CheckConstraint("chain = COALESCE(tenant_id::text, 'platform')", name="ck_audit_event_chain_key"),
        sa.CheckConstraint("seq >= 1", name="ck_audit_event_seq_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        sa.UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),
    )
    op.execute("ALTER TABLE audit_event ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_event FORCE ROW LEVEL SECURITY")
    # A tenant's trail is read in that tenant; the platform chain only by the writer that appends to it.
    op.execute(f"CREATE POLICY audit_read ON audit_event FOR SELECT USING ({_OWN_TENANT} OR ({_PLATFORM_READ}))")
    op.execute(f"CREATE POLICY audit_append ON audit_event FOR INSERT WITH CHECK (tenant_id IS NULL OR {_OWN_TENANT})")
    # The verifier reads every chain, also of tenants since removed; the policy names the owner alone,
    # so the runtime role gains nothing by raising the flag.
    op.execute(f"CREATE POLICY audit_verify ON audit_event FOR SELECT TO CURRENT_USER USING ({_VERIFY})")
    # The runtime role lacks the grants anyway; the trigger also stops the owner's slips. An attacker
    # with owner rights can drop it: that is what the chain and the exported heads detect.
    op.execute(
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
        " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    )
    grant_runtime("audit_event", "SELECT, INSERT")
    op.execute(
        sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}")
        .format(sql.Identifier("audit_event_id_seq"), sql.Identifier(runtime_role()))
        .as_string()
    )


def downgrade() -> None:
    op.drop_table("audit_event")
    op.execute("DROP FUNCTION audit_event_append_only()")

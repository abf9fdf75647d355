"""Background jobs: the transactional outbox and the record of runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out rather than imported, so that this migration never changes after the fact.
_OWN_TENANT = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_RELAY = "current_setting('app.job_relay', true) = 'on'"


def upgrade() -> None:
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("queue_name", sa.Text(), nullable=False),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_job_outbox_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("id", name="pk_job_outbox"),
    )
    op.create_index("ix_job_outbox_unsent", "job_outbox", ["created_at"], postgresql_where=sa.text("sent_at IS NULL"))
    op.execute("ALTER TABLE job_outbox ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE job_outbox FORCE ROW LEVEL SECURITY")
    # Code acting for one tenant can enqueue for that tenant or for none, never for another.
    op.execute(
        f"CREATE POLICY job_outbox_enqueue ON job_outbox FOR INSERT WITH CHECK (tenant_id IS NULL OR {_OWN_TENANT})"
    )
    # Only the relay reads across tenants. DELETE has a policy for the owner's maintenance
    # but is not granted to the runtime role, which never deletes.
    for command in ("SELECT", "UPDATE", "DELETE"):
        op.execute(f"CREATE POLICY job_outbox_relay_{command.lower()} ON job_outbox FOR {command} USING ({_RELAY})")
    grant_runtime("job_outbox", "SELECT, INSERT, UPDATE (sent_at)")

    op.create_table(
        "job_run",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_job_run"),
    )
    grant_runtime("job_run", "SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_index("ix_job_outbox_unsent", table_name="job_outbox", postgresql_where=sa.text("sent_at IS NULL"))
    op.drop_table("job_outbox")

"""Invitations to join a tenant.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, tenant_scoped_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["accepted_by"], ["app_user.id"], name="fk_invitation_accepted_by_app_user"),
        sa.ForeignKeyConstraint(["invited_by"], ["app_user.id"], name="fk_invitation_invited_by_app_user"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_invitation_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_invitation"),
    )
    op.create_index("ix_invitation_tenant_id", "invitation", ["tenant_id"])
    tenant_scoped_table("invitation")
    # The invitee is not in the tenant yet: they may see the one invitation whose token they hold.
    op.execute(
        "CREATE POLICY invitation_by_token ON invitation FOR SELECT"
        " USING (token_hash = NULLIF(current_setting('app.invitation', true), ''))"
    )
    grant_runtime("invitation", "SELECT, INSERT, UPDATE (accepted_by, accepted_at)")


def downgrade() -> None:
    op.drop_table("invitation")

"""Notifications: one person's, in one tenant; and each person's choice of e-mail about them.

A notification is tenant data (tenant policy) and its recipient's alone: reading or changing
one also needs the transaction's user to be the recipient (a restrictive policy, which fails
closed when no user is set). Creating one for a colleague needs only the tenant. The e-mail
choice is a person's own row.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime, tenant_scoped_table

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Written out rather than imported, so that this migration never changes after the fact.
_KIND = "^[a-z][a-z0-9_]{0,63}$"
_LINK = "^/([^/\\\\[:space:]][^\\\\[:space:]]*)?$"
_OWN = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind ~ '{_KIND}'", name="ck_notification_kind_is_a_code"),
        sa.CheckConstraint(f"link ~ '{_LINK}'", name="ck_notification_link_is_local"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_notification_tenant_id_tenant"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name="fk_notification_user_id_app_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
    )
    op.create_index("ix_notification_recipient", "notification", ["tenant_id", "user_id", "created_at"])
    op.create_index(
        "ix_notification_unread", "notification", ["tenant_id", "user_id"], postgresql_where=sa.text("read_at IS NULL")
    )
    tenant_scoped_table("notification")
    for command in ("SELECT", "UPDATE"):
        op.execute(
            f"CREATE POLICY recipient_only_{command.lower()} ON notification"
            f" AS RESTRICTIVE FOR {command} USING ({_OWN})"
        )
    grant_runtime("notification", "SELECT, INSERT, UPDATE (read_at, emailed_at)")

    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name="fk_notification_preference_user_id_app_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_preference"),
    )
    op.execute("ALTER TABLE notification_preference ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE notification_preference FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY own_preference ON notification_preference USING ({_OWN}) WITH CHECK ({_OWN})")
    grant_runtime("notification_preference", "SELECT, INSERT, UPDATE (email, updated_at)")


def downgrade() -> None:
    op.drop_table("notification_preference")
    op.drop_index("ix_notification_unread", table_name="notification", postgresql_where=sa.text("read_at IS NULL"))
    op.drop_index("ix_notification_recipient", table_name="notification")
    op.drop_table("notification")

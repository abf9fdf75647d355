"""Password and authenticator resets that an administrator starts and the person completes by a link.

One row per account (`account_id` is the key): starting a new reset replaces the outstanding one,
so at most one link works at a time. Only the SHA-256 of the link's token is stored. A provider
system table like the others of 0003: no tenant, no row-level security. The runtime role starts
resets (tenant administration) and marks them used; it never deletes.

Revision ID: 0043
Revises: 0039
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0043"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idp_reset",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('password', 'authenticator')", name="ck_idp_reset_known_kind"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["idp_account.id"], name="fk_idp_reset_account_id_idp_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", name="pk_idp_reset"),
        sa.UniqueConstraint("token_hash", name="uq_idp_reset_token_hash"),
    )
    grant_runtime("idp_reset", "SELECT, INSERT, UPDATE (token_hash, kind, created_at, expires_at, used_at)")


def downgrade() -> None:
    op.drop_table("idp_reset")

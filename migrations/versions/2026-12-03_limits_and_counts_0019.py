"""Shared rate-limit counters, per-day counts of anonymous audit events, unfinished logins' index.

Neither holds tenant data: the counters hold an HMAC of an address, the counts codes and numbers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_window",
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "key", "window_start", name=op.f("pk_rate_limit_window")),
        prefixes=["UNLOGGED"],
    )
    op.create_index(op.f("ix_rate_limit_window_expires_at"), "rate_limit_window", ["expires_at"], unique=False)
    grant_runtime("rate_limit_window", "SELECT, INSERT, UPDATE, DELETE")
    op.create_table(
        "audit_anonymous_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "action", "reason", name=op.f("pk_audit_anonymous_count")),
    )
    grant_runtime("audit_anonymous_count", "SELECT, INSERT, UPDATE")
    op.create_index(op.f("ix_login_attempt_expires_at"), "login_attempt", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempt_expires_at"), table_name="login_attempt")
    op.drop_table("audit_anonymous_count")
    op.drop_index(op.f("ix_rate_limit_window_expires_at"), table_name="rate_limit_window")
    op.drop_table("rate_limit_window")

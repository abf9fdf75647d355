"""The built-in identity provider: accounts, clients, codes, browser sessions, signing keys.

These are the provider's system tables, not tenant data: no row-level security. The runtime
role may change only the columns that signing in changes, and deletes nothing; the owner
prunes spent codes and ended sessions at start (avhopp.platform.idp.setup).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idp_account",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("totp_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_reset_required", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("username = lower(username)", name="ck_idp_account_username_lower_case"),
        sa.CheckConstraint("failed_attempts >= 0", name="ck_idp_account_failed_attempts_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_idp_account"),
        sa.UniqueConstraint("username", name="uq_idp_account_username"),
    )
    op.create_table(
        "idp_client",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("client_secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("redirect_uris", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "post_logout_redirect_uris", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("grant_types", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("scope", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("scope_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "NOT ('client_credentials' = ANY (grant_types)) OR scope_tenant_id IS NOT NULL",
            name="ck_idp_client_machine_client_has_tenant",
        ),
        sa.ForeignKeyConstraint(["scope_tenant_id"], ["tenant.id"], name="fk_idp_client_scope_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("client_id", name="pk_idp_client"),
    )
    op.create_table(
        "idp_authorization_code",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.Text(), nullable=False),
        sa.Column("code_challenge_method", sa.String(8), nullable=False),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["idp_account.id"], name="fk_idp_authorization_code_account_id_idp_account"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["idp_client.client_id"], name="fk_idp_authorization_code_client_id_idp_client"
        ),
        sa.PrimaryKeyConstraint("code_hash", name="pk_idp_authorization_code"),
    )
    op.create_index("ix_idp_authorization_code_client_id_nonce", "idp_authorization_code", ["client_id", "nonce"])
    op.create_index("ix_idp_authorization_code_expires_at", "idp_authorization_code", ["expires_at"])
    op.create_table(
        "idp_browser_session",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["idp_account.id"], name="fk_idp_browser_session_account_id_idp_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_idp_browser_session"),
    )
    op.create_index("ix_idp_browser_session_account_id", "idp_browser_session", ["account_id"])
    op.create_table(
        "idp_signing_key",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("private_jwk_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("public_jwk", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_idp_signing_key"),
    )
    # Signing in: failed attempts, lockout, rehashing, TOTP enrolment, a new password.
    grant_runtime(
        "idp_account",
        "SELECT, UPDATE (password_hash, totp_secret_encrypted, totp_last_step, failed_attempts, locked_until,"
        " password_reset_required)",
    )
    grant_runtime("idp_client", "SELECT")
    grant_runtime("idp_authorization_code", "SELECT, INSERT, UPDATE (used_at)")
    grant_runtime("idp_browser_session", "SELECT, INSERT, UPDATE (last_seen_at, ended_at)")
    # Signing needs the sealed private key; only the owner creates, retires and prunes keys.
    grant_runtime("idp_signing_key", "SELECT")


def downgrade() -> None:
    op.drop_table("idp_signing_key")
    op.drop_index("ix_idp_browser_session_account_id", table_name="idp_browser_session")
    op.drop_table("idp_browser_session")
    op.drop_index("ix_idp_authorization_code_expires_at", table_name="idp_authorization_code")
    op.drop_index("ix_idp_authorization_code_client_id_nonce", table_name="idp_authorization_code")
    op.drop_table("idp_authorization_code")
    op.drop_table("idp_client")
    op.drop_table("idp_account")

"""The built-in provider's secrets leave the runtime role's reach: password hashes, TOTP seeds, private keys.

The runtime role no longer reads `idp_account.password_hash` or `totp_secret_encrypted`, nor
`idp_signing_key.private_jwk_encrypted`: it reads the other columns, and `has_authenticator`
(generated) says whether a TOTP seed is enrolled. Signing in reads one account's secrets through
`idp_account_secrets(account)`, which opens the secrets of at most one account per transaction,
so an injected `SELECT idp_account_secrets(id) FROM idp_account` is refused at its second row. It
remembers the account in a transaction-level advisory lock: an injected statement can change any
setting it likes, but cannot release such a lock. Only active accounts' secrets open.

Writes go through functions too: `idp_store_rehash` (the same password, new parameters),
`idp_store_own_password` (the person's own password; the temporary one is then done) and
`idp_store_authenticator` (a confirmed TOTP seed; the first one only, unless a reset link
replaces it). Of the account the runtime role updates only the lockout counters and the last
TOTP step directly. Signing reads the one active private key through `idp_active_signing_key()`.

Each function runs as its owner (the migrating role) with a pinned search_path, and only the
runtime role may execute it.

Revision ID: 0045
Revises: 0040
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0045"
down_revision = "0040"
branch_labels = None
depends_on = None

_ACCOUNT_READABLE = (
    "id, username, display_name, email, totp_last_step, failed_attempts, locked_until,"
    " password_reset_required, active, created_at, has_authenticator"
)
_ACCOUNT_UPDATABLE = "totp_last_step, failed_attempts, locked_until"
_KEY_READABLE = "kid, public_jwk, created_at, retired_at, published_until"
# pg_advisory_xact_lock's first key for "this transaction opened this account's secrets": "IDPS".
_SECRETS_LOCK = 1229213779
_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public"

_FUNCTIONS = {
    "idp_account_secrets(uuid)": f"""
CREATE FUNCTION idp_account_secrets(p_account_id uuid)
RETURNS TABLE (password_hash text, totp_secret_encrypted bytea) LANGUAGE plpgsql {_DEFINER} AS $$
DECLARE
    mine bigint := hashtext(p_account_id::text) & 2147483647;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
               AND l.classid = {_SECRETS_LOCK}::oid AND l.objsubid = 2 AND l.objid::bigint <> mine) THEN
        RAISE EXCEPTION 'idp: the secrets of one account per transaction' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock({_SECRETS_LOCK}, mine::integer);
    RETURN QUERY SELECT a.password_hash, a.totp_secret_encrypted FROM idp_account a
    WHERE a.id = p_account_id AND a.active;
END $$""",
    "idp_store_rehash(uuid, text)": f"""
CREATE FUNCTION idp_store_rehash(p_account_id uuid, p_hash text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
BEGIN
    IF p_hash IS NULL OR NOT starts_with(p_hash, '$argon2id$') THEN
        RAISE EXCEPTION 'idp: not an argon2id hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE idp_account SET password_hash = p_hash WHERE id = p_account_id AND active;
END $$""",
    "idp_store_own_password(uuid, text)": f"""
CREATE FUNCTION idp_store_own_password(p_account_id uuid, p_hash text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
BEGIN
    IF p_hash IS NULL OR NOT starts_with(p_hash, '$argon2id$') THEN
        RAISE EXCEPTION 'idp: not an argon2id hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE idp_account SET password_hash = p_hash, password_reset_required = false
    WHERE id = p_account_id AND active;
END $$""",
    "idp_store_authenticator(uuid, bytea, bigint, boolean)": f"""
CREATE FUNCTION idp_store_authenticator(p_account_id uuid, p_sealed bytea, p_step bigint, p_first boolean)
RETURNS boolean LANGUAGE plpgsql {_DEFINER} AS $$
BEGIN
    UPDATE idp_account SET totp_secret_encrypted = p_sealed, totp_last_step = p_step,
                           failed_attempts = 0, locked_until = NULL
    WHERE id = p_account_id AND active AND p_sealed IS NOT NULL
      AND (NOT p_first OR totp_secret_encrypted IS NULL);
    RETURN FOUND;
END $$""",
    "idp_active_signing_key()": f"""
CREATE FUNCTION idp_active_signing_key() RETURNS TABLE (kid text, private_jwk_encrypted bytea)
LANGUAGE sql STABLE {_DEFINER} AS $$
    SELECT k.kid::text, k.private_jwk_encrypted FROM idp_signing_key k
    WHERE k.retired_at IS NULL ORDER BY k.created_at DESC LIMIT 1
$$""",
}


def _to_runtime(statement: str, target: str) -> None:
    op.execute(sql.SQL(statement).format(sql.SQL(target), sql.Identifier(runtime_role())).as_string())


def upgrade() -> None:
    op.add_column(
        "idp_account",
        sa.Column("has_authenticator", sa.Boolean(), sa.Computed("totp_secret_encrypted IS NOT NULL", persisted=True)),
    )
    # A table-wide REVOKE takes the column grants of 0003 with it.
    _to_runtime("REVOKE SELECT, UPDATE ON TABLE {} FROM {}", "idp_account")
    _to_runtime(
        f"GRANT SELECT ({_ACCOUNT_READABLE}), UPDATE ({_ACCOUNT_UPDATABLE}) ON TABLE {{}} TO {{}}", "idp_account"
    )
    _to_runtime("REVOKE SELECT ON TABLE {} FROM {}", "idp_signing_key")
    _to_runtime(f"GRANT SELECT ({_KEY_READABLE}) ON TABLE {{}} TO {{}}", "idp_signing_key")
    for signature, definition in _FUNCTIONS.items():
        op.execute(definition)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        _to_runtime("GRANT EXECUTE ON FUNCTION {} TO {}", signature)


def downgrade() -> None:
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    _to_runtime(f"REVOKE SELECT ({_KEY_READABLE}) ON TABLE {{}} FROM {{}}", "idp_signing_key")
    _to_runtime("GRANT SELECT ON TABLE {} TO {}", "idp_signing_key")
    _to_runtime(
        f"REVOKE SELECT ({_ACCOUNT_READABLE}), UPDATE ({_ACCOUNT_UPDATABLE}) ON TABLE {{}} FROM {{}}", "idp_account"
    )
    op.drop_column("idp_account", "has_authenticator")
    _to_runtime(
        "GRANT SELECT, UPDATE (password_hash, totp_secret_encrypted, totp_last_step, failed_attempts, locked_until,"
        " password_reset_required) ON TABLE {} TO {}",
        "idp_account",
    )

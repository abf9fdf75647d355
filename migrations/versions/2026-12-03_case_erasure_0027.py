"""Erasure after retention through one function; a case's identity is read by its team alone.

Until now the read policies of `case_person` and `case_consent` also let anyone of the owning
tenant read a closed case's identity once its retention had run out (so that the erasure job
could delete what it reads) until the job erased it. `erase_expired_cases()` now does the
erasure with the owner's rights, for the tenant the caller acts for, with the database's clock:
the caller cannot choose what goes, nor when. The runtime role deletes nothing of a case.

The narrower policies are also cheaper to plan: planning the policies was most of what row-level
security cost a list of cases (the cases benchmark).

Revision ID: 0027
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0027"
down_revision = "0017"
branch_labels = None
depends_on = None

# The fragments of migration 0015's policies, as they stand there (a migration is a snapshot).
_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
_OWN = f"tenant_id = {_TENANT}"
_RUNNING = "g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until"


def _access(table: str, category: str | None) -> str:
    """The owner's team, the team of an organisation a running grant names, an emergency access."""
    on_team = (
        f"SELECT 1 FROM case_team t WHERE t.case_id = {table}.case_id AND t.user_id = {_USER}"
        f" AND t.tenant_id = {_TENANT}"
    )
    shared = (
        ""
        if category is None
        else (
            f" OR EXISTS ({on_team} AND EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = {table}.case_id"
            f" AND g.tenant_id = {_TENANT} AND '{category}' = ANY (g.categories) AND {_RUNNING}))"
        )
    )
    emergency = (
        f" OR EXISTS (SELECT 1 FROM case_emergency_access e WHERE e.case_id = {table}.case_id"
        f" AND e.user_id = {_USER} AND e.tenant_id = {_TENANT} AND now() < e.expires_at)"
    )
    return f"((tenant_id = {_TENANT} AND EXISTS ({on_team})){shared}{emergency})"


def _owner_team(table: str) -> str:
    return f"({_OWN} AND {_access(table, None)})"


def _expired(table: str) -> str:
    """Migration 0015's "retention has run out", which the policies carried until this one."""
    return (
        f"({_OWN} AND EXISTS (SELECT 1 FROM case_file c LEFT JOIN case_settings s ON s.tenant_id = c.tenant_id"
        f" WHERE c.id = {table}.case_id AND c.closed_at IS NOT NULL"
        " AND c.last_entry_at < now() - make_interval(years => coalesce(s.retention_years, 5))))"
    )


_ERASED = "document_sealed IS NULL AND purpose = '' AND witnessed_by = ''"
_ERASURE_POLICIES = (
    ("case_person", "SELECT"),
    ("case_person", "DELETE"),
    ("case_consent", "SELECT"),
    ("case_consent", "UPDATE"),
)


_SIGNATURE = "erase_expired_cases()"
_FUNCTION = """
CREATE FUNCTION erase_expired_cases() RETURNS SETOF uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    acting uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    expired uuid[];
BEGIN
    IF acting IS NULL THEN
        RAISE EXCEPTION 'erasure acts for a tenant' USING ERRCODE = '42501';
    END IF;
    SELECT coalesce(array_agg(c.id), '{}') INTO expired
    FROM case_file c LEFT JOIN case_settings s ON s.tenant_id = c.tenant_id
    WHERE c.tenant_id = acting AND c.closed_at IS NOT NULL AND c.erased_at IS NULL
      AND c.last_entry_at < now() - make_interval(years => coalesce(s.retention_years, 5));
    DELETE FROM case_person WHERE tenant_id = acting AND case_id = ANY (expired);
    UPDATE case_consent SET document_sealed = NULL, document_type = NULL, purpose = '', witnessed_by = ''
    WHERE tenant_id = acting AND case_id = ANY (expired);
    UPDATE case_file SET erased_at = now() WHERE tenant_id = acting AND id = ANY (expired);
    RETURN QUERY SELECT unnest(expired);
END
$$
"""


def _runtime() -> sql.Identifier:
    return sql.Identifier(runtime_role())


def upgrade() -> None:
    # The function runs as the owner, whom row-level security binds too (it is forced): it is
    # given what it needs on these tables, in the tenant the caller acts for.
    for table, command in _ERASURE_POLICIES:
        op.execute(
            f"CREATE POLICY {table}_erasure_{command.lower()} ON {table} FOR {command} TO CURRENT_USER USING ({_OWN})"
        )
    op.execute(f"ALTER POLICY case_person_1 ON case_person USING ({_access('case_person', 'identity')})")
    op.execute("DROP POLICY case_person_4 ON case_person")
    op.execute(sql.SQL("REVOKE DELETE ON case_person FROM {}").format(_runtime()).as_string())
    consent = _owner_team("case_consent")
    op.execute(f"ALTER POLICY case_consent_1 ON case_consent USING ({consent})")
    op.execute(f"ALTER POLICY case_consent_3 ON case_consent USING ({consent}) WITH CHECK ({consent})")

    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(_SIGNATURE), _runtime()).as_string())


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    consent, expired = _owner_team("case_consent"), _expired("case_consent")
    op.execute(f"ALTER POLICY case_consent_1 ON case_consent USING ({consent} OR {expired})")
    op.execute(
        f"ALTER POLICY case_consent_3 ON case_consent USING ({consent} OR {expired})"
        f" WITH CHECK ({consent} OR ({expired} AND {_ERASED}))"
    )
    op.execute(sql.SQL("GRANT DELETE ON case_person TO {}").format(_runtime()).as_string())
    op.execute(f"CREATE POLICY case_person_4 ON case_person FOR DELETE USING ({_expired('case_person')})")
    op.execute(
        f"ALTER POLICY case_person_1 ON case_person"
        f" USING ({_access('case_person', 'identity')} OR {_expired('case_person')})"
    )
    for table, command in _ERASURE_POLICIES:
        op.execute(f"DROP POLICY {table}_erasure_{command.lower()} ON {table}")

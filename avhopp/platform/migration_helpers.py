"""Operations that migrations share: grants to the runtime role and row-level security.

Every table that holds tenant data gets `tenant_scoped_table`, in the same migration that
creates it: RLS enabled and forced (so even the owner is bound), and one policy that lets a
row be seen or written only inside a transaction whose tenant setting names its tenant.
An unset tenant reads as NULL, so no row matches: the policy fails closed. The setting is read
in a sub-select, which PostgreSQL evaluates once per statement (an init plan) rather than once
per row, and which an index scan on tenant_id can take as its key (see migration 0047).
"""

from __future__ import annotations

from alembic import op
from psycopg import sql

TENANT_PREDICATE = "tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"


def runtime_role() -> str:
    """The runtime role's name, handed to Alembic by `avhopp.platform.migrate`."""
    return str(op.get_context().config.attributes["app_role"])  # type: ignore[union-attr]


def grant_runtime(table: str, privileges: str) -> None:
    """Grant e.g. "SELECT, INSERT" on `table` to the runtime role; nothing more than named."""
    op.execute(
        sql.SQL("GRANT {} ON {} TO {}")
        .format(sql.SQL(privileges), sql.Identifier(table), sql.Identifier(runtime_role()))
        .as_string()
    )


def tenant_scoped_table(table: str) -> None:
    """Enable and force RLS on `table` with the tenant policy (USING and WITH CHECK)."""
    ident = sql.Identifier(table).as_string()
    op.execute(f"ALTER TABLE {ident} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {ident} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {ident} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})")

"""Row-level security: the audit trail is read by its chain, one key of its own index.

`audit_read` let a row through when its tenant was the acting one, OR when it had no tenant and
the writer's flag (`app.audit_platform`) was on. An OR cannot be one index scan: counting a
tenant's entries read the whole tenant index and tested both branches on every entry (40,000
entries for 5,000 rows, 3x the count by tenant). Every row's chain is its tenant's id as text, or
'platform' (a check constraint since 0005), so the same choice is now one key of the chain's
unique index (chain, seq): the platform chain while the flag is on, the acting tenant's otherwise.

One narrowing: while the flag is on, the acting tenant's own chain is not readable. The flag is
raised only by the writer (`avhopp.platform.audit.trail.record`), around its one read of the
platform chain's head, which reads nothing else. An unset tenant still reads as NULL: no chain.

The downgrade restores the 0051 policy's text.

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None

_BEFORE = (
    "(tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS app_setting))"
    " OR (tenant_id IS NULL AND (SELECT current_setting('app.audit_platform', true) AS app_setting) = 'on')"
)
# The cast to uuid and back writes the setting as the chain holds it, and refuses a malformed one.
_BY_CHAIN = (
    "chain = (SELECT CASE WHEN current_setting('app.audit_platform', true) = 'on' THEN 'platform'"
    " ELSE (NULLIF(current_setting('app.tenant_id', true), '')::uuid)::text END AS audit_chain)"
)


def upgrade() -> None:
    """One chain, one index key."""
    op.execute(f"ALTER POLICY audit_read ON audit_event USING ({_BY_CHAIN})")


def downgrade() -> None:
    """The tenant OR the flagged platform chain."""
    op.execute(f"ALTER POLICY audit_read ON audit_event USING ({_BEFORE})")

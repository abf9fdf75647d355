"""The grants a tenant holds, read from the index alone: ix_case_grant_live covers the grant array.

0048 made case_file's grant branch `id = ANY (<the grants the tenant holds now>)`, read once per
statement through ix_case_grant_live (tenant_id, valid_until WHERE revoked_at IS NULL). The array
still visited every live grant's heap row for valid_from and case_id, and for case_grant's own
policy (owner_tenant_id), which applies to the sub-select as well; the planner also ORed in
ix_case_grant_owner for that policy, fetching every grant the tenant gave and filtering them away.
With 100,000 cases and Göteborg holding 480 live grants, that was about 450 heap pages and 0.46 ms
of every statement that reads a case of another organisation ("my cases" for an officer on a
shared case's team), where the owner's statement without policies takes about 1 ms.

The same index with those columns included (the key and the predicate unchanged) lets the array be
an index-only scan (9 pages, 0.07 ms there). No policy changes: who may read which row is the same.

The downgrade recreates 0048's index exactly.

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

_NAME = "ix_case_grant_live"
_KEY = ["tenant_id", "valid_until"]
_LIVE = text("revoked_at IS NULL")
# What the grant array and case_grant's policy read of a live grant besides the key.
_COVERED = ["valid_from", "case_id", "owner_tenant_id"]


def upgrade() -> None:
    """ix_case_grant_live with the grant array's columns included."""
    op.drop_index(_NAME, table_name="case_grant")
    op.create_index(_NAME, "case_grant", _KEY, postgresql_where=_LIVE, postgresql_include=_COVERED)


def downgrade() -> None:
    """0048's ix_case_grant_live."""
    op.drop_index(_NAME, table_name="case_grant")
    op.create_index(_NAME, "case_grant", _KEY, postgresql_where=_LIVE)

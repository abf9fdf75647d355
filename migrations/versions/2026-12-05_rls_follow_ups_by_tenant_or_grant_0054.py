"""Row-level security: a case's follow-ups are the tenant's, or shared under a grant; read from one index.

case_follow_up's read policy was the tenant OR the case policy of 0015 (the owner's team, a
grant's team, an emergency access). What the owner's team and an emergency access open are
follow-ups of the tenant's own cases (a follow-up's tenant is its case's, and so is an emergency
access's, by the foreign keys to case_file(id, tenant_id)), so those two branches repeated the
first: they are dropped, and what is left is the tenant OR a running grant for follow-ups. The
open follow-ups' index (case, due date) now carries the tenant, so that the list of "my cases"
reads the next follow-up of each from the index alone under the policy as without it (the policy
reads the tenant, which sent every read to the table).

Who may read which row is unchanged. The downgrade restores the 0053 policy and index.

Revision ID: 0054
Revises: 0053
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0054"
down_revision = "0053"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS \"nullif\")"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid AS \"nullif\")"
_RUNNING = "g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until"
_SHARED = (
    "case_id = ANY ((SELECT ARRAY(SELECT t.case_id AS case_once FROM case_team t"
    f" WHERE t.user_id = {_USER} AND t.tenant_id = {_TENANT} AND EXISTS (SELECT 1 FROM case_grant g"
    f" WHERE g.case_id = t.case_id AND g.tenant_id = {_TENANT} AND 'follow_up' = ANY (g.categories)"
    f" AND {_RUNNING})) AS case_any)::uuid[])"
)
_OWNER_TEAM = (
    "case_id = ANY ((SELECT ARRAY(SELECT t.case_id AS case_once FROM case_team t"
    f" WHERE t.user_id = {_USER} AND t.tenant_id = {_TENANT}) AS case_any)::uuid[])"
)
_EMERGENCY = (
    "case_id = ANY ((SELECT ARRAY(SELECT e.case_id AS case_once FROM case_emergency_access e"
    f" WHERE e.user_id = {_USER} AND e.tenant_id = {_TENANT} AND now() < e.expires_at) AS case_any)::uuid[])"
)
_BEFORE = f"tenant_id = {_TENANT} OR ((tenant_id = {_TENANT} AND {_OWNER_TEAM}) OR {_SHARED} OR {_EMERGENCY})"
_AFTER = f"tenant_id = {_TENANT} OR {_SHARED}"
_OPEN = "ix_case_follow_up_open"


def _index(include: list[str]) -> None:
    op.drop_index(_OPEN, table_name="case_follow_up")
    op.create_index(
        _OPEN,
        "case_follow_up",
        ["case_id", "due_on"],
        postgresql_include=include,
        postgresql_where=sa.text("done_at IS NULL"),
    )


def upgrade() -> None:
    """The tenant or a grant; the open follow-ups' index with the tenant."""
    op.execute(f"ALTER POLICY case_follow_up_1 ON case_follow_up USING ({_AFTER})")
    _index(["tenant_id"])


def downgrade() -> None:
    """The 0053 policy and index."""
    _index([])
    op.execute(f"ALTER POLICY case_follow_up_1 ON case_follow_up USING ({_BEFORE})")

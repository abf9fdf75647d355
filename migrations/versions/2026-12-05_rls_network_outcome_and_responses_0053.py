"""Row-level security: a network's outcomes and responses read without a sub-plan or a table scan.

network_outcome's read policy let a member's representative see an outcome when its meeting had
published minutes (`EXISTS (SELECT ... FROM network_minutes n WHERE n.meeting_id = ...)`) and the
space was theirs. PostgreSQL plans that EXISTS as a hashed sub-plan over the minutes, which cost
about ten milliseconds a statement even for rows the tenant's own branch had already let through
(measured on the row-level security benchmark, 5,000 outcomes a tenant: the count took 11.5 ms
against 0.3 ms for the owner). The same set is now `meeting_id IN (SELECT ...)` after the space
test, which the planner checks only for a member's rows: a NULL meeting passes neither.

network_response's read policy lets the responder see their own answer (`responder_tenant_id`
and `user_id`), and no index led with those columns, so every read of the table scanned it
(4.5x the owner's read by tenant). The index the policy's second branch needs is added.

Who may read or write which row is unchanged. The downgrade restores the 0052 policy and drops
the index.

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0053"
down_revision = "0052"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS \"nullif\")"
_REPRESENTED = "(SELECT ARRAY(SELECT network_member_spaces() AS network_member_spaces) AS app_setting)::uuid[]"
_PUBLISHED = "SELECT n.meeting_id FROM network_minutes n WHERE n.status = 'published'"
_OUTCOMES_BEFORE = (
    f"tenant_id = {_TENANT} OR (EXISTS (SELECT 1 FROM network_minutes n"
    " WHERE n.meeting_id = network_outcome.meeting_id AND n.status = 'published')"
    f" AND space_id = ANY ({_REPRESENTED}))"
)
_OUTCOMES = f"tenant_id = {_TENANT} OR (space_id = ANY ({_REPRESENTED}) AND meeting_id IN ({_PUBLISHED}))"


def upgrade() -> None:
    """The outcomes' published test as an IN after the space, and the responder's index."""
    op.execute(f"ALTER POLICY network_outcome_1 ON network_outcome USING ({_OUTCOMES})")
    op.create_index("ix_network_response_responder", "network_response", ["responder_tenant_id", "user_id"])


def downgrade() -> None:
    """The 0052 policy, and no responder's index."""
    op.drop_index("ix_network_response_responder", table_name="network_response")
    op.execute(f"ALTER POLICY network_outcome_1 ON network_outcome USING ({_OUTCOMES_BEFORE})")

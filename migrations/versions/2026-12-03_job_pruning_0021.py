"""The job tables are pruned through one function with fixed rules; the runtime role still deletes nothing itself.

`prune_job_records()` runs with the owner's rights, only for a caller acting as the relay, and
measures time with the database's clock: the caller cannot choose what goes, nor when.

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0021"
down_revision = "0016"
branch_labels = None
depends_on = None

_SIGNATURE = "prune_job_records()"
_FUNCTION = """
CREATE FUNCTION prune_job_records(OUT outbox bigint, OUT runs bigint, OUT periods bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF current_setting('app.job_relay', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'only the job relay prunes the job tables' USING ERRCODE = '42501';
    END IF;
    -- A week after it was sent once its job has run; a month after in any case (dead or lost).
    DELETE FROM job_outbox o
    WHERE o.sent_at IS NOT NULL
      AND ((o.sent_at < now() - interval '7 days' AND EXISTS (SELECT 1 FROM job_run r WHERE r.message_id = o.id))
           OR o.sent_at < now() - interval '30 days');
    GET DIAGNOSTICS outbox = ROW_COUNT;
    -- A month after, once its row is gone: a late delivery then finds no row and never runs.
    DELETE FROM job_run r
    WHERE r.finished_at < now() - interval '30 days'
      AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.id = r.message_id);
    GET DIAGNOSTICS runs = ROW_COUNT;
    -- Never a job's latest period, which keeps a long period from being enqueued twice.
    DELETE FROM job_schedule s
    WHERE s.period_start < now() - interval '30 days'
      AND EXISTS (SELECT 1 FROM job_schedule l WHERE l.name = s.name AND l.period_start > s.period_start);
    GET DIAGNOSTICS periods = ROW_COUNT;
END
$$
"""


def upgrade() -> None:
    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )
    op.create_index("ix_job_outbox_sent", "job_outbox", ["sent_at"], postgresql_where=sa.text("sent_at IS NOT NULL"))
    op.create_index("ix_job_run_finished", "job_run", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_job_run_finished", table_name="job_run")
    op.drop_index("ix_job_outbox_sent", table_name="job_outbox")
    op.execute(f"DROP FUNCTION {_SIGNATURE}")

"""The job outbox and the record of jobs that have run.

`job_outbox` holds jobs that a transaction enqueued; the relay sends them to the broker
once that transaction has committed. `job_run` holds one row per message that has run to
completion, written in the same transaction as the job's own effect, so that a second
delivery of the same message finds it and does nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class JobOutbox(Base):
    """A job enqueued by a committed transaction; `sent_at` is set once the broker has it.

    Row-level security: anyone may insert a row for their own tenant or for no tenant; only
    the relay (`RequestContext(job_relay=True)`) may read or mark rows.
    """

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("ix_job_outbox_unsent", "created_at", postgresql_where=text("sent_at IS NULL")),
        Index("ix_job_outbox_sent", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    """Also the Dramatiq message id, which makes a re-sent message recognisable."""
    actor_name: Mapped[str] = mapped_column(Text)
    queue_name: Mapped[str] = mapped_column(Text)
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The job's keyword arguments: ids and codes only, never personal data."""
    tenant_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobRun(Base):
    """A message whose job has run and committed; no tenant data."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_finished", "finished_at"),)

    message_id: Mapped[UUID] = mapped_column(primary_key=True)
    actor_name: Mapped[str] = mapped_column(Text)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """The start of the transaction that ran the job; the row becomes visible when it commits."""


class JobSchedule(Base):
    """A periodic job's period that has been enqueued; the key makes it once per period, fleet-wide."""

    __tablename__ = "job_schedule"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    enqueued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

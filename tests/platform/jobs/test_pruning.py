"""The job tables do not grow forever: the relay deletes what no delivery can still need, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.models import JobOutbox, JobRun, JobSchedule
from avhopp.platform.jobs.pruning import prune_job_records

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness

NOW = datetime.now(UTC)
"""The database prunes by its own clock: the rows are dated from the real now."""


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def outbox(jobs: JobsHarness, *, sent_days_ago: float | None, ran_days_ago: float | None = None) -> UUID:
    """An outbox row sent so many days ago (None: not sent), and its record of having run if it did."""
    message_id = uuid4()
    with jobs.owner_engine.begin() as connection:
        sent = None if sent_days_ago is None else days_ago(sent_days_ago)
        connection.execute(
            insert(JobOutbox).values(
                id=message_id, actor_name="prov", queue_name="default", args={}, created_at=sent or NOW, sent_at=sent
            )
        )
        if ran_days_ago is not None:
            connection.execute(
                insert(JobRun).values(message_id=message_id, actor_name="prov", finished_at=days_ago(ran_days_ago))
            )
    return message_id


def remaining(jobs: JobsHarness) -> tuple[set[UUID], set[UUID], set[tuple[str, datetime]]]:
    with jobs.owner_engine.connect() as connection:
        return (
            set(connection.scalars(select(JobOutbox.id))),
            set(connection.scalars(select(JobRun.message_id))),
            {(row.name, row.period_start) for row in connection.execute(select(JobSchedule))},
        )


async def test_the_relay_prunes_what_no_delivery_needs_and_keeps_the_rest(jobs: JobsHarness) -> None:
    with jobs.owner_engine.begin() as connection:
        for table in (JobRun, JobOutbox, JobSchedule):
            connection.execute(delete(table))
    unsent = outbox(jobs, sent_days_ago=None)
    waiting = outbox(jobs, sent_days_ago=20)  # sent, not yet run (a worker is down): kept
    ran_recently = outbox(jobs, sent_days_ago=3, ran_days_ago=3)
    ran_last_week = outbox(jobs, sent_days_ago=8, ran_days_ago=8)
    lost = outbox(jobs, sent_days_ago=31)  # dead-lettered or lost a month ago
    ran_long_ago = outbox(jobs, sent_days_ago=40, ran_days_ago=40)
    with jobs.owner_engine.begin() as connection:
        # A month-old run whose row an earlier pruning already deleted.
        old_run = uuid4()
        connection.execute(insert(JobRun).values(message_id=old_run, actor_name="prov", finished_at=days_ago(31)))
        connection.execute(
            insert(JobSchedule),
            [
                {"name": "daily", "period_start": days_ago(40)},
                {"name": "daily", "period_start": days_ago(1)},
                # A job run every 90 days: its period began 60 days ago and is still the current one.
                {"name": "quarterly", "period_start": days_ago(150)},
                {"name": "quarterly", "period_start": days_ago(60)},
            ],
        )

    async with context_session(jobs.sessions, RequestContext(job_relay=True)) as session:
        pruned = await prune_job_records(session)

    rows, runs, periods = remaining(jobs)
    assert rows == {unsent, waiting, ran_recently}
    assert {ran_last_week, lost, ran_long_ago}.isdisjoint(rows)
    # A run stays recorded while its row exists, and a month in any case.
    assert runs == {ran_recently, ran_last_week}
    assert periods == {("daily", days_ago(1)), ("quarterly", days_ago(60))}
    assert (pruned.outbox, pruned.runs, pruned.periods) == (3, 2, 2)


async def test_outside_the_relay_nothing_is_pruned(jobs: JobsHarness) -> None:
    kept = outbox(jobs, sent_days_ago=40, ran_days_ago=40)
    for context in (RequestContext(), RequestContext(tenant_id=jobs.tenants[0])):
        with pytest.raises(DBAPIError) as refused:
            async with context_session(jobs.sessions, context) as session:
                await prune_job_records(session)
        assert getattr(refused.value.orig, "sqlstate", None) == "42501"
    assert jobs.outbox_row(kept) is not None

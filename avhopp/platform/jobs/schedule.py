"""Periodic jobs: enqueued once per period by whichever process gets there first.

    @periodic(timedelta(days=1))
    @job()
    async def find_stale_entries(session: AsyncSession) -> None: ...

Every job runtime looks once a `tick` whether a periodic job's current period has begun.
The first process to insert the (job, period) row into `job_schedule` enqueues the job in
the same transaction; every other process finds the row and does nothing. A period that
passed while no process ran is not caught up: the next one starts on time.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.models import JobSchedule
from avhopp.platform.jobs.outbox import enqueue

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.jobs.actors import Job

_log = structlog.get_logger("avhopp.jobs")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Periodic:
    """A job that runs once every `every`, for no tenant, without arguments."""

    job: Job[Any]
    every: timedelta

    def period_start(self, now: datetime) -> datetime:
        """The start of the period `now` falls in (periods are counted from a fixed epoch)."""
        return _EPOCH + ((now - _EPOCH) // self.every) * self.every


_registry: dict[str, Periodic] = {}


def periodic(every: timedelta) -> Callable[[Job[Any]], Job[Any]]:
    """Register a job (declared with `@job`) to run once every `every`."""
    if every < timedelta(minutes=1):
        raise ValueError("a periodic job runs at most once a minute")

    def register(registered: Job[Any]) -> Job[Any]:
        _registry[registered.name] = Periodic(registered, every)
        return registered

    return register


def periodic_jobs() -> list[Periodic]:
    """Every periodic job registered so far in this process."""
    return list(_registry.values())


async def enqueue_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, schedules: Sequence[Periodic] | None = None
) -> list[str]:
    """Enqueue each periodic job (default: every registered one) whose current period nobody has enqueued yet.

    Returns:
        The names of the jobs this call enqueued.

    """
    enqueued: list[str] = []
    for schedule in periodic_jobs() if schedules is None else schedules:
        async with context_session(sessions, RequestContext()) as session:
            claimed = await session.scalar(
                insert(JobSchedule)
                .values(name=schedule.job.name, period_start=schedule.period_start(now))
                .on_conflict_do_nothing()
                .returning(JobSchedule.name)
            )
            if claimed is not None:
                await enqueue(session, schedule.job)
                enqueued.append(claimed)
    return enqueued


class PeriodicTicker:
    """Calls `enqueue_due` every `tick` seconds on the running event loop."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tick: float) -> None:
        self._sessions = sessions
        self._tick = tick
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking in the background."""
        self._task = asyncio.create_task(self._run(), name="avhopp-job-ticker")

    async def stop(self) -> None:
        """Stop ticking; a tick in progress is abandoned (its transaction rolls back)."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                for name in await enqueue_due(self._sessions, datetime.now(UTC)):
                    _log.info("periodic job enqueued", job=name)
            except Exception as error:  # noqa: BLE001 - a failed tick must not stop the next one
                _log.warning("periodic jobs not checked", error_type=type(error).__qualname__)
            await asyncio.sleep(self._tick)

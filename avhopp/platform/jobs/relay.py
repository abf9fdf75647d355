"""The outbox relay: hands committed outbox rows to the broker and marks them sent.

Any number of relays (one per process) may run against one database: each claims rows
with `FOR UPDATE SKIP LOCKED`, so a row is sent by one of them at a time. A relay that
dies after sending and before marking leaves the row unsent, and it is sent again; the
actors' idempotency makes that harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

import structlog
from dramatiq import Message
from sqlalchemy import exists, func, select, update

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.models import JobOutbox, JobRun
from avhopp.platform.jobs.outbox import add_waker, remove_waker
from avhopp.platform.jobs.pruning import prune_job_records

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.jobs.broker import BrokerLink

_log = structlog.get_logger("avhopp.jobs")
_RELAY = RequestContext(job_relay=True)
_MAX_BACKOFF = 30.0
# RabbitMQ closes a connection that stays silent for its heartbeat timeout (60 s by default);
# touching the relay's connection this often while idle keeps it open.
_KEEPALIVE_INTERVAL = 20.0
_PRUNE_INTERVAL = 3600.0


class BrokerUnavailableError(RuntimeError):
    """The broker refused or did not take a message; the rows not sent stay in the outbox."""


class OutboxRelay:
    """Sends unsent outbox rows: when nudged after a commit, and every `poll_interval` seconds."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        link: BrokerLink,
        executor: Executor,
        *,
        poll_interval: float,
        batch_size: int,
    ) -> None:
        self._sessions = sessions
        self._link = link
        self._executor = executor
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._wakeup = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_broker_contact = time.monotonic()
        self._last_pruned: float | None = None

    @property
    def running(self) -> bool:
        """Whether the relay's loop is alive."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start relaying in the background on the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._stop_requested.clear()
        add_waker(self.wake)
        self._task = asyncio.create_task(self._run(), name="avhopp-job-relay")

    async def stop(self, grace_period: float) -> None:
        """Finish the batch in hand (within `grace_period` seconds) and stop."""
        remove_waker(self.wake)
        self._stop_requested.set()
        self._wakeup.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_period)
        except TimeoutError:
            self._task.cancel()
            _log.warning("job relay stopped mid-batch; its rows will be sent again")
        self._task = None

    def wake(self) -> None:
        """Relay now rather than at the next poll; safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wakeup.set)
        except RuntimeError:
            # The loop closed between the check and the call: nothing left to wake.
            return

    async def relay_once(self) -> int:
        """Send one batch of unsent rows, oldest first.

        Returns:
            How many rows were sent and marked.

        Raises:
            BrokerUnavailableError: The broker failed; the rows sent before it did are marked.

        """
        async with context_session(self._sessions, _RELAY) as session:
            rows = (
                await session.execute(
                    select(JobOutbox.id, JobOutbox.actor_name, JobOutbox.queue_name)
                    .where(JobOutbox.sent_at.is_(None))
                    .order_by(JobOutbox.created_at)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            # The message carries no arguments and no tenant: the worker reads both from the row.
            messages: list[Message[Any]] = [
                Message(
                    queue_name=row.queue_name,
                    actor_name=row.actor_name,
                    args=(),
                    kwargs={},
                    options={},
                    message_id=str(row.id),
                )
                for row in rows
            ]
            loop = asyncio.get_running_loop()
            sent, error = await loop.run_in_executor(self._executor, self._link.publish, messages)
            self._last_broker_contact = time.monotonic()
            if sent:
                await session.execute(
                    update(JobOutbox)
                    .where(JobOutbox.id.in_([row.id for row in rows[:sent]]))
                    .values(sent_at=func.now())
                )
        if error is not None:
            raise BrokerUnavailableError(type(error).__qualname__) from error
        return sent

    async def resend_unfinished(self) -> int:
        """Mark unsent every sent row whose job has not run.

        Only for the in-process broker, at start: its messages died with the process that
        held them. A job that is in fact still running elsewhere is then delivered twice,
        which its idempotency absorbs.

        Returns:
            How many rows will be sent again.

        """
        async with context_session(self._sessions, _RELAY) as session:
            result = await session.execute(
                update(JobOutbox)
                .where(JobOutbox.sent_at.is_not(None), ~exists().where(JobRun.message_id == JobOutbox.id))
                .values(sent_at=None)
            )
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if count:
            _log.info("in-process jobs sent again after a restart", count=count)
        return count

    async def _run(self) -> None:
        backoff = self._poll_interval
        while not self._stop_requested.is_set():
            self._wakeup.clear()
            try:
                sent = await self.relay_once()
                if sent >= self._batch_size:
                    continue
                if time.monotonic() - self._last_broker_contact > _KEEPALIVE_INTERVAL:
                    await self.check_broker()
                if self._last_pruned is None or time.monotonic() - self._last_pruned > _PRUNE_INTERVAL:
                    await self.prune()
            except Exception as error:  # noqa: BLE001 - the relay must outlive a broker or database outage
                _log.warning("job relay failed; retrying", error_type=_error_type(error), retry_in_s=backoff)
                # Nudges do not cut this short: every commit would hammer a broker that is down.
                await _pause(self._stop_requested, backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF)
                continue
            backoff = self._poll_interval
            await _pause(self._wakeup, self._poll_interval)

    async def prune(self) -> None:
        """Delete what the job tables no longer need (every relay does, about once an hour)."""
        self._last_pruned = time.monotonic()
        async with context_session(self._sessions, _RELAY) as session:
            pruned = await prune_job_records(session)
        if pruned.outbox or pruned.runs or pruned.periods:
            _log.info("job records pruned", outbox=pruned.outbox, runs=pruned.runs, periods=pruned.periods)

    async def check_broker(self) -> bool:
        """Whether the broker answers, asked on the relay's broker thread."""
        loop = asyncio.get_running_loop()
        answered = await loop.run_in_executor(self._executor, self._link.check)
        self._last_broker_contact = time.monotonic()
        return answered


async def _pause(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _error_type(error: BaseException) -> str:
    if isinstance(error, BrokerUnavailableError):
        return str(error)
    return type(error).__qualname__

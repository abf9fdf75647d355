"""Consuming messages: a Dramatiq Worker whose threads run the jobs on an event loop of their own.

Dramatiq calls actors on its worker threads; our jobs are coroutines using async
SQLAlchemy, whose connections belong to the event loop that opened them. So the worker
owns one event loop thread and one engine made for it, and each worker thread hands its
job to that loop and waits. The web server's loop and engine are never shared with jobs,
and a job that blocks its loop cannot stall the web server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

import dramatiq
import structlog
from dramatiq.asyncio import EventLoopThread
from dramatiq.middleware import CurrentMessage
from opentelemetry import context as otel_context

from avhopp.platform.database import create_app_engine, session_factory
from avhopp.platform.jobs.actors import (
    Job,
    JobAttemptError,
    UnknownJobMessageError,
    registered_jobs,
    run_once,
)
from avhopp.platform.jobs.tracing import mark_duplicate
from avhopp.platform.telemetry import trace_engine

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Coroutine

    from dramatiq import Broker
    from opentelemetry.context import Context
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from avhopp.platform.telemetry import Telemetry

_log = structlog.get_logger("avhopp.jobs")
_LOOP_START_TIMEOUT = 5.0
_CLOSE_TIMEOUT = 5.0


class JobWorker:
    """A Dramatiq Worker for every registered job, running on `broker`."""

    def __init__(  # noqa: PLR0913 - keyword-only settings passed through from JobRuntime
        self,
        broker: Broker,
        app_url: URL,
        telemetry: Telemetry,
        *,
        audit_key: bytes | None,
        queues: Collection[str] | None,
        threads: int,
        idle_timeout_ms: int,
    ) -> None:
        self._broker = broker
        self._app_url = app_url
        self._telemetry = telemetry
        self._audit_key = audit_key
        self._queues = set(queues) if queues is not None else None
        self._threads = threads
        self._idle_timeout_ms = idle_timeout_ms
        self._loop_thread: EventLoopThread | None = None
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._worker: dramatiq.Worker | None = None

    def start(self) -> None:
        """Start the event loop thread, declare the jobs as actors and start consuming."""
        loop_thread = EventLoopThread(logging.getLogger("avhopp.jobs.loop"))
        # Should stop() never come, this thread must not keep the process alive.
        loop_thread.daemon = True
        loop_thread.start(timeout=_LOOP_START_TIMEOUT)
        self._loop_thread = loop_thread
        self._engine = create_app_engine(self._app_url, pool_size=self._threads)
        trace_engine(self._engine.sync_engine, self._telemetry)
        self._sessions = session_factory(self._engine, audit_key=self._audit_key)
        jobs = registered_jobs()
        if not jobs:
            _log.warning("no jobs registered in this process; import the modules that declare them first")
        for job in jobs:
            if job.name not in self._broker.actors:
                dramatiq.Actor(
                    self._actor_function(job),
                    broker=self._broker,
                    actor_name=job.name,
                    queue_name=job.queue_name,
                    priority=0,
                    options={
                        "max_retries": job.max_retries,
                        "min_backoff": job.min_backoff_ms,
                        "throws": (UnknownJobMessageError,),
                    },
                )
        # Only the queues of jobs known here: a queue the relay declares for a job this process
        # does not know must not be consumed, or its messages would be dead-lettered.
        queues = self._queues if self._queues is not None else {job.queue_name for job in jobs}
        self._worker = dramatiq.Worker(
            self._broker,
            queues=queues,
            worker_threads=self._threads,
            worker_timeout=self._idle_timeout_ms,
        )
        # Outside Dramatiq's own command this is ours to emit; it starts the time limits.
        self._broker.emit_after("process_boot")
        self._worker.start()

    def stop(self, timeout: float) -> None:
        """Stop consuming, wait up to `timeout` seconds for running jobs, then close (blocking).

        A job still running after that is abandoned: its transaction rolls back with its
        connection, and its message, not acknowledged, is delivered again later.
        """
        if self._worker is not None:
            self._worker.stop(timeout=int(timeout * 1000))
            self._worker = None
        loop_thread, self._loop_thread = self._loop_thread, None
        if loop_thread is None:
            return
        # Bounded waits throughout: a job that blocks its event loop must not block the shutdown.
        loop = loop_thread.loop
        if self._engine is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._engine.dispose(), loop).result(timeout=_CLOSE_TIMEOUT)
            except TimeoutError:
                _log.warning("job engine not disposed: its event loop is blocked")
            self._engine = None
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(timeout=_CLOSE_TIMEOUT)

    @property
    def alive(self) -> bool:
        """Whether the event loop and every worker thread are running."""
        return (
            self._worker is not None
            and self._loop_thread is not None
            and self._loop_thread.is_alive()
            and all(thread.is_alive() for thread in self._worker.workers)
        )

    def _actor_function(self, job: Job[Any]) -> Callable[..., None]:
        # Our messages carry no arguments, and whatever another sender put there is ignored:
        # the outbox row is what the job runs with.
        def run(*_args: object, **_kwargs: object) -> None:
            message = CurrentMessage.get_current_message()
            if message is None:
                raise UnknownJobMessageError
            self._run(job, message.message_id)

        return run

    def _run(self, job: Job[Any], message_id: str) -> None:
        """Run on a Dramatiq worker thread: the job on the loop thread, its outcome back to Dramatiq."""
        try:
            outbox_id = UUID(message_id)
        except ValueError:
            raise UnknownJobMessageError from None
        if self._loop_thread is None or self._sessions is None:
            raise RuntimeError("the job worker is not running")
        # The job span is current on this thread; the job runs on another, so it is carried over.
        parent = otel_context.get_current()
        try:
            ran = self._loop_thread.run_coroutine(_in_context(parent, run_once(self._sessions, job, outbox_id)))
        except UnknownJobMessageError:
            _log.warning("job message has no outbox row; dead-lettered", actor=job.name, message_id=message_id)
            raise
        except dramatiq.Retry as retry:
            raise dramatiq.Retry(delay=retry.delay) from None
        except Exception as error:  # noqa: BLE001 - every failure goes to Dramatiq, stripped of its message
            _log.warning("job attempt failed", actor=job.name, message_id=message_id, exc_info=error)
            raise JobAttemptError(type(error).__qualname__) from None
        if not ran:
            mark_duplicate()


async def _in_context(parent: Context, job_run: Coroutine[Any, Any, bool]) -> bool:
    token = otel_context.attach(parent)
    try:
        return await job_run
    finally:
        otel_context.detach(token)

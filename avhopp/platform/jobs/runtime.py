"""The job runtime of one process: the outbox relay and, where jobs run here, the worker.

- No BROKER_URL: an in-memory broker, and the web process runs both relay and worker.
- RabbitMQ or Redis: the web process runs the relay only; `avhopp worker` processes
  (`run_worker`) run a relay and a worker each.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import audit_key_of, create_app_engine, session_factory, verify_runtime_role
from avhopp.platform.jobs.broker import BrokerKind, create_broker
from avhopp.platform.jobs.relay import OutboxRelay
from avhopp.platform.jobs.schedule import PeriodicTicker
from avhopp.platform.jobs.worker import JobWorker
from avhopp.platform.settings import SettingsError
from avhopp.platform.telemetry import configure_telemetry, trace_engine

if TYPE_CHECKING:
    from collections.abc import Collection

    from dramatiq import Broker
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from avhopp.platform.telemetry import Telemetry

_log = structlog.get_logger("avhopp.jobs")
_MAX_IDLE_TIMEOUT = 0.5


class JobRuntime:
    """Relays committed jobs to the broker and, if this process runs jobs, runs them.

    Args:
        broker_url: BROKER_URL; None runs jobs in this process.
        sessions: The runtime role's sessions, on the event loop that calls `start`.
        telemetry: Where job spans and counts go.
        worker: Whether to run jobs here. Default: only with the in-process broker, which
            requires it.
        queues: The queues the worker consumes; default all of the registered jobs'.
        worker_threads: How many jobs may run at once.
        poll_interval: Seconds between looks at the outbox (and, up to 0.5, at an idle broker queue).
        batch_size: Outbox rows sent per transaction.
        shutdown_timeout: Seconds `stop` waits for the relay's batch and for running jobs.
        ready_timeout: Seconds `ready` waits for the broker to answer.
        periodic_tick: Seconds between looks at whether a periodic job is due.

    """

    def __init__(  # noqa: PLR0913 - tuning knobs, all keyword-only with defaults
        self,
        broker_url: str | None,
        sessions: async_sessionmaker[AsyncSession],
        telemetry: Telemetry,
        *,
        worker: bool | None = None,
        queues: Collection[str] | None = None,
        worker_threads: int = 4,
        poll_interval: float = 1.0,
        batch_size: int = 100,
        shutdown_timeout: float = 30.0,
        ready_timeout: float = 2.0,
        periodic_tick: float = 60.0,
    ) -> None:
        self._link = create_broker(broker_url, telemetry)
        in_process = self._link.kind is BrokerKind.IN_PROCESS
        if worker is None:
            worker = in_process
        if in_process and not worker:
            raise ValueError("the in-process broker needs the worker in the same process")
        self._shutdown_timeout = shutdown_timeout
        self._ready_timeout = ready_timeout
        # One thread for every blocking broker call of the relay: pika connections are per thread.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="avhopp-job-relay")
        self._relay = OutboxRelay(
            sessions, self._link, self._executor, poll_interval=poll_interval, batch_size=batch_size
        )
        self._worker = (
            JobWorker(
                self._link.broker,
                _engine_url(sessions),
                telemetry,
                audit_key=audit_key_of(sessions),
                queues=queues,
                threads=worker_threads,
                # Also how often idle worker threads look up, which bounds how long `stop` takes.
                idle_timeout_ms=max(10, round(min(poll_interval, _MAX_IDLE_TIMEOUT) * 1000)),
            )
            if worker
            else None
        )
        self._ticker = PeriodicTicker(sessions, periodic_tick)
        self._probe: asyncio.Task[bool] | None = None
        self._started = False
        self._stopped = False

    @property
    def broker(self) -> Broker:
        """The Dramatiq broker (for tests and diagnostics; jobs are sent through `enqueue`)."""
        return self._link.broker

    async def start(self) -> None:
        """Start the worker (if any) and the relay; the broker may still be unreachable."""
        if self._started:
            raise RuntimeError("the job runtime has already been started")
        self._started = True
        try:
            if self._link.kind is BrokerKind.IN_PROCESS:
                await self._relay.resend_unfinished()
            if self._worker is not None:
                await asyncio.to_thread(self._worker.start)
            await self._relay.start()
            self._ticker.start()
        except BaseException:
            await self.stop()
            raise
        _log.info("job runtime started", broker=str(self._link.kind), worker=self._worker is not None)

    async def stop(self) -> None:
        """Stop relaying, let running jobs finish (up to `shutdown_timeout`), close the broker."""
        if not self._started or self._stopped:
            return
        self._stopped = True
        await self._ticker.stop()
        await self._relay.stop(self._shutdown_timeout)
        if self._probe is not None:
            self._probe.cancel()
        if self._worker is not None:
            await asyncio.to_thread(self._worker.stop, self._shutdown_timeout)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(self._executor, self._link.close), self._shutdown_timeout)
        except Exception as error:  # noqa: BLE001 - closing is best effort; the process is going away
            _log.warning("job broker did not close cleanly", error_type=type(error).__qualname__)
        self._executor.shutdown(wait=False)
        _log.info("job runtime stopped")

    async def ready(self) -> bool:
        """Whether jobs can be relayed (and run, if here): the broker answers, the loops live.

        Never waits longer than `ready_timeout`, and never blocks the event loop.
        """
        if not self._started or self._stopped or not self._relay.running:
            return False
        if self._worker is not None and not self._worker.alive:
            return False
        if self._link.kind is BrokerKind.IN_PROCESS:
            return True
        # One question to the broker at a time: a hung broker must not pile up probes.
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._relay.check_broker())
            # A probe that fails after `ready` stopped waiting has nobody to report to.
            self._probe.add_done_callback(_ignore_outcome)
        try:
            return await asyncio.wait_for(asyncio.shield(self._probe), self._ready_timeout)
        except Exception:  # noqa: BLE001 - any failure, a timeout included, means not ready
            return False

    async def relay_now(self) -> int:
        """Send one batch of unsent outbox rows now (besides the background relay).

        Returns:
            How many rows were sent.

        """
        return await self._relay.relay_once()


def run_worker(settings: Settings, app_url: URL, *, worker_threads: int = 8) -> None:
    """Relay and run jobs until SIGINT or SIGTERM: the `avhopp worker` command.

    Logging must already be configured. Needs BROKER_URL: without one, jobs run in the web
    process and there is nothing for a worker process to take from.

    Raises:
        SettingsError: BROKER_URL is not set.

    """
    if settings.broker_url is None:
        raise SettingsError(
            "BROKER_URL", "måste vara satt för en separat jobbprocess; utan den körs jobben i webbprocessen."
        )
    asyncio.run(_serve_jobs(settings, settings.broker_url, app_url, worker_threads))


async def _serve_jobs(settings: Settings, broker_url: str, app_url: URL, worker_threads: int) -> None:
    telemetry = configure_telemetry(settings.otlp_endpoint)
    engine = create_app_engine(app_url, pool_size=2)
    trace_engine(engine.sync_engine, telemetry)
    try:
        await verify_runtime_role(engine)
        sessions = session_factory(engine, audit_key=chain_key(settings.secret_key))
        runtime = JobRuntime(broker_url, sessions, telemetry, worker=True, worker_threads=worker_threads)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            # A second signal gets the default treatment and ends the process at once.
            for each in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(each)
            stop.set()

        for each in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(each, on_signal)
        await runtime.start()
        try:
            await stop.wait()
        finally:
            _log.info("job worker stopping")
            await runtime.stop()
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()
        telemetry.shutdown()


def _ignore_outcome(task: asyncio.Task[bool]) -> None:
    if not task.cancelled():
        task.exception()


def _engine_url(sessions: async_sessionmaker[AsyncSession]) -> URL:
    """The URL of the engine `sessions` is bound to; the worker opens its own engine to it."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        raise TypeError("JobRuntime needs sessions bound to an AsyncEngine (see avhopp.platform.database)")
    return engine.url

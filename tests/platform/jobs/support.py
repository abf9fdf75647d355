"""Helpers for the job tests: observed telemetry, waiting, reading effects and the outbox."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.sdk.metrics.export import NumberDataPoint
from sqlalchemy import text

from avhopp.platform.jobs import JobRuntime
from tests.platform.jobs.sample_jobs import EFFECT_SCHEMA, EFFECT_TABLE, QUEUE

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.telemetry import Telemetry
    from tests.support.postgres import TestDatabase

DEFAULT_BROKERS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "redis": "redis://127.0.0.1:6379/0"}
BROKERS = [
    pytest.param("in-process", id="in-process"),
    pytest.param("rabbitmq", id="rabbitmq", marks=pytest.mark.broker),
    pytest.param("redis", id="redis", marks=pytest.mark.broker),
]
"""The values of the `broker_url` fixture: every test that takes it runs with each broker."""
IN_PROCESS = BROKERS[:1]
EXTERNAL_BROKERS = BROKERS[1:]


@dataclass
class Observed:
    """Telemetry that keeps what it records, for the tests to look at."""

    telemetry: Telemetry
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def job_spans(self, message_id: UUID) -> list[ReadableSpan]:
        """The finished job spans of one message, oldest first."""
        return [
            span
            for span in self.spans.get_finished_spans()
            if span.name.startswith("job ") and (span.attributes or {}).get("messaging.message.id") == str(message_id)
        ]

    def outcomes(self, message_id: UUID) -> list[str]:
        """The outcomes of the message's deliveries so far."""
        return [str((span.attributes or {})["avhopp.job.outcome"]) for span in self.job_spans(message_id)]

    def job_counts(self) -> Counter[tuple[str, str]]:
        """`telemetry.jobs` by (actor, outcome)."""
        counts: Counter[tuple[str, str]] = Counter()
        data = self.metrics.get_metrics_data()
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != "avhopp.jobs.processed":
                        continue
                    for point in metric.data.data_points:
                        assert isinstance(point, NumberDataPoint)
                        attributes = point.attributes or {}
                        counts[(str(attributes["actor"]), str(attributes["outcome"]))] += int(point.value)
        return counts


@dataclass
class JobsHarness:
    """The database, telemetry and tenants of a job test, and runtimes to start."""

    sessions: async_sessionmaker[AsyncSession]
    owner_engine: Engine
    database: TestDatabase
    observed: Observed
    tenants: tuple[UUID, UUID]
    runtimes: list[JobRuntime] = field(default_factory=list)

    async def start(self, broker_url: str | None, **options: Any) -> JobRuntime:
        """A started runtime with quick test settings; `options` override them."""
        settings: dict[str, Any] = {"worker": True, "queues": {QUEUE}, "poll_interval": 0.05, "worker_threads": 2}
        runtime = JobRuntime(broker_url, self.sessions, self.observed.telemetry, **(settings | options))
        self.runtimes.append(runtime)
        await runtime.start()
        return runtime

    async def stop_all(self) -> None:
        """Stop every runtime started, newest first."""
        for runtime in reversed(self.runtimes):
            await runtime.stop()

    async def effects(self, mark: str) -> list[tuple[str, UUID | None]]:
        """The effect rows the jobs wrote for `mark`."""
        return await effects(self.sessions, mark)

    def outbox_row(self, message_id: UUID) -> Any:
        """The outbox row, read as the owner, or None."""
        return outbox_row(self.owner_engine, message_id)

    def as_owner(self, statement: str, **params: Any) -> Any:
        """Run `statement` as the owner, allowed to read and mark the outbox; all rows."""
        with self.owner_engine.begin() as connection:
            relay_context(connection)
            return connection.execute(text(statement), params).all()


def create_effect_table(owner_engine: Engine, role: str) -> None:
    """The table the sample jobs write to, in a schema of its own, writable by the runtime `role`.

    Alembic's comparison of models and migrations ignores that schema.
    """
    with owner_engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {EFFECT_SCHEMA}"))
        connection.execute(text(f"CREATE TABLE {EFFECT_TABLE} (mark text NOT NULL, tenant_id uuid)"))
        connection.execute(text(f'GRANT USAGE ON SCHEMA {EFFECT_SCHEMA} TO "{role}"'))
        connection.execute(text(f'GRANT SELECT, INSERT ON {EFFECT_TABLE} TO "{role}"'))


def relay_context(connection: Any) -> None:
    """Let the owner read the outbox too, should it not be a superuser (RLS is forced)."""
    connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))


async def wait_until(condition: Callable[[], bool], what: str, *, seconds: float = 15.0) -> None:
    """Poll `condition` until it holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def effects(sessions: async_sessionmaker[AsyncSession], mark: str) -> list[tuple[str, UUID | None]]:
    """The effect rows a job wrote for `mark`."""
    async with sessions() as session:
        rows = await session.execute(text(f"SELECT mark, tenant_id FROM {EFFECT_TABLE} WHERE mark = :t"), {"t": mark})
        return [(row.mark, row.tenant_id) for row in rows]


def outbox_row(owner_engine: Engine, message_id: UUID) -> Any:
    """The outbox row, read as the owner, or None."""
    with owner_engine.begin() as connection:
        relay_context(connection)
        return connection.execute(text("SELECT * FROM job_outbox WHERE id = :id"), {"id": message_id}).one_or_none()

"""Fixtures for the job tests: an effect table, observed telemetry, runtimes, brokers."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from avhopp.platform.telemetry import configure_telemetry
from tests.platform.jobs.sample_jobs import EFFECT_SCHEMA, EFFECT_TABLE, QUEUE
from tests.platform.jobs.support import (
    BROKERS,
    DEFAULT_BROKERS,
    JobsHarness,
    Observed,
    create_effect_table,
    relay_context,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase


@pytest.fixture
def observed() -> Iterator[Observed]:
    """Telemetry recording in memory."""
    spans = InMemorySpanExporter()
    metrics = InMemoryMetricReader()
    telemetry = configure_telemetry(None, span_processor=SimpleSpanProcessor(spans), metric_reader=metrics)
    yield Observed(telemetry, spans, metrics)
    telemetry.shutdown()


@pytest.fixture(scope="package")
def effect_table(owner_engine: Engine, database: TestDatabase) -> Iterator[str]:
    """A table the sample jobs write to, writable by the runtime role; dropped when the job tests are done."""
    create_effect_table(owner_engine, str(database.app_url.username))
    yield EFFECT_TABLE
    with owner_engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {EFFECT_SCHEMA} CASCADE"))


@pytest.fixture(scope="session")
def tenant_ids(owner_engine: Engine) -> tuple[UUID, UUID]:
    """Two tenants."""
    with owner_engine.connect() as connection:
        first, second = connection.execute(text("SELECT id FROM tenant ORDER BY slug LIMIT 2")).scalars()
    return first, second


@pytest.fixture(autouse=True)
def _empty_outbox(owner_engine: Engine) -> Iterator[None]:
    """Each test leaves an empty outbox, so no later relay sends its rows."""
    yield
    with owner_engine.begin() as connection:
        relay_context(connection)
        connection.execute(text("DELETE FROM job_outbox"))


@pytest.fixture
async def jobs(  # noqa: PLR0913, PLR0917 - a harness gathers fixtures so that tests need not
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    database: TestDatabase,
    observed: Observed,
    tenant_ids: tuple[UUID, UUID],
    effect_table: str,
) -> AsyncIterator[JobsHarness]:
    """Everything a job test needs; the runtimes it starts are stopped at the end."""
    assert effect_table
    harness = JobsHarness(sessions, owner_engine, database, observed, tenant_ids)
    yield harness
    await harness.stop_all()


@pytest.fixture(params=BROKERS)
def broker_url(request: pytest.FixtureRequest, _broker_queues: set[str]) -> str | None:
    """Each broker in turn: none (in-process), RabbitMQ, Redis; skipped when not reachable."""
    if request.param == "in-process":
        return None
    url = external_broker_url(request.param)
    _broker_queues.add(url)
    return url


def external_broker_url(kind: str) -> str:
    """BROKER_URL if it names this kind of broker, else the local default; skip if unreachable."""
    configured = os.environ.get("BROKER_URL", "")
    scheme = "amqp" if kind == "rabbitmq" else "redis"
    url = configured if configured.startswith(scheme) else DEFAULT_BROKERS[kind]
    parts = urlsplit(url)
    where = (parts.hostname or "localhost", parts.port or (5672 if kind == "rabbitmq" else 6379))
    try:
        socket.create_connection(where, timeout=0.5).close()
    except OSError:
        if url == configured:
            pytest.fail(f"BROKER_URL is set but {kind} does not answer at {where[0]}:{where[1]}")
        pytest.skip(f"no {kind} at {where[0]}:{where[1]} (set BROKER_URL or start one)")
    return url


@pytest.fixture(scope="session")
def _broker_queues() -> Iterator[set[str]]:
    """The brokers used; their test queues are deleted at the end of the session."""
    used: set[str] = set()
    yield used
    for url in used:
        if url.startswith("amqp"):
            _delete_rabbitmq_queues(url)
        else:
            _delete_redis_keys(url)


# pika and redis are imported where used: loading them costs every test collection time.
def _delete_rabbitmq_queues(url: str) -> None:
    import pika  # noqa: PLC0415

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for name in (QUEUE, f"{QUEUE}.DQ", f"{QUEUE}.XQ"):
            channel.queue_delete(queue=name)
    finally:
        connection.close()


def _delete_redis_keys(url: str) -> None:
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"dramatiq:*{QUEUE}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()

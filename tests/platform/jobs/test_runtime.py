"""The runtime around the relay and the worker: readiness, nudges, outages, the worker command."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs import JobRuntime, enqueue, run_worker
from avhopp.platform.settings import SettingsError, load_settings
from tests.platform.jobs.sample_jobs import record_effect
from tests.platform.jobs.support import EXTERNAL_BROKERS, wait_until

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness

_ROOT = Path(__file__).resolve().parents[3]
_UNREACHABLE = [
    pytest.param("amqp://guest:guest@127.0.0.1:1/", id="rabbitmq"),
    pytest.param("redis://127.0.0.1:1/0", id="redis"),
]


async def test_the_in_process_runtime_is_ready_while_it_runs(jobs: JobsHarness) -> None:
    runtime = JobRuntime(None, jobs.sessions, jobs.observed.telemetry, poll_interval=0.05)
    assert not await runtime.ready()
    await runtime.start()
    try:
        assert await runtime.ready()
    finally:
        await runtime.stop()
    assert not await runtime.ready()


@pytest.mark.parametrize("broker_url", EXTERNAL_BROKERS, indirect=True)
async def test_a_relay_only_runtime_is_ready_when_its_broker_answers(broker_url: str, jobs: JobsHarness) -> None:
    runtime = await jobs.start(broker_url, worker=False)
    assert await runtime.ready()


@pytest.mark.parametrize("broker_url", _UNREACHABLE)
async def test_while_the_broker_is_down_the_runtime_is_not_ready_and_the_job_waits(
    broker_url: str, jobs: JobsHarness
) -> None:
    runtime = await jobs.start(broker_url, worker=False, ready_timeout=1.0)
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, record_effect, mark="waits")

    started = time.monotonic()
    assert not await runtime.ready()
    assert time.monotonic() - started < 2.0
    await asyncio.sleep(0.3)
    assert jobs.outbox_row(message_id).sent_at is None
    started = time.monotonic()
    await runtime.stop()
    assert time.monotonic() - started < 5.0


async def test_a_commit_nudges_the_relay_without_waiting_for_its_poll(jobs: JobsHarness) -> None:
    await jobs.start(None, poll_interval=60.0)
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, record_effect, mark=f"nudged-{uuid.uuid4().hex}")

    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["done"], "the nudged job", seconds=5.0)


async def test_a_message_without_an_outbox_row_is_dead_lettered_without_running(jobs: JobsHarness) -> None:
    runtime = await jobs.start(None)
    forged_id = uuid.uuid4()
    forged: Message[None] = Message(
        queue_name=record_effect.queue_name,
        actor_name=record_effect.name,
        args=(),
        kwargs={"mark": "forged"},
        options={},
        message_id=str(forged_id),
    )
    runtime.broker.enqueue(forged)

    broker = runtime.broker
    assert isinstance(broker, StubBroker)
    # The outcome is recorded when the job ends; the worker rejects the message to the dead letters after that.
    await wait_until(
        lambda: [m.message_id for m in broker.dead_letters] == [str(forged_id)], "the forged message's dead letter"
    )
    assert jobs.observed.outcomes(forged_id) == ["failed"]
    [span] = jobs.observed.job_spans(forged_id)
    assert (span.attributes or {})["error.type"] == "UnknownJobMessageError"
    assert await jobs.effects("forged") == []


def test_the_in_process_broker_cannot_do_without_a_worker(jobs: JobsHarness) -> None:
    with pytest.raises(ValueError, match="needs the worker"):
        JobRuntime(None, jobs.sessions, jobs.observed.telemetry, worker=False)


def test_the_worker_command_needs_a_broker(jobs: JobsHarness) -> None:
    settings = load_settings({"AVHOPP_DATA_DIR": "/nonexistent", "AVHOPP_SECRET_KEY": secrets.token_urlsafe(32)})
    with pytest.raises(SettingsError, match="BROKER_URL"):
        run_worker(settings, jobs.database.app_url)


@pytest.mark.parametrize("broker_url", EXTERNAL_BROKERS, indirect=True)
async def test_the_worker_command_runs_jobs_until_it_is_told_to_stop(broker_url: str, jobs: JobsHarness) -> None:
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.platform.jobs.worker_process",
        cwd=_ROOT,
        env={
            **os.environ,
            "BROKER_URL": broker_url,
            "DATABASE_URL": jobs.database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": secrets.token_urlsafe(32),
            "AVHOPP_TEST_APP_URL": jobs.database.app_url.render_as_string(hide_password=False),
        },
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        mark = f"worker-{uuid.uuid4().hex}"
        async with context_session(jobs.sessions, RequestContext(tenant_id=jobs.tenants[0])) as session:
            await enqueue(session, record_effect, mark=mark)
        deadline = time.monotonic() + 20
        while not await jobs.effects(mark):
            assert worker.returncode is None, "the worker process ended"
            assert time.monotonic() < deadline, "the worker process did not run the job"
            await asyncio.sleep(0.05)
        assert await jobs.effects(mark) == [(mark, jobs.tenants[0])]
        worker.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(worker.communicate(), 15)
        assert worker.returncode == 0, stderr.decode()
        assert b'"job runtime stopped"' in stderr
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

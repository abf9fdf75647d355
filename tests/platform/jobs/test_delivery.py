"""A job runs if and only if its transaction commits, and its effect happens once.

Every test runs with each broker: in-process, RabbitMQ and Redis (when reachable).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from dramatiq import Message

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs import enqueue
from tests.platform.jobs.enqueue_then_die import DIED_AFTER_COMMIT
from tests.platform.jobs.sample_jobs import PERSONAL_DATA, fails_once, record_effect, slow_effect
from tests.platform.jobs.support import IN_PROCESS, wait_until

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness

_ROOT = Path(__file__).resolve().parents[3]


def _mark() -> str:
    return f"mark-{uuid.uuid4().hex}"


async def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    await jobs.start(broker_url)
    context = RequestContext(tenant_id=jobs.tenants[0])
    rolled_back, committed = _mark(), _mark()
    async with jobs.sessions(info={"context": context}) as session:
        lost = await enqueue(session, record_effect, mark=rolled_back)
        await session.rollback()
    async with context_session(jobs.sessions, context) as session:
        kept = await enqueue(session, record_effect, mark=committed)

    await wait_until(lambda: jobs.observed.outcomes(kept) == ["done"], "the committed job")
    assert await jobs.effects(committed) == [(committed, jobs.tenants[0])]
    assert await jobs.effects(rolled_back) == []
    assert jobs.outbox_row(lost) is None
    assert jobs.observed.job_spans(lost) == []


async def test_a_job_enqueued_in_a_committed_transaction_runs_exactly_once(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    runtime = await jobs.start(broker_url)
    mark = _mark()
    async with context_session(jobs.sessions, RequestContext(tenant_id=jobs.tenants[0])) as session:
        message_id = await enqueue(session, record_effect, mark=mark)

    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["done"], "the job")
    assert await runtime.relay_now() == 0
    await asyncio.sleep(0.2)
    assert jobs.observed.outcomes(message_id) == ["done"]
    # The job ran in the enqueuing tenant's transaction.
    assert await jobs.effects(mark) == [(mark, jobs.tenants[0])]
    assert jobs.outbox_row(message_id).sent_at is not None
    runs = jobs.as_owner("SELECT actor_name FROM job_run WHERE message_id = :id", id=message_id)
    assert [run.actor_name for run in runs] == [record_effect.name]


async def test_a_job_committed_just_before_the_process_died_runs_once_after_a_restart(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    mark = _mark()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.platform.jobs.enqueue_then_die",
        cwd=_ROOT,
        env={
            **os.environ,
            "AVHOPP_TEST_APP_URL": jobs.database.app_url.render_as_string(hide_password=False),
            "AVHOPP_TEST_TENANT_ID": str(jobs.tenants[1]),
            "AVHOPP_TEST_MARK": mark,
        },
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == DIED_AFTER_COMMIT, stderr.decode()
    [row] = jobs.as_owner("SELECT id, sent_at FROM job_outbox WHERE args ->> 'mark' = :mark", mark=mark)
    assert row.sent_at is None

    await jobs.start(broker_url)

    await wait_until(lambda: jobs.observed.outcomes(row.id) == ["done"], "the job left by the dead process")
    await asyncio.sleep(0.2)
    assert jobs.observed.outcomes(row.id) == ["done"]
    assert await jobs.effects(mark) == [(mark, jobs.tenants[1])]


@pytest.mark.parametrize("broker_url", IN_PROCESS, indirect=True)
async def test_in_process_jobs_lost_with_their_process_are_sent_again_at_the_next_start(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    first = await jobs.start(broker_url)
    ran, lost = _mark(), _mark()
    async with context_session(jobs.sessions, RequestContext()) as session:
        ran_id = await enqueue(session, record_effect, mark=ran)
    await wait_until(lambda: jobs.observed.outcomes(ran_id) == ["done"], "the first job")
    await first.stop()
    # Sent to an in-memory broker whose process then died, before the job ran.
    async with context_session(jobs.sessions, RequestContext()) as session:
        lost_id = await enqueue(session, record_effect, mark=lost)
    jobs.as_owner("UPDATE job_outbox SET sent_at = now() WHERE id = :id RETURNING id", id=lost_id)

    await jobs.start(broker_url)

    await wait_until(lambda: jobs.observed.outcomes(lost_id) == ["done"], "the lost job")
    await asyncio.sleep(0.2)
    assert jobs.observed.outcomes(ran_id) == ["done"]
    assert await jobs.effects(lost) == [(lost, None)]
    assert await jobs.effects(ran) == [(ran, None)]


async def test_a_message_delivered_again_after_its_job_ran_changes_nothing(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    runtime = await jobs.start(broker_url)
    mark = _mark()
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, record_effect, mark=mark)
    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["done"], "the first delivery")

    # As if a relay had sent the message and died before marking its row: it is sent again.
    jobs.as_owner("UPDATE job_outbox SET sent_at = NULL WHERE id = :id RETURNING id", id=message_id)
    # Either this call or the runtime's own polling relay sends it again, whichever comes first.
    await runtime.relay_now()

    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["done", "duplicate"], "the second delivery")
    assert await jobs.effects(mark) == [(mark, None)]


async def test_concurrent_deliveries_of_one_message_have_one_effect(broker_url: str | None, jobs: JobsHarness) -> None:
    runtime = await jobs.start(broker_url)
    mark = _mark()
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, slow_effect, mark=mark, seconds=0.5)
    copy: Message[None] = Message(
        queue_name=slow_effect.queue_name,
        actor_name=slow_effect.name,
        args=(),
        kwargs={},
        options={},
        message_id=str(message_id),
    )
    # While the first delivery holds its transaction open, the same message arrives again.
    await asyncio.to_thread(runtime.broker.enqueue, copy)

    await wait_until(lambda: len(jobs.observed.outcomes(message_id)) == 2, "both deliveries")
    assert sorted(jobs.observed.outcomes(message_id)) == ["done", "duplicate"]
    assert await jobs.effects(mark) == [(mark, None)]


async def test_a_failed_attempt_leaves_no_effect_and_the_retry_runs_once(
    broker_url: str | None, jobs: JobsHarness
) -> None:
    await jobs.start(broker_url)
    mark = _mark()
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, fails_once, mark=mark)

    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["retrying", "done"], "the retry")
    assert await jobs.effects(mark) == [(mark, None)]
    failed = jobs.observed.job_spans(message_id)[0]
    assert (failed.attributes or {})["error.type"] == "RuntimeError"
    assert PERSONAL_DATA not in failed.to_json()

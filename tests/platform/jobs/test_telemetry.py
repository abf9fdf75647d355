"""Job spans and counts: named for the actor, never carrying a job's arguments or error text."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from dramatiq.brokers.stub import StubBroker
from opentelemetry.trace import SpanKind, StatusCode

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs import enqueue
from tests.platform.jobs.sample_jobs import EFFECT_TABLE, PERSONAL_DATA, QUEUE, always_fails, record_effect
from tests.platform.jobs.support import wait_until

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness


async def test_a_job_has_a_span_named_for_its_actor_without_its_arguments(jobs: JobsHarness) -> None:
    await jobs.start(None)
    secret = f"argument-{uuid.uuid4().hex}"
    async with context_session(jobs.sessions, RequestContext(tenant_id=jobs.tenants[0])) as session:
        message_id = await enqueue(session, record_effect, mark=secret)
    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["done"], "the job")

    [span] = jobs.observed.job_spans(message_id)
    assert span.name == f"job {record_effect.name}"
    assert span.kind is SpanKind.CONSUMER
    assert dict(span.attributes or {}) == {
        "messaging.system": "dramatiq",
        "messaging.operation.type": "process",
        "messaging.destination.name": QUEUE,
        "messaging.message.id": str(message_id),
        "avhopp.job.actor": record_effect.name,
        "avhopp.job.outcome": "done",
    }
    # The job's queries are children of its span, and no span anywhere carries the argument.
    children = [
        s for s in jobs.observed.spans.get_finished_spans() if s.parent and s.parent.span_id == span.context.span_id
    ]
    assert any(EFFECT_TABLE in str((s.attributes or {}).get("db.query.text")) for s in children)
    assert all(secret not in s.to_json() for s in jobs.observed.spans.get_finished_spans())
    assert jobs.observed.job_counts()[(record_effect.name, "done")] == 1


async def test_a_failed_job_span_has_the_error_type_and_not_its_message(jobs: JobsHarness) -> None:
    runtime = await jobs.start(None)
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, always_fails, mark="t")
    await wait_until(lambda: jobs.observed.outcomes(message_id) == ["failed"], "the failure")

    [span] = jobs.observed.job_spans(message_id)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "ValueError"
    assert PERSONAL_DATA not in span.to_json()
    assert jobs.observed.job_counts()[(always_fails.name, "failed")] == 1
    assert await jobs.effects("t") == []
    # Dead-lettered; what the broker keeps of the failure does not quote the error either.
    assert isinstance(runtime.broker, StubBroker)
    [dead] = [m for m in runtime.broker.dead_letters if m.message_id == str(message_id)]
    assert PERSONAL_DATA not in str(dead.options)

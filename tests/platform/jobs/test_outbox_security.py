"""Row-level security on the outbox: a tenant enqueues only for itself, only the relay reads."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, act_for_tenant, context_session
from avhopp.platform.jobs import enqueue
from avhopp.platform.jobs.models import JobOutbox
from tests.platform.jobs.sample_jobs import record_effect

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness

_INSUFFICIENT_PRIVILEGE = "42501"


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


async def test_code_acting_for_one_tenant_cannot_enqueue_a_job_for_another(jobs: JobsHarness) -> None:
    tenant_a, tenant_b = jobs.tenants
    with pytest.raises(DBAPIError) as refused:
        async with context_session(jobs.sessions, RequestContext(tenant_id=tenant_a)) as session:
            await session.execute(
                insert(JobOutbox).values(
                    id=uuid4(), actor_name=record_effect.name, queue_name="default", args={}, tenant_id=tenant_b
                )
            )
    assert _sqlstate(refused.value) == _INSUFFICIENT_PRIVILEGE


async def test_enqueue_records_the_tenant_of_the_session(jobs: JobsHarness) -> None:
    async with context_session(jobs.sessions, RequestContext(tenant_id=jobs.tenants[1])) as session:
        for_tenant = await enqueue(session, record_effect, mark="t")
    async with context_session(jobs.sessions, RequestContext()) as session:
        for_no_tenant = await enqueue(session, record_effect, mark="t")

    assert jobs.outbox_row(for_tenant).tenant_id == jobs.tenants[1]
    assert jobs.outbox_row(for_no_tenant).tenant_id is None
    assert jobs.outbox_row(for_tenant).args == {"mark": "t"}


async def test_a_job_that_switched_tenant_enqueues_for_the_tenant_it_acts_for_now(jobs: JobsHarness) -> None:
    first, second = jobs.tenants
    async with context_session(jobs.sessions, RequestContext(tenant_id=first)) as session:
        await act_for_tenant(session, second)
        switched = await enqueue(session, record_effect, mark="t")

    assert jobs.outbox_row(switched).tenant_id == second


async def test_the_runtime_role_sees_and_changes_no_outbox_row_outside_the_relay(jobs: JobsHarness) -> None:
    tenant = jobs.tenants[0]
    async with context_session(jobs.sessions, RequestContext(tenant_id=tenant)) as session:
        await enqueue(session, record_effect, mark="t")

    for context in (RequestContext(tenant_id=tenant), RequestContext()):
        async with context_session(jobs.sessions, context) as session:
            assert await session.scalar(text("SELECT count(*) FROM job_outbox")) == 0
            marked = await session.execute(text("UPDATE job_outbox SET sent_at = now()"))
            assert marked.rowcount == 0  # type: ignore[attr-defined]
    async with context_session(jobs.sessions, RequestContext(job_relay=True)) as session:
        assert await session.scalar(text("SELECT count(*) FROM job_outbox")) == 1


@pytest.mark.parametrize("flag", ["", "off", "ON", "on ", "true", "1"])
async def test_only_the_relay_flag_exactly_on_reads_or_marks_the_outbox(jobs: JobsHarness, flag: str) -> None:
    """Migration 0049 made the relay's test an index key: any other value still shows and marks nothing."""
    first, second = jobs.tenants
    for context in (RequestContext(tenant_id=first), RequestContext(tenant_id=second), RequestContext()):
        async with context_session(jobs.sessions, context) as session:
            await enqueue(session, record_effect, mark="t")

    for context in (RequestContext(tenant_id=first), RequestContext()):
        async with context_session(jobs.sessions, context) as session:
            await session.execute(text("SELECT set_config('app.job_relay', :flag, true)"), {"flag": flag})
            assert await session.scalar(text("SELECT count(*) FROM job_outbox")) == 0
            assert (await session.execute(text("SELECT id FROM job_outbox ORDER BY id LIMIT 50"))).all() == []
            marked = await session.execute(text("UPDATE job_outbox SET sent_at = now()"))
            assert marked.rowcount == 0  # type: ignore[attr-defined]
    # The relay reads every tenant's rows and those of no tenant.
    async with context_session(jobs.sessions, RequestContext(job_relay=True)) as session:
        tenants = (await session.execute(text("SELECT tenant_id FROM job_outbox"))).scalars().all()
    assert sorted(map(str, tenants)) == sorted([str(first), str(second), "None"])


async def test_the_runtime_role_cannot_delete_outbox_rows_even_as_the_relay(jobs: JobsHarness) -> None:
    with pytest.raises(DBAPIError) as refused:
        async with context_session(jobs.sessions, RequestContext(job_relay=True)) as session:
            await session.execute(text("DELETE FROM job_outbox"))
    assert _sqlstate(refused.value) == _INSUFFICIENT_PRIVILEGE


async def test_the_runtime_role_cannot_rewrite_what_a_job_does(jobs: JobsHarness) -> None:
    async with context_session(jobs.sessions, RequestContext()) as session:
        message_id = await enqueue(session, record_effect, mark="t")
    with pytest.raises(DBAPIError) as refused:
        async with context_session(jobs.sessions, RequestContext(job_relay=True)) as session:
            await session.execute(text("UPDATE job_outbox SET args = '{}' WHERE id = :id"), {"id": message_id})
    assert _sqlstate(refused.value) == _INSUFFICIENT_PRIVILEGE


@pytest.mark.parametrize(
    ("arguments", "error"),
    [({"mark": uuid4()}, TypeError), ({"mark": math.nan}, ValueError)],
    ids=["not-json", "nan"],
)
async def test_enqueue_refuses_arguments_that_are_not_json(
    jobs: JobsHarness, arguments: dict[str, object], error: type[Exception]
) -> None:
    async with jobs.sessions() as session:
        with pytest.raises(error):
            await enqueue(session, record_effect, **arguments)  # type: ignore[arg-type]


async def test_enqueue_refuses_positional_arguments(jobs: JobsHarness) -> None:
    async with jobs.sessions() as session:
        with pytest.raises(TypeError, match="keyword arguments only"):
            await enqueue(session, record_effect, "t")  # type: ignore[call-arg]

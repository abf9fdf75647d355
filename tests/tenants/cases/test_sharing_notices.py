"""Both sides are told when a sharing ends: by revocation at once, by its end date through the job.

The notifications carry a kind and a link only; the other organisation's are made by a job that
acts for that organisation, as the worker runs it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, text

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.actors import run_once
from avhopp.platform.notifications.models import Notification
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.consent import notify_ended_grants, tell_organisation_consent_ended
from avhopp.tenants.cases.jobs import for_every_case_tenant
from avhopp.tenants.cases.service import Category, ConsentInput, join_shared_case, record_consent, revoke_consent
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG, GOTEBORG_SOCIALSEKRETERARE, KC, KC_HANDLAGGARE
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

TODAY = swedish_date()


async def kinds_of(
    sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, person: NamedPerson
) -> list[tuple[str, str]]:
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=person.user_id)) as session:
        rows = await session.execute(
            select(Notification.kind, Notification.link).where(Notification.user_id == person.user_id)
        )
        return sorted((row.kind, row.link) for row in rows)


def ended_jobs(owner_engine: Engine) -> list[uuid.UUID]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        rows = connection.execute(
            text("SELECT id FROM job_outbox WHERE actor_name = :actor ORDER BY created_at"),
            {"actor": tell_organisation_consent_ended.name},
        )
        return [uuid.UUID(str(row.id)) for row in rows]


async def shared_with_kc(acting_as: ActingAs, tenant_ids: dict[str, UUID]) -> tuple[UUID, UUID]:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        consent_id = await record_consent(
            session,
            actor,
            case_id,
            ConsentInput(
                organisations=(tenant_ids[KC],),
                categories=(Category.IDENTITY, Category.ACTION_PLAN),
                purpose="Stöd",
                valid_from=TODAY,
                valid_until=TODAY + timedelta(days=90),
                witnessed_by="Anna Lind",
            ),
            SECRET_KEY,
        )
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        await join_shared_case(session, actor, case_id)
    return case_id, consent_id


async def test_revoking_tells_both_sides_with_nothing_but_a_link(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id, consent_id = await shared_with_kc(acting_as, tenant_ids)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, consent_id)
    [job_id] = ended_jobs(owner_engine)
    assert await run_once(sessions, tell_organisation_consent_ended, job_id)

    assert await kinds_of(sessions, tenant_ids[GOTEBORG], GOTEBORG_SOCIALSEKRETERARE) == [
        ("case_consent_ended", f"/arenden/{case_id}")
    ]
    # The organisation that lost access gets no link into a case it can no longer open.
    assert await kinds_of(sessions, tenant_ids[KC], KC_HANDLAGGARE) == [("case_consent_ended", "/arenden")]


async def test_reaching_the_end_date_tells_both_sides_once(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    case_id, _consent_id = await shared_with_kc(acting_as, tenant_ids)
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)"),
            {"tenant": str(tenant_ids[GOTEBORG]), "user": str(GOTEBORG_SOCIALSEKRETERARE.user_id)},
        )
        connection.execute(
            text(
                "UPDATE case_grant SET valid_from = now() - interval '2 days',"
                " valid_until = now() - interval '1 second'"
            )
        )
    for _ in range(2):
        async with context_session(sessions, RequestContext()) as session:
            await for_every_case_tenant(session, datetime.now(UTC), notify_ended_grants)
    [job_id] = ended_jobs(owner_engine)
    assert await run_once(sessions, tell_organisation_consent_ended, job_id)
    assert await kinds_of(sessions, tenant_ids[GOTEBORG], GOTEBORG_SOCIALSEKRETERARE) == [
        ("case_consent_ended", f"/arenden/{case_id}")
    ]
    assert await kinds_of(sessions, tenant_ids[KC], KC_HANDLAGGARE) == [("case_consent_ended", "/arenden")]

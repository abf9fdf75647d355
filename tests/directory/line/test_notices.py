"""The line notifies: a new referral its receivers (who may receive referrals), an escalation the supervisors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text, update

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.line.jobs import for_every_line
from avhopp.directory.line.models import Referral
from avhopp.directory.line.notices import (
    ESCALATED_LINK,
    REFERRAL_RECEIVED,
    REFERRALS_ESCALATED,
    notify_referral_received,
)
from avhopp.directory.line.service import Opening, ReferralRequest, escalate_unopened, refer, start_contact
from avhopp.directory.line.vocabulary import CallerType, Channel
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.actors import run_once
from avhopp.platform.notifications.models import Notification
from avhopp.tenants.registry.roles import Role
from tests.platform.auth.conftest import grant_membership

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.directory.conftest import Tenants

pytestmark = pytest.mark.usefixtures("seeded")
LINE, KC, MALMO = "stodlinjen", "kc-goteborg", "kommun-1280"


def member(owner_engine: Engine, slug: str, roles: list[str]) -> uuid.UUID:
    with owner_engine.begin() as connection:
        user_id = connection.execute(
            text("INSERT INTO app_user (display_name) VALUES (:n) RETURNING id"),
            {"n": f"Person {uuid.uuid4().hex[:6]}"},
        ).scalar_one()
    grant_membership(owner_engine, user_id, slug, roles)
    return uuid.UUID(str(user_id))


async def notices(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, user_id: uuid.UUID
) -> list[tuple[str, str]]:
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=user_id)) as session:
        rows = await session.execute(
            select(Notification.kind, Notification.link).where(Notification.user_id == user_id)
        )
        return [(row.kind, row.link) for row in rows]


def outbox_id(owner_engine: Engine, actor: str, referral_id: uuid.UUID) -> uuid.UUID:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        return uuid.UUID(
            str(
                connection.execute(
                    text("SELECT id FROM job_outbox WHERE actor_name = :a AND args->>'referral_id' = :r"),
                    {"a": actor, "r": str(referral_id)},
                ).scalar_one()
            )
        )


async def send_referral(tenants: Tenants, operator: uuid.UUID) -> uuid.UUID:
    async with tenants.acting(LINE, operator) as session:
        contact = await start_contact(session, tenants.ids[LINE], operator, Opening(Channel.PHONE, CallerType.RELATIVE))
        return await refer(
            session,
            tenants.ids[LINE],
            operator,
            contact,
            ReferralRequest(
                seed_service_id(KC), consent_given=True, shared_information="Behöver stöd.", safe_contact=""
            ),
        )


async def test_a_new_referral_notifies_the_receivers_people_who_may_receive_referrals(
    tenants: Tenants, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    officer = member(owner_engine, KC, [Role.CASE_OFFICER])
    editor = member(owner_engine, KC, [Role.DIRECTORY_EDITOR])
    elsewhere = member(owner_engine, MALMO, [Role.CASE_OFFICER])
    operator = member(owner_engine, LINE, [Role.LINE_OPERATOR])
    referral_id = await send_referral(tenants, operator)

    # The job committed with the referral, run as the worker would run its message.
    assert await run_once(
        sessions, notify_referral_received, outbox_id(owner_engine, notify_referral_received.name, referral_id)
    )

    assert await notices(sessions, tenants.ids[KC], officer) == [
        (REFERRAL_RECEIVED.code, f"/arenden/remisser/{referral_id}")
    ]
    assert await notices(sessions, tenants.ids[KC], editor) == []
    assert await notices(sessions, tenants.ids[MALMO], elsewhere) == []
    assert await notices(sessions, tenants.ids[LINE], operator) == []


async def test_an_escalation_notifies_the_lines_supervisors_once(
    tenants: Tenants, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    supervisor = member(owner_engine, LINE, [Role.LINE_SUPERVISOR])
    operator = member(owner_engine, LINE, [Role.LINE_OPERATOR])
    referral_id = await send_referral(tenants, operator)
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenants.ids[LINE])})
        connection.execute(
            update(Referral).where(Referral.id == referral_id).values(sent_at=datetime.now(UTC) - timedelta(days=7))
        )

    for _ in range(2):
        async with tenants.acting(None) as session:
            await for_every_line(session, datetime.now(UTC), escalate_unopened)

    assert await notices(sessions, tenants.ids[LINE], supervisor) == [(REFERRALS_ESCALATED.code, ESCALATED_LINK)]
    assert await notices(sessions, tenants.ids[LINE], operator) == []

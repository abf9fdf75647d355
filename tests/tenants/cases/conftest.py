"""Cases under test: the named people's actors, and sessions acting as one of them."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.line.service import Opening, ReferralRequest, refer, start_contact
from avhopp.directory.line.vocabulary import CallerType, Channel
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import Actor, Category, ConsentInput, ContactSource, NewCase, PersonDetails, open_case
from avhopp.tenants.registry.models import Tenant
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG_ERSATTARE,
    GOTEBORG_SOCIALSEKRETERARE,
    KC,
    LINE_OPERATOR,
    PEOPLE,
    NamedPerson,
    create_people,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.reset import Baseline


@pytest.fixture(scope="session")
async def tenant_ids(sessions: async_sessionmaker[AsyncSession], baseline: Baseline) -> dict[str, UUID]:  # noqa: ARG001
    """Every tenant's id by slug."""
    async with context_session(sessions, RequestContext()) as session:
        return dict((await session.execute(select(Tenant.slug, Tenant.id))).all())


@pytest.fixture
def acting_as(
    sessions: async_sessionmaker[AsyncSession],
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001
) -> Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]:
    """A transaction acting as one named person in their first tenant, as the request scope makes it.

    A person outside the table (`person_in`) is created on first use and goes with the test's writes.
    """

    @asynccontextmanager
    async def acting(person: NamedPerson) -> AsyncIterator[tuple[AsyncSession, Actor]]:
        if person not in PEOPLE:
            with owner_engine.begin() as connection:
                create_people(connection, [person])
        actor = Actor(tenant_ids[person.tenant], person.user_id)
        async with context_session(
            sessions, RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)
        ) as session:
            yield session, actor

    return acting


async def open_goteborg_case(
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
    name: str = "Adam Andersson",
) -> UUID:
    """A case of Göteborg's social services, its officer responsible and a colleague deputy."""
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        return await open_case(
            session,
            SECRET_KEY,
            actor,
            NewCase(
                ContactSource.PERSON,
                PersonDetails(name=name, personal_number="19811228-9874", phone="0701234567"),
                deputy_id=GOTEBORG_ERSATTARE.user_id,
            ),
        )


TODAY = swedish_date()


def consent_for(
    *organisations: UUID, categories: tuple[Category, ...], contributors: tuple[UUID, ...] = ()
) -> ConsentInput:
    """A running written consent that shares `categories` with `organisations`."""
    return ConsentInput(
        organisations=organisations,
        categories=categories,
        purpose="Samordning av stöd och skydd",
        valid_from=TODAY - timedelta(days=1),
        valid_until=TODAY + timedelta(days=365),
        witnessed_by="Handläggare och personen själv",
        contributors=contributors,
    )


async def referral_to_kc(
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
) -> UUID:
    """A referral from the guidance line to the Kunskapscentrum's operation, the caller's consent given."""
    async with acting_as(LINE_OPERATOR) as (session, actor):
        contact = await start_contact(
            session, actor.tenant_id, actor.user_id, Opening(Channel.PHONE, CallerType.PERSON)
        )
        return await refer(
            session,
            actor.tenant_id,
            actor.user_id,
            contact,
            ReferralRequest(
                seed_service_id(KC),
                consent_given=True,
                shared_information="Vill lämna en grupp, behöver boende.",
                safe_contact="Sms efter kl. 18",
            ),
        )

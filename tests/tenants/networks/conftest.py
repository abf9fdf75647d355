"""Networks under test: the people of two counties' networks, a guest, and sessions acting as one of them.

Västra Götaland's coordinator runs Västra Götaland's space with Göteborg's social services as member;
Skåne's coordinator runs Skåne's with Malmö's. A police officer of Bergslagen is a guest. Each test
builds what it needs through the service, as the people themselves would.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text

from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.networks.service import (
    Actor,
    AgendaPoint,
    Invitation,
    MeetingInput,
    NetworkRole,
    SpaceScope,
    invite_member,
    name_representatives,
    open_space,
    plan_meeting,
)
from avhopp.tenants.registry.models import Tenant
from avhopp.tenants.registry.roles import Role
from tests.support.people import PEOPLE, VASTRA_GOTALAND_SAMORDNARE, NamedPerson, create_people, person_in

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


VG_SAMORDNARE = VASTRA_GOTALAND_SAMORDNARE
SKANE_SAMORDNARE = person_in("lansstyrelsen-12", Role.NETWORK_COORDINATOR, key="skane-samordnare")
GOTEBORG_NATVERK = person_in("kommun-1480", Role.NETWORK_MEMBER, key="goteborg-natverk")
GOTEBORG_KOLLEGA = person_in("kommun-1480", Role.NETWORK_MEMBER, key="goteborg-natverk-kollega")
BORAS_NATVERK = person_in("kommun-1490", Role.NETWORK_MEMBER, key="boras-natverk")
MALMO_NATVERK = person_in("kommun-1280", Role.NETWORK_MEMBER, key="malmo-natverk")
POLIS_GAST = person_in("polisen-bergslagen", Role.SECURITY_OFFICER, key="polis-gast")
GUEST_EMAIL = "polis.gast@polisen.example"


@pytest.fixture(scope="session")
async def tenant_ids(sessions: async_sessionmaker[AsyncSession], baseline: object) -> dict[str, UUID]:  # noqa: ARG001
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
    """A transaction acting as one person in their first tenant, as the request scope makes it."""

    created: set[NamedPerson] = set()

    @asynccontextmanager
    async def acting(person: NamedPerson) -> AsyncIterator[tuple[AsyncSession, Actor]]:
        # Created once per test: a test that removes a membership must not see it made again.
        if person not in PEOPLE and person not in created:
            created.add(person)
            with owner_engine.begin() as connection:
                create_people(connection, [person])
                if person == POLIS_GAST:
                    connection.execute(
                        text("UPDATE app_user SET email = :email WHERE id = :id"),
                        {"email": GUEST_EMAIL, "id": person.user_id},
                    )
        actor = Actor(tenant_ids[person.tenant], person.user_id)
        async with context_session(
            sessions, RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)
        ) as session:
            yield session, actor

    return acting


@dataclass(frozen=True)
class TwoCounties:
    """Both counties' spaces, memberships and a meeting of each."""

    vg_space: UUID
    vg_goteborg: UUID
    vg_meeting: UUID
    skane_space: UUID
    skane_malmo: UUID
    skane_meeting: UUID


SOON = datetime.now(UTC) + timedelta(days=7)


async def county_network(
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
    coordinator: NamedPerson,
    name: str,
    member: NamedPerson,
    tenant_ids: dict[str, UUID],
) -> tuple[UUID, UUID, UUID]:
    """A county's space with one member organisation, its representative named, and a meeting."""
    async with acting_as(coordinator) as (session, actor):
        space = await open_space(session, actor, SpaceScope.COUNTY, name)
        membership = await invite_member(
            session,
            actor,
            space,
            Invitation(tenant_ids[member.tenant], NetworkRole.SOCIAL_SERVICES, "Avhopparsamordnare, socialtjänsten"),
        )
    async with acting_as(member) as (session, actor):
        await name_representatives(session, actor, membership, [member.user_id])
    async with acting_as(coordinator) as (session, actor):
        meeting = await plan_meeting(
            session,
            actor,
            space,
            MeetingInput(
                f"Nätverksmöte {name}",
                SOON,
                SOON + timedelta(hours=2),
                place="Länsstyrelsen, sal 3",
                agenda=(AgendaPoint("Behov i länet", membership), AgendaPoint("Övrigt")),
            ),
        )
    return space, membership, meeting


@pytest.fixture
async def two_counties(
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
    tenant_ids: dict[str, UUID],
) -> TwoCounties:
    vg = await county_network(acting_as, VG_SAMORDNARE, "Länsnätverket Västra Götaland", GOTEBORG_NATVERK, tenant_ids)
    skane = await county_network(acting_as, SKANE_SAMORDNARE, "Länsnätverket Skåne", MALMO_NATVERK, tenant_ids)
    return TwoCounties(*vg, *skane)

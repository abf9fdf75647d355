"""From the attacker's side: what each person reaches of the networks, through the service and in raw SQL.

Row-level security is what is tested: the raw queries run on the runtime role's session, acting as the
person, and count rows of the other county's network that must not be there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.problems import NotFoundError
from avhopp.tenants.networks.service import (
    Invitation,
    NetworkRole,
    answer,
    end_membership,
    guest_meetings,
    invite_guest,
    invite_member,
    meeting_view,
    meetings_of,
    name_representatives,
    space_for,
    space_view,
    spaces_of,
)
from tests.tenants.networks.conftest import (
    GOTEBORG_KOLLEGA,
    GOTEBORG_NATVERK,
    GUEST_EMAIL,
    MALMO_NATVERK,
    POLIS_GAST,
    SKANE_SAMORDNARE,
    VG_SAMORDNARE,
    TwoCounties,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

TABLES_BY_SPACE = ("network_member", "network_representative", "network_meeting", "network_agenda_item")


async def _rows_of_space(session: AsyncSession, space_id: UUID) -> int:
    total = await session.scalar(text("SELECT count(*) FROM network_space WHERE id = :s"), {"s": space_id}) or 0
    for table in TABLES_BY_SPACE:
        total += await session.scalar(text(f"SELECT count(*) FROM {table} WHERE space_id = :s"), {"s": space_id}) or 0
    return total


async def test_a_member_of_vastra_gotaland_sees_nothing_of_skane(
    acting_as: ActingAs, two_counties: TwoCounties
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert [line.space_id for line in await spaces_of(session, actor)] == [two_counties.vg_space]
        assert await _rows_of_space(session, two_counties.skane_space) == 0
        assert await _rows_of_space(session, two_counties.vg_space) > 0
        for attempt in (
            space_for(session, actor, two_counties.skane_space),
            meetings_of(session, actor, two_counties.skane_space),
            meeting_view(session, actor, two_counties.skane_meeting),
            end_membership(session, actor, two_counties.skane_malmo),
        ):
            with pytest.raises(NotFoundError):
                await attempt
        with pytest.raises(NotFoundError):
            await answer(session, actor, two_counties.skane_meeting, attending=True)


async def test_a_coordinator_runs_only_their_own_county(acting_as: ActingAs, two_counties: TwoCounties) -> None:
    async with acting_as(SKANE_SAMORDNARE) as (session, actor):
        assert await _rows_of_space(session, two_counties.vg_space) == 0
        with pytest.raises(NotFoundError):
            await space_view(session, actor, two_counties.vg_space)
        with pytest.raises(NotFoundError):
            await invite_guest(session, actor, two_counties.vg_meeting, actor.tenant_id, GUEST_EMAIL)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        view = await space_view(session, actor, two_counties.vg_space)
        assert [member.organisation for member in view.members] == ["Göteborgs Stad"]
        assert view.members[0].representatives  # the coordinator sees who represents each organisation


async def test_the_representative_sees_members_and_meetings_a_colleague_only_the_invitation(
    acting_as: ActingAs, two_counties: TwoCounties
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        view = await space_view(session, actor, two_counties.vg_space)
        assert view.line.representative
        assert [meeting.id for meeting in await meetings_of(session, actor, two_counties.vg_space)] == [
            two_counties.vg_meeting
        ]
        seen = await meeting_view(session, actor, two_counties.vg_meeting)
        assert [line.brought_by for line in seen.agenda] == ["Göteborgs Stad", "Samordnaren"]
        await answer(session, actor, two_counties.vg_meeting, attending=True)
    # Someone else of Göteborg, not named: sees that Göteborg is invited, nothing of the network's work.
    async with acting_as(GOTEBORG_KOLLEGA) as (session, actor):
        view = await space_view(session, actor, two_counties.vg_space)
        assert not view.line.representative
        assert view.members[0].organisation == "Göteborgs Stad"
        assert await meetings_of(session, actor, two_counties.vg_space) == []
        with pytest.raises(NotFoundError):
            await meeting_view(session, actor, two_counties.vg_meeting)
        meetings = await session.scalar(text("SELECT count(*) FROM network_meeting"))
        assert meetings == 0


async def test_a_former_member_sees_nothing_at_all(acting_as: ActingAs, two_counties: TwoCounties) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        await end_membership(session, actor, two_counties.vg_goteborg)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await spaces_of(session, actor) == []
        assert await _rows_of_space(session, two_counties.vg_space) == 0
        with pytest.raises(NotFoundError):
            await meeting_view(session, actor, two_counties.vg_meeting)


async def test_leaving_the_organisation_ends_access_at_once(
    acting_as: ActingAs,
    two_counties: TwoCounties,  # noqa: ARG001 - Göteborg's representative, named in it
    owner_engine: Engine,
) -> None:
    with owner_engine.begin() as connection:
        connection.execute(text("DELETE FROM membership WHERE user_id = :u"), {"u": GOTEBORG_NATVERK.user_id})
    async with acting_as(GOTEBORG_NATVERK) as (session, _actor):
        # Still named as representative, but no longer Göteborg's: the meetings are gone for them.
        assert await session.scalar(text("SELECT count(*) FROM network_meeting")) == 0
        assert await session.scalar(text("SELECT count(*) FROM network_agenda_item")) == 0


async def test_a_guest_sees_their_meeting_only_and_only_until_it_ends(
    acting_as: ActingAs, two_counties: TwoCounties, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    async with acting_as(POLIS_GAST) as (session, actor):
        assert await guest_meetings(session, actor) == []
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await invite_guest(session, actor, two_counties.vg_meeting, tenant_ids["polisen-bergslagen"], GUEST_EMAIL)
    async with acting_as(POLIS_GAST) as (session, actor):
        assert [meeting.id for meeting in await guest_meetings(session, actor)] == [two_counties.vg_meeting]
        view = await meeting_view(session, actor, two_counties.vg_meeting)
        assert view.guest
        assert view.space_name is None
        await answer(session, actor, two_counties.vg_meeting, attending=False)
        assert await session.scalar(text("SELECT count(*) FROM network_space")) == 0
        assert await session.scalar(text("SELECT count(*) FROM network_member")) == 0
        with pytest.raises(NotFoundError):
            await space_for(session, actor, two_counties.vg_space)
        with pytest.raises(NotFoundError):
            await meeting_view(session, actor, two_counties.skane_meeting)
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE network_meeting SET starts_at = starts_at - :d, ends_at = ends_at - :d WHERE id = :m"),
            {"d": timedelta(days=30), "m": two_counties.vg_meeting},
        )
    async with acting_as(POLIS_GAST) as (session, actor):
        assert await guest_meetings(session, actor) == []
        with pytest.raises(NotFoundError):
            await meeting_view(session, actor, two_counties.vg_meeting)


async def test_a_member_from_another_county_is_possible(
    acting_as: ActingAs, two_counties: TwoCounties, tenant_ids: dict[str, UUID]
) -> None:
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        membership = await invite_member(
            session,
            actor,
            two_counties.vg_space,
            Invitation(tenant_ids["kommun-1280"], NetworkRole.SOCIAL_SERVICES, "Socialtjänsten, grannlän"),
        )
    async with acting_as(MALMO_NATVERK) as (session, actor):
        await name_representatives(session, actor, membership, [actor.user_id])
        spaces = {line.space_id for line in await spaces_of(session, actor)}
        assert spaces == {two_counties.vg_space, two_counties.skane_space}

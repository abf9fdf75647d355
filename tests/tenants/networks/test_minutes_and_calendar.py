"""Minutes drafted, approved and published with an action item; what members see at each stage; the .ics;
reminders and "minutes published" notified to the representatives, nothing personal in them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from icalendar import Calendar
from sqlalchemy import text

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.networks.notices import notify_minutes_published, remind_of_meetings
from avhopp.tenants.networks.service import (
    MinutesStatus,
    OutcomeInput,
    OutcomeKind,
    advance_minutes,
    draft_minutes,
    mark_done,
    meeting_calendar,
    minutes_of,
)
from tests.tenants.networks.conftest import GOTEBORG_NATVERK, MALMO_NATVERK, VG_SAMORDNARE, TwoCounties

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.tenants.networks.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

DUE = datetime.now(UTC).date() + timedelta(days=30)


def notices(owner_engine: Engine, person: NamedPerson) -> list[tuple[str, str]]:
    with owner_engine.connect() as connection:
        return [
            (row.kind, row.link)
            for row in connection.execute(
                text("SELECT kind, link FROM notification WHERE user_id = :u ORDER BY created_at"),
                {"u": person.user_id},
            )
        ]


async def test_minutes_reach_members_only_once_published(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    meeting = two_counties.vg_meeting
    action = OutcomeInput(OutcomeKind.ACTION, "Kartlägga boenden i länet", two_counties.vg_goteborg, DUE)
    decision = OutcomeInput(OutcomeKind.DECISION, "Nätverket träffas varje kvartal")
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await draft_minutes(session, actor, meeting, "Text", (OutcomeInput(OutcomeKind.ACTION, "Utan ansvarig"),))
        assert set(refused.value.by_field()) == {"outcomes.1.responsible", "outcomes.1.due_on"}
        await draft_minutes(session, actor, meeting, "Vi talade om behoven.\nInga namn.", (action, decision))
        with pytest.raises(InvalidInputError):
            await advance_minutes(session, actor, meeting, MinutesStatus.PUBLISHED)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await minutes_of(session, actor, meeting) is None
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await advance_minutes(session, actor, meeting, MinutesStatus.APPROVED)
        with pytest.raises(InvalidInputError):
            await draft_minutes(session, actor, meeting, "Ändrat i efterhand", ())
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await minutes_of(session, actor, meeting) is None
        assert await session.scalar(text("SELECT count(*) FROM network_outcome")) == 0
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await advance_minutes(session, actor, meeting, MinutesStatus.PUBLISHED)
    # The job committed with the publication, run as the runtime would: for the county board.
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await notify_minutes_published.body(session, meeting_id=str(meeting))
    assert notices(owner_engine, GOTEBORG_NATVERK) == [("network_minutes_published", f"/natverk/moten/{meeting}")]
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        published = await minutes_of(session, actor, meeting)
        assert published is not None
        assert published.status == MinutesStatus.PUBLISHED
        mine = next(line for line in published.outcomes if line.kind == OutcomeKind.ACTION)
        assert (mine.responsible, mine.mine, mine.due_on) == ("Göteborgs Stad", True, DUE)
        await mark_done(session, actor, mine.outcome_id)
    # Skåne's representative sees none of it, and cannot mark it done.
    async with acting_as(MALMO_NATVERK) as (session, actor):
        with pytest.raises(NotFoundError):
            await minutes_of(session, actor, meeting)
        with pytest.raises(NotFoundError):
            await mark_done(session, actor, mine.outcome_id)
        assert (
            await session.scalar(text("SELECT count(*) FROM network_minutes WHERE meeting_id = :m"), {"m": meeting})
            == 0
        )


async def test_the_calendar_file_carries_the_meeting_and_nothing_else(
    acting_as: ActingAs, two_counties: TwoCounties
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        content = await meeting_calendar(session, actor, two_counties.vg_meeting)
        with pytest.raises(NotFoundError):
            await meeting_calendar(session, actor, two_counties.skane_meeting)
    event = next(component for component in Calendar.from_ical(content).walk("VEVENT"))
    assert str(event["summary"]) == "Nätverksmöte Länsnätverket Västra Götaland"
    assert str(event["location"]) == "Länsstyrelsen, sal 3"
    assert event.decoded("dtstart").tzinfo is not None
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Stockholm"
    # The agenda (which a member could word about a case) never goes into people's calendars.
    assert b"Behov i l" not in content
    assert b"Europe/Stockholm" in content


async def test_a_reminder_goes_out_once_a_day_before(
    acting_as: ActingAs,  # noqa: ARG001 - the people of the two networks
    two_counties: TwoCounties,
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE network_meeting SET starts_at = now() + interval '3 hours',"
                " ends_at = now() + interval '5 hours'"
            )
        )
    for _ in range(2):
        async with context_session(sessions, RequestContext()) as session:
            await remind_of_meetings.body(session)
    assert notices(owner_engine, GOTEBORG_NATVERK) == [
        ("network_meeting_reminder", f"/natverk/moten/{two_counties.vg_meeting}")
    ]
    assert notices(owner_engine, MALMO_NATVERK) == [
        ("network_meeting_reminder", f"/natverk/moten/{two_counties.skane_meeting}")
    ]

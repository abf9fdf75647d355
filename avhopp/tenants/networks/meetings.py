"""Meetings of a space: when and where, the agenda and who brings each point, answers, and guests.

Times are stored in UTC and read and shown in Europe/Stockholm. A guest is a person of another
organisation invited to one meeting; they reach it until it ends (migration 0022), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.networks.access import Actor, owned_space, space_for
from avhopp.tenants.networks.audit import NetworkAction, record_network_event
from avhopp.tenants.networks.models import (
    MAX_LINK,
    MAX_PLACE,
    NetworkAgendaItem,
    NetworkGuest,
    NetworkMeeting,
    NetworkMember,
    NetworkResponse,
)
from avhopp.tenants.networks.notices import notify_guest_invited
from avhopp.tenants.networks.texts import one_line
from avhopp.tenants.registry.service import tenant_kinds, tenant_names

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

MAX_AGENDA = 50
_EMAIL_LENGTH = 320


@dataclass(frozen=True, slots=True)
class AgendaPoint:
    """A point on the agenda; `brought_by` a member organisation's membership, or None for the coordinator."""

    title: str
    brought_by: UUID | None = None


@dataclass(frozen=True, slots=True)
class MeetingInput:
    """A meeting to plan. A time without a zone is Swedish time."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    video_link: str = ""
    agenda: tuple[AgendaPoint, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """A point as the agenda shows it."""

    position: int
    title: str
    brought_by: str
    """The organisation that brings it, or "Samordnaren"."""


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting as the actor may see it."""

    meeting: NetworkMeeting
    space_name: str | None
    """None for a guest: they see their meeting, not the space."""
    owner: bool
    guest: bool
    agenda: tuple[AgendaLine, ...]
    attending: bool | None
    """Your answer; None before you answer."""
    answers: tuple[tuple[str, bool], ...]
    """For the coordinator: each answer's organisation and whether attending."""


def _swedish(moment: datetime) -> datetime:
    return moment.replace(tzinfo=STOCKHOLM) if moment.tzinfo is None else moment


async def plan_meeting(session: AsyncSession, actor: Actor, space_id: UUID, planned: MeetingInput) -> UUID:
    """Plan a meeting of a space the actor's organisation runs, with its agenda."""
    await owned_space(session, actor, space_id)
    problems: list[FieldProblem] = []
    title = one_line("title", planned.title, minimum=2, maximum=200, problems=problems)
    place = one_line("place", planned.place, minimum=0, maximum=MAX_PLACE, problems=problems)
    link = one_line("video_link", planned.video_link, minimum=0, maximum=MAX_LINK, problems=problems)
    if link and not link.startswith("https://"):
        problems.append(FieldProblem("video_link", "Länken till videomötet ska börja med https://."))
    if not place and not link:
        problems.append(FieldProblem("place", "Ange en plats eller en länk till videomötet."))
    starts_at, ends_at = _swedish(planned.starts_at), _swedish(planned.ends_at)
    if ends_at <= starts_at:
        problems.append(FieldProblem("ends_at", "Mötet måste sluta efter att det börjar."))
    if len(planned.agenda) > MAX_AGENDA:
        problems.append(FieldProblem("agenda", f"Högst {MAX_AGENDA} punkter på dagordningen."))
    members = set(
        await session.scalars(
            select(NetworkMember.id).where(NetworkMember.space_id == space_id, NetworkMember.left_at.is_(None))
        )
    )
    points = []
    for number, point in enumerate(planned.agenda[:MAX_AGENDA], start=1):
        point_title = one_line(f"agenda.{number}.title", point.title, minimum=2, maximum=200, problems=problems)
        if point.brought_by is not None and point.brought_by not in members:
            problems.append(FieldProblem(f"agenda.{number}.brought_by", "Välj en av nätverkets medlemsorganisationer."))
        points.append((number, point_title, point.brought_by))
    if problems:
        raise InvalidInputError(problems)
    meeting = NetworkMeeting(
        space_id=space_id,
        tenant_id=actor.tenant_id,
        title=title,
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
        place=place,
        video_link=link,
        created_by=actor.user_id,
    )
    session.add(meeting)
    await session.flush()
    for number, point_title, brought_by in points:
        session.add(
            NetworkAgendaItem(
                meeting_id=meeting.id,
                space_id=space_id,
                tenant_id=actor.tenant_id,
                position=number,
                title=point_title,
                brought_by=brought_by,
            )
        )
    await session.flush()
    await record_network_event(session, NetworkAction.MEETING_PLANNED, "network_meeting", meeting.id, actor)
    return meeting.id


async def meetings_of(session: AsyncSession, actor: Actor, space_id: UUID) -> list[NetworkMeeting]:
    """The space's meetings, soonest first; its members' representatives and coordinators see them."""
    await space_for(session, actor, space_id)
    return list(
        await session.scalars(
            select(NetworkMeeting).where(NetworkMeeting.space_id == space_id).order_by(NetworkMeeting.starts_at)
        )
    )


async def _meeting(session: AsyncSession, meeting_id: UUID) -> NetworkMeeting:
    meeting = await session.scalar(select(NetworkMeeting).where(NetworkMeeting.id == meeting_id))
    if meeting is None:
        raise NotFoundError
    return meeting


async def _is_guest(session: AsyncSession, actor: Actor, meeting_id: UUID) -> bool:
    return (
        await session.scalar(
            select(NetworkGuest.id).where(
                NetworkGuest.meeting_id == meeting_id,
                NetworkGuest.guest_tenant_id == actor.tenant_id,
                NetworkGuest.user_id == actor.user_id,
                NetworkGuest.revoked_at.is_(None),
            )
        )
    ) is not None


async def meeting_view(session: AsyncSession, actor: Actor, meeting_id: UUID) -> MeetingView:
    """The meeting, its agenda and answers, for the coordinators, the members' representatives and its guests."""
    meeting = await _meeting(session, meeting_id)
    owner = meeting.tenant_id == actor.tenant_id
    guest = await _is_guest(session, actor, meeting_id)
    items = list(
        await session.scalars(
            select(NetworkAgendaItem)
            .where(NetworkAgendaItem.meeting_id == meeting_id)
            .order_by(NetworkAgendaItem.position)
        )
    )
    bringers = {
        member.id: member.member_tenant_id
        for member in await session.scalars(
            select(NetworkMember).where(NetworkMember.id.in_({item.brought_by for item in items if item.brought_by}))
        )
    }
    responses = list(await session.scalars(select(NetworkResponse).where(NetworkResponse.meeting_id == meeting_id)))
    names = await tenant_names(session, {*bringers.values(), *(response.responder_tenant_id for response in responses)})
    agenda = tuple(
        AgendaLine(
            item.position,
            item.title,
            names.get(bringers.get(item.brought_by), "") if item.brought_by in bringers else "Samordnaren",  # type: ignore[arg-type]
        )
        for item in items
    )
    mine = next((response.attending for response in responses if response.user_id == actor.user_id), None)
    space_name = None
    if not guest or owner:
        space_name = (await space_for(session, actor, meeting.space_id)).space.name
    answers = tuple(
        sorted((names.get(response.responder_tenant_id, ""), response.attending) for response in responses)
        if owner
        else ()
    )
    return MeetingView(meeting, space_name, owner, guest and not owner, agenda, mine, answers)


async def answer(session: AsyncSession, actor: Actor, meeting_id: UUID, *, attending: bool) -> None:
    """Attending or not: a representative of a member organisation, or a guest, for themselves."""
    meeting = await _meeting(session, meeting_id)
    if meeting.ends_at <= datetime.now(UTC):
        raise InvalidInputError.one("attending", "Mötet är redan över.")
    await session.execute(
        insert(NetworkResponse)
        .values(
            meeting_id=meeting_id,
            user_id=actor.user_id,
            space_id=meeting.space_id,
            tenant_id=meeting.tenant_id,
            responder_tenant_id=actor.tenant_id,
            attending=attending,
        )
        .on_conflict_do_update(
            index_elements=["meeting_id", "user_id"],
            set_={"attending": attending, "answered_at": datetime.now(UTC)},
        )
    )


async def invite_guest(session: AsyncSession, actor: Actor, meeting_id: UUID, tenant_id: UUID, email: str) -> UUID:
    """Invite a person of another organisation, named by their work e-mail address there, to one meeting.

    The person must belong to the organisation named; nothing else of that organisation is read.
    """
    meeting = await _meeting(session, meeting_id)
    if meeting.tenant_id != actor.tenant_id:
        raise NotFoundError
    problems: list[FieldProblem] = []
    address = one_line("email", email, minimum=3, maximum=_EMAIL_LENGTH, problems=problems)
    if tenant_id not in await tenant_kinds(session, [tenant_id]):
        problems.append(
            FieldProblem("tenant_id", "Organisationen finns inte på plattformen. Välj en organisation i listan.")
        )
    if meeting.ends_at <= datetime.now(UTC):
        problems.append(FieldProblem("email", "Mötet är redan över."))
    if problems:
        raise InvalidInputError(problems)
    person = await session.scalar(
        text("SELECT network_person_of(CAST(:tenant AS uuid), :email)"), {"tenant": str(tenant_id), "email": address}
    )
    if person is None:
        raise InvalidInputError.one(
            "email",
            "Ingen person i den valda organisationen har den e-postadressen på plattformen. Kontrollera adressen"
            " och organisationen.",
        )
    existing = await session.scalar(
        select(NetworkGuest.id).where(
            NetworkGuest.meeting_id == meeting_id, NetworkGuest.user_id == person, NetworkGuest.revoked_at.is_(None)
        )
    )
    if existing is not None:
        return existing
    guest = NetworkGuest(
        meeting_id=meeting_id,
        space_id=meeting.space_id,
        tenant_id=actor.tenant_id,
        guest_tenant_id=tenant_id,
        user_id=person,
        invited_by=actor.user_id,
    )
    session.add(guest)
    await session.flush()
    await record_network_event(session, NetworkAction.GUEST_INVITED, "network_guest", guest.id, actor)
    await enqueue(session, notify_guest_invited, guest_id=str(guest.id))
    return guest.id


async def guest_meetings(session: AsyncSession, actor: Actor) -> list[NetworkMeeting]:
    """The meetings the actor is a guest of that have not ended, soonest first."""
    return list(
        await session.scalars(
            select(NetworkMeeting)
            .join(NetworkGuest, NetworkGuest.meeting_id == NetworkMeeting.id)
            .where(
                NetworkGuest.guest_tenant_id == actor.tenant_id,
                NetworkGuest.user_id == actor.user_id,
                NetworkGuest.revoked_at.is_(None),
                NetworkMeeting.ends_at > datetime.now(UTC),
            )
            .order_by(NetworkMeeting.starts_at)
        )
    )

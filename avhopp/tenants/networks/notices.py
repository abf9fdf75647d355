"""What networks tell people, through the platform's notifications: a kind and a link, nothing personal.

A space's representatives and a meeting's guests belong to other organisations than the county board
that runs it: jobs committed with the change (or run every hour, for reminders) notify each of them,
acting for the organisation it notifies.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.platform.notifications import notify, register_kind
from avhopp.tenants.networks.exchange_models import NetworkFollow
from avhopp.tenants.networks.models import NetworkGuest, NetworkMeeting, NetworkMember, NetworkRepresentative
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.notifications import NoticeKind

GUEST_INVITED = register_kind("network_guest_invited", "Du är inbjuden som gäst till ett nätverksmöte")
MEETING_REMINDER = register_kind("network_meeting_reminder", "Påminnelse: ett nätverksmöte inom ett dygn")
MINUTES_PUBLISHED = register_kind("network_minutes_published", "Protokollet från ett nätverksmöte är publicerat")
REMIND_BEFORE = timedelta(hours=24)


def meeting_link(meeting_id: UUID) -> str:
    """The page of one meeting."""
    return f"/natverk/moten/{meeting_id}"


@job()
async def notify_guest_invited(session: AsyncSession, *, guest_id: str) -> None:
    """Tell the guest, in their own organisation, that a meeting waits (runs for the inviting county board)."""
    guest = await session.scalar(select(NetworkGuest).where(NetworkGuest.id == UUID(guest_id)))
    if guest is None or guest.revoked_at is not None:
        return
    meeting_id, guest_tenant, user_id = guest.meeting_id, guest.guest_tenant_id, guest.user_id
    await act_for_tenant(session, guest_tenant)
    await notify(session, guest_tenant, [user_id], GUEST_INVITED, meeting_link(meeting_id))


async def _tell_representatives(
    session: AsyncSession, meeting: NetworkMeeting, kind: NoticeKind, *, guests: bool
) -> None:
    """Notify every representative of the space's members (and the meeting's guests), each in their organisation.

    Starts and ends acting for the county board that runs the space.
    """
    owner, meeting_id = meeting.tenant_id, meeting.id
    members = list(
        await session.execute(
            select(NetworkMember.id, NetworkMember.member_tenant_id).where(
                NetworkMember.space_id == meeting.space_id, NetworkMember.left_at.is_(None)
            )
        )
    )
    invited: list[tuple[UUID, UUID]] = []
    if guests:
        invited = [
            (row.guest_tenant_id, row.user_id)
            for row in await session.execute(
                select(NetworkGuest.guest_tenant_id, NetworkGuest.user_id).where(
                    NetworkGuest.meeting_id == meeting_id, NetworkGuest.revoked_at.is_(None)
                )
            )
        ]
    for member_id, tenant_id in members:
        await act_for_tenant(session, tenant_id)
        people = await session.scalars(
            select(NetworkRepresentative.user_id).where(
                NetworkRepresentative.member_id == member_id, NetworkRepresentative.ended_at.is_(None)
            )
        )
        await notify(session, tenant_id, list(people), kind, meeting_link(meeting_id))
    for tenant_id, user_id in invited:
        await act_for_tenant(session, tenant_id)
        await notify(session, tenant_id, [user_id], kind, meeting_link(meeting_id))
    await act_for_tenant(session, owner)


@job()
async def notify_minutes_published(session: AsyncSession, *, meeting_id: str) -> None:
    """Tell the members' representatives that the minutes are published (runs for the county board)."""
    meeting = await session.scalar(select(NetworkMeeting).where(NetworkMeeting.id == UUID(meeting_id)))
    if meeting is not None:
        await _tell_representatives(session, meeting, MINUTES_PUBLISHED, guests=False)


@periodic(timedelta(hours=1))
@job()
async def remind_of_meetings(session: AsyncSession) -> None:
    """Every hour: a reminder, once, to the representatives and guests of each meeting starting within a day."""
    now = datetime.now(UTC)
    for board in await tenant_ids_of_kind(session, TenantKind.COUNTY_BOARD):
        await act_for_tenant(session, board)
        due = list(
            await session.scalars(
                select(NetworkMeeting).where(
                    NetworkMeeting.tenant_id == board,
                    NetworkMeeting.reminded_at.is_(None),
                    NetworkMeeting.starts_at > now,
                    NetworkMeeting.starts_at <= now + REMIND_BEFORE,
                )
            )
        )
        for meeting in due:
            meeting.reminded_at = now
            await session.flush()
            await _tell_representatives(session, meeting, MEETING_REMINDER, guests=True)
    await act_for_tenant(session, None)


class Followed(enum.StrEnum):
    """What a space's followers are told of."""

    THREAD = "thread"
    THREAD_REPLY = "thread_reply"
    CONSULTATION = "consultation"
    CONSULTATION_REPLY = "consultation_reply"


FOLLOWED_KINDS = {
    Followed.THREAD: register_kind("network_thread_started", "En ny tråd i ett nätverk du följer"),
    Followed.THREAD_REPLY: register_kind("network_thread_replied", "Ett nytt svar i en tråd i ett nätverk du följer"),
    Followed.CONSULTATION: register_kind(
        "network_consultation_brought", "En ny ärendekonsultation i ett nätverk du följer"
    ),
    Followed.CONSULTATION_REPLY: register_kind(
        "network_consultation_replied", "Ett nytt svar på en ärendekonsultation i ett nätverk du följer"
    ),
}


def thread_link(thread_id: UUID) -> str:
    """The page of one thread."""
    return f"/natverk/tradar/{thread_id}"


def consultation_link(consultation_id: UUID) -> str:
    """The page of one consultation."""
    return f"/natverk/konsultationer/{consultation_id}"


@job()
async def notify_followers(  # noqa: PLR0913 - ids and a code, as a job takes them
    session: AsyncSession, *, owner_id: str, space_id: str, what: str, object_id: str, author_id: str
) -> None:
    """Tell the followers of a space of a new thread, reply or consultation, each in their organisation.

    Runs for the writer's organisation and reads the follows as the county board that runs the space:
    a follower is told while they may still read the space (a coordinator of the board, or a named
    representative of a running member), never the writer themselves.
    """
    owner, space, followed = UUID(owner_id), UUID(space_id), Followed(what)
    await act_for_tenant(session, owner)
    followers = list(
        await session.execute(
            select(NetworkFollow.follower_tenant_id, NetworkFollow.user_id).where(
                NetworkFollow.space_id == space, NetworkFollow.tenant_id == owner
            )
        )
    )
    represented = set(
        await session.execute(
            select(NetworkRepresentative.member_tenant_id, NetworkRepresentative.user_id)
            .join(NetworkMember, NetworkMember.id == NetworkRepresentative.member_id)
            .where(
                NetworkRepresentative.space_id == space,
                NetworkRepresentative.ended_at.is_(None),
                NetworkMember.left_at.is_(None),
            )
        )
    )
    by_tenant: dict[UUID, list[UUID]] = {}
    for tenant_id, user_id in followers:
        if str(user_id) != author_id and (tenant_id == owner or (tenant_id, user_id) in represented):
            by_tenant.setdefault(tenant_id, []).append(user_id)
    link = thread_link(UUID(object_id)) if what.startswith("thread") else consultation_link(UUID(object_id))
    for tenant_id, people in sorted(by_tenant.items()):
        await act_for_tenant(session, tenant_id)
        await notify(session, tenant_id, people, FOLLOWED_KINDS[followed], link)
    await act_for_tenant(session, None)

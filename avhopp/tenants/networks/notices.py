"""What networks tell people, through the platform's notifications: a kind and a link, nothing personal.

A space's representatives and a meeting's guests belong to other organisations than the county board
that runs it: jobs committed with the change (or run every hour, for reminders) notify each of them,
acting for the organisation it notifies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.platform.notifications import notify, register_kind
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

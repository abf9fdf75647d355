"""What networks tell people, through the platform's notifications: a kind and a link, nothing personal.

A guest belongs to another organisation than the one that invites them: a job committed with the
invitation notifies them, acting for the guest's organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.notifications import notify, register_kind
from avhopp.tenants.networks.models import NetworkGuest

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

GUEST_INVITED = register_kind("network_guest_invited", "Du är inbjuden som gäst till ett nätverksmöte")


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

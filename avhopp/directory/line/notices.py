"""What the guidance line tells people: a new referral to its receivers, unopened ones to the supervisors.

Notifications carry a kind and a link only; nothing the caller shared reaches them. A new
referral is the line's change, but its receivers are another tenant's people, whom the line's
transaction may not read: a job, committed with the referral, finds and notifies them acting
for the receiving tenant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.directory.line.models import Referral
from avhopp.platform.authz.models import AuthzRolePermission
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.notifications import notify, register_kind
from avhopp.tenants.registry.service import Role, members_with_roles

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

REFERRAL_RECEIVED = register_kind("line_referral_received", "Ny remiss från stödlinjen")
REFERRALS_ESCALATED = register_kind("line_referrals_escalated", "Remisser som ingen har öppnat inom en arbetsdag")
ESCALATED_LINK = "/linjen/remisser"


def referral_link(referral_id: UUID) -> str:
    """The receiver's page of one referral, in its case workspace."""
    return f"/arenden/remisser/{referral_id}"


async def _receiving_roles(session: AsyncSession) -> list[str]:
    """The roles that may receive referrals, as the authorization policy says now."""
    return list(
        await session.scalars(
            select(AuthzRolePermission.role).where(
                AuthzRolePermission.obj == "referral", AuthzRolePermission.act == "receive"
            )
        )
    )


@job()
async def notify_referral_received(session: AsyncSession, *, referral_id: str) -> None:
    """Tell the receiving tenant's people who may receive referrals that one has come (runs for the line)."""
    referral = UUID(referral_id)
    target = await session.scalar(select(Referral.target_tenant_id).where(Referral.id == referral))
    if target is None:
        return
    roles = await _receiving_roles(session)
    await act_for_tenant(session, target)
    recipients = await members_with_roles(session, target, roles)
    await notify(session, target, recipients, REFERRAL_RECEIVED, referral_link(referral))


async def notify_supervisors_of_escalation(session: AsyncSession, line_id: UUID) -> None:
    """Tell the line's supervisors that referrals nobody opened have been lifted to them (acting for the line)."""
    supervisors = await members_with_roles(session, line_id, [Role.LINE_SUPERVISOR])
    await notify(session, line_id, supervisors, REFERRALS_ESCALATED, ESCALATED_LINK)

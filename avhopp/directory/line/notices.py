"""What the guidance line tells people: a new referral to its receivers, escalations to the supervisors.

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

    from avhopp.platform.notifications import NoticeKind

REFERRAL_RECEIVED = register_kind("line_referral_received", "Ny remiss från stödlinjen")
REFERRALS_ESCALATED = register_kind("line_referrals_escalated", "Remisser som ingen har öppnat inom en arbetsdag")
REFERRALS_UNANSWERED = register_kind(
    "line_referrals_unanswered", "Remisser som inte har fått svar inom två arbetsdagar"
)
CALLBACKS_OVERDUE = register_kind("line_callbacks_overdue", "Återuppringningar som inte har ringts i tid")
LIFTED_BY_OPERATOR = register_kind("line_escalation", "En vägledare vill att arbetsledningen tittar på en kontakt")
ESCALATED_LINK = "/linjen/arbetsledning"
"""The supervisors' queue: where every escalation of the line is seen."""


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


async def notify_supervisors_of_escalation(
    session: AsyncSession, line_id: UUID, kind: NoticeKind = REFERRALS_ESCALATED
) -> None:
    """Tell the line's supervisors that something was lifted to their queue (acting for the line)."""
    supervisors = await members_with_roles(session, line_id, [Role.LINE_SUPERVISOR])
    await notify(session, line_id, supervisors, kind, ESCALATED_LINK)

"""Offers nobody answers: a reminder a day before the deadline, then the offer expires and both sides are told.

The unit owner's designated staff are reminded; at the deadline its administrators are told the
offer went unanswered (the escalation), and the requester may pick another proposal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.housing.placement.common import DESIGNATED_ROLES
from avhopp.housing.placement.models import Offer
from avhopp.housing.placement.notices import INBOX_LINK, OFFER_DUE, OFFER_EXPIRED, notify_offer_answered
from avhopp.housing.placement.vocabulary import OfferStatus
from avhopp.platform.jobs import enqueue
from avhopp.platform.notifications import notify
from avhopp.tenants.registry.service import Role, members_with_roles

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

REMIND_BEFORE = timedelta(days=1)


async def remind_and_expire(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """For one unit owner (acting for it): remind once, expire at the deadline; returns offers handled."""
    pending = list(
        await session.scalars(
            select(Offer)
            .where(
                Offer.owner_tenant_id == tenant_id,
                Offer.status == OfferStatus.PENDING.value,
                Offer.deadline_at <= now + REMIND_BEFORE,
            )
            .with_for_update()
        )
    )
    due = [offer for offer in pending if offer.deadline_at > now and offer.reminded_at is None]
    late = [offer for offer in pending if offer.deadline_at <= now]
    if due:
        staff = await members_with_roles(session, tenant_id, DESIGNATED_ROLES)
        for offer in due:
            offer.reminded_at = now
        await notify(session, tenant_id, staff, OFFER_DUE, INBOX_LINK)
    if late:
        admins = await members_with_roles(session, tenant_id, [Role.TENANT_ADMIN, *DESIGNATED_ROLES])
        for offer in late:
            offer.status, offer.decided_at, offer.escalated_at = OfferStatus.EXPIRED.value, now, now
            await enqueue(session, notify_offer_answered, offer_id=str(offer.id))
        await notify(session, tenant_id, admins, OFFER_EXPIRED, INBOX_LINK)
    await session.flush()
    return len(due) + len(late)

"""The supervisors' queue: what the line's operators lifted, referrals waiting for an answer, callbacks due.

Built from codes and times only: no number, note or shared text reaches the supervisors here
(they open a contact through the audited review to read it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from avhopp.directory.line.models import Callback, CallbackAttempt, Contact, Referral
from avhopp.directory.line.service import (
    UNANSWERED_WORKING_DAYS,
    ReferralView,
    referrals_of_line,
    working_days_after,
)
from avhopp.directory.line.vocabulary import CallbackStatus, ReferralStatus
from avhopp.platform.times import STOCKHOLM

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

ESCALATIONS_SHOWN = timedelta(days=14)
"""How long a contact an operator lifted stays in the queue."""


@dataclass(frozen=True, slots=True)
class WaitingReferral:
    """A referral not yet answered, and whether the receiver is late (two working days)."""

    view: ReferralView
    late: bool


@dataclass(frozen=True, slots=True)
class DueCallback:
    """An open callback whose window has begun (overdue once it has ended), or that an operator lifted."""

    callback: Callback
    attempts: int
    overdue: bool


@dataclass(frozen=True, slots=True)
class SupervisorQueue:
    """Everything the line's supervisors should look at now."""

    contacts: list[Contact]
    referrals: list[WaitingReferral]
    callbacks: list[DueCallback]


async def supervisor_queue(session: AsyncSession, line_id: UUID, now: datetime) -> SupervisorQueue:
    """The line's queue for its supervisors, oldest and latest first where it matters."""
    contacts = list(
        await session.scalars(
            select(Contact)
            .where(Contact.tenant_id == line_id, Contact.escalated_at >= now - ESCALATIONS_SHOWN)
            .order_by(Contact.escalated_at.desc())
        )
    )
    waiting = [
        view
        for view in await referrals_of_line(session, line_id)
        if view.referral.status in {ReferralStatus.SENT, ReferralStatus.OPENED}
    ]
    referrals = [WaitingReferral(view, _late(view.referral, now)) for view in waiting]
    referrals.sort(key=lambda item: (not item.late, item.view.referral.sent_at))
    attempts = (
        select(func.count())
        .select_from(CallbackAttempt)
        .where(CallbackAttempt.callback_id == Callback.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Callback, attempts)
        .where(
            Callback.tenant_id == line_id,
            Callback.status == CallbackStatus.OPEN.value,
            (Callback.window_start <= now) | Callback.escalated_at.is_not(None),
        )
        .order_by(Callback.window_start)
    )
    callbacks = [DueCallback(callback, int(count), callback.window_end < now) for callback, count in rows]
    return SupervisorQueue(contacts, referrals, callbacks)


def _late(referral: Referral, now: datetime) -> bool:
    return working_days_after(referral.sent_at.astimezone(STOCKHOLM), UNANSWERED_WORKING_DAYS) <= now

"""The guidance line's background jobs: lift late referrals, erase old free text, expire callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.directory.line.callbacks import escalate_overdue, expire_callbacks
from avhopp.directory.line.notices import notify_referral_received
from avhopp.directory.line.service import erase_expired_notes, escalate_unanswered, escalate_unopened
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


async def for_every_line(
    session: AsyncSession, now: datetime, work: Callable[[AsyncSession, UUID, datetime], Awaitable[int]]
) -> int:
    """Run `work` for each guidance line in its own tenant's context; returns the summed count."""
    done = 0
    for line_id in await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE):
        await act_for_tenant(session, line_id)
        done += await work(session, line_id, now)
    await act_for_tenant(session, None)
    return done


@periodic(timedelta(minutes=15))
@job()
async def escalate_unopened_referrals(session: AsyncSession) -> None:
    """Every quarter of an hour: the supervisors hear of late referrals and callbacks not made in their window.

    A referral is late when nobody has opened it in a working day, or answered it in two.
    """
    now = datetime.now(UTC)
    await for_every_line(session, now, escalate_unopened)
    await for_every_line(session, now, escalate_unanswered)
    await for_every_line(session, now, escalate_overdue)


@periodic(timedelta(hours=1))
@job()
async def erase_expired_guidance_notes(session: AsyncSession) -> None:
    """Every hour: the line's free text lives only as long as each line's setting allows."""
    await for_every_line(session, datetime.now(UTC), erase_expired_notes)


@periodic(timedelta(hours=1))
@job()
async def expire_open_callbacks(session: AsyncSession) -> None:
    """Every hour: a callback left open longer than the line's setting expires, and its number is erased."""
    await for_every_line(session, datetime.now(UTC), expire_callbacks)


JOBS = (escalate_unopened_referrals, erase_expired_guidance_notes, expire_open_callbacks, notify_referral_received)
"""This part's jobs, for the composition root."""

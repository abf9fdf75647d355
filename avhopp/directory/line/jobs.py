"""The guidance line's background job: lift referrals nobody opened within one working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.directory.line.service import escalate_unopened
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.tenants.models import TenantKind
from avhopp.tenants.service import tenant_ids_of_kind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def escalate_for_every_line(session: AsyncSession, now: datetime) -> int:
    """Escalate unopened referrals of each guidance line (each in its own tenant's context)."""
    escalated = 0
    for line_id in await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE):
        await act_for_tenant(session, line_id)
        escalated += await escalate_unopened(session, line_id, now)
    await act_for_tenant(session, None)
    return escalated


@periodic(timedelta(minutes=15))
@job()
async def escalate_unopened_referrals(session: AsyncSession) -> None:
    """Every quarter of an hour: the supervisors see at once what nobody has opened."""
    await escalate_for_every_line(session, datetime.now(UTC))

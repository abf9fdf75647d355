"""The directory's background job: remind owners of entries not confirmed for six months.

Once a day the platform looks for active services whose owner has not confirmed them for
six months (or ever) and leaves one reminder per service and month in the owner's
tenant; the editor page and the start page show it. The reminder holds ids only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.dialects.postgresql import insert

from avhopp.directory.catalogue.models import VerificationReminder
from avhopp.directory.catalogue.service import stale_services
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.platform.times import swedish_date

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.ext.asyncio import AsyncSession


async def remind_owners_of_stale_entries(session: AsyncSession, today: date) -> int:
    """Leave this month's reminder for each stale service with its owner; returns how many are new."""
    period = today.replace(day=1)
    created = 0
    for service_id, owner in await stale_services(session, today):
        # The reminder is the owner's tenant data.
        await act_for_tenant(session, owner)
        created += bool(
            await session.scalar(
                insert(VerificationReminder)
                .values(tenant_id=owner, service_id=service_id, period=period)
                .on_conflict_do_nothing(index_elements=["service_id", "period"])
                .returning(VerificationReminder.id)
            )
        )
    await act_for_tenant(session, None)
    return created


@periodic(timedelta(days=1))
@job()
async def remind_stale_directory_entries(session: AsyncSession) -> None:
    """The daily run of `remind_owners_of_stale_entries`."""
    await remind_owners_of_stale_entries(session, swedish_date())


JOBS = (remind_stale_directory_entries,)
"""This part's jobs, for the composition root."""

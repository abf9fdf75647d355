"""The placement part's background jobs: notifications across tenants, and offers nobody answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.housing.placement.notices import (
    notify_national_of_many_shortlists,
    notify_offer_answered,
    notify_offer_received,
    notify_police_region,
)
from avhopp.housing.placement.permissions import KINDS
from avhopp.housing.placement.reminders import remind_and_expire
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@periodic(timedelta(hours=1))
@job()
async def remind_unanswered_offers(session: AsyncSession) -> None:
    """Every hour, for each organisation that may own units: reminders, and offers past their deadline."""
    now = datetime.now(UTC)
    for kind in KINDS:
        for tenant_id in await tenant_ids_of_kind(session, TenantKind(kind)):
            await act_for_tenant(session, tenant_id)
            await remind_and_expire(session, tenant_id, now)
    await act_for_tenant(session, None)


JOBS = (
    remind_unanswered_offers,
    notify_offer_received,
    notify_offer_answered,
    notify_police_region,
    notify_national_of_many_shortlists,
)
"""This part's jobs, for the composition root."""

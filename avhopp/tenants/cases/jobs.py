"""The cases part's background jobs: follow-up reminders, ended sharing, erasure after retention, statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import job
from avhopp.platform.jobs.schedule import periodic
from avhopp.tenants.cases.consent import notify_ended_grants, tell_organisation_consent_ended
from avhopp.tenants.cases.reminders import remind_follow_ups
from avhopp.tenants.cases.retention import erase_expired
from avhopp.tenants.cases.statistics import copy_changes
from avhopp.tenants.registry.permissions import CASE_KINDS
from avhopp.tenants.registry.service import tenant_ids_of_kind

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


async def for_every_case_tenant(
    session: AsyncSession, now: datetime, work: Callable[[AsyncSession, UUID, datetime], Awaitable[int]]
) -> int:
    """Run `work` for each tenant that keeps cases, in that tenant's context; returns the summed count."""
    done = 0
    for kind in sorted(CASE_KINDS):
        for tenant_id in await tenant_ids_of_kind(session, kind):
            await act_for_tenant(session, tenant_id)
            done += await work(session, tenant_id, now)
    await act_for_tenant(session, None)
    return done


@periodic(timedelta(hours=1))
@job()
async def remind_case_follow_ups(session: AsyncSession) -> None:
    """Every hour: reminders before follow-ups fall due, and the unit head told of late ones."""
    await for_every_case_tenant(session, datetime.now(UTC), remind_follow_ups)


@periodic(timedelta(minutes=15))
@job()
async def close_ended_sharing(session: AsyncSession) -> None:
    """Every quarter of an hour: both sides told of each consent that reached its end date.

    Access itself ends at the end date without this job: row-level security reads it.
    """
    await for_every_case_tenant(session, datetime.now(UTC), notify_ended_grants)


@periodic(timedelta(days=1))
@job()
async def erase_cases_after_retention(session: AsyncSession) -> None:
    """Every day: identities of closed cases past retention are erased."""
    await for_every_case_tenant(session, datetime.now(UTC), erase_expired)


@periodic(timedelta(days=1))
@job()
async def copy_follow_up_statistics(session: AsyncSession) -> None:
    """Every day: the cases changed since the last copy, as coded facts under a pseudonym, into the statistics."""
    await for_every_case_tenant(session, datetime.now(UTC), copy_changes)


JOBS = (
    remind_case_follow_ups,
    close_ended_sharing,
    erase_cases_after_retention,
    copy_follow_up_statistics,
    tell_organisation_consent_ended,
)
"""This part's jobs, for the composition root."""

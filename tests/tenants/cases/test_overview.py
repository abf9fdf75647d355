"""The unit head: every case of the tenant with its team and what is late, and the team assigned."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.service import Phase, assign_team, change_phase, overview
from tests.support.people import GOTEBORG, GOTEBORG_ENHETSCHEF, GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]


async def test_the_overview_counts_follow_ups_more_than_two_weeks_late(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
    # Swedish days, not the server's (UTC): they differ for an hour or two around midnight.
    today = datetime.now(STOCKHOLM).date()
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_ids[GOTEBORG])})
        connection.execute(
            text("UPDATE case_follow_up SET due_on = :due WHERE case_id = :c AND months_after <= 12"),
            {"c": case_id, "due": today - timedelta(days=15)},
        )
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, actor):
        [line] = await overview(session, actor.tenant_id, today)
    assert (line.case_id, line.phase, line.late_follow_ups) == (case_id, Phase.ACUTE, 2)
    assert (line.responsible, line.deputies) == (GOTEBORG_SOCIALSEKRETERARE.user_id, (GOTEBORG_ERSATTARE.user_id,))
    assert line.next_follow_up == today - timedelta(days=15)


async def test_the_unit_head_swaps_the_responsible_officer_and_the_deputy(acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, actor):
        await assign_team(session, actor, case_id, GOTEBORG_ERSATTARE.user_id, [GOTEBORG_SOCIALSEKRETERARE.user_id])
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, actor):
        [line] = await overview(session, actor.tenant_id, datetime.now(STOCKHOLM).date())
    assert (line.responsible, line.deputies) == (GOTEBORG_ERSATTARE.user_id, (GOTEBORG_SOCIALSEKRETERARE.user_id,))

"""The unit head's overview and team assignment, as the service does them."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.tenants.cases.service import Phase, TeamRole, assign_team, case_team, change_phase, overview
from tests.support.people import GOTEBORG, GOTEBORG_ENHETSCHEF, GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE
from tests.tenants.cases.conftest import TODAY, open_goteborg_case

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
    acting_as: ActingAs, owner_engine: Engine, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_ids[GOTEBORG])})
        connection.execute(
            text("UPDATE case_follow_up SET due_on = :day WHERE months_after IN (6, 12)"),
            {"day": TODAY - timedelta(days=15)},
        )

    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, actor):
        (line,) = await overview(session, actor.tenant_id, TODAY)

    assert (line.case_id, line.late_follow_ups, line.next_follow_up) == (case_id, 2, TODAY - timedelta(days=15))
    assert (line.responsible, line.deputies) == (GOTEBORG_SOCIALSEKRETERARE.user_id, (GOTEBORG_ERSATTARE.user_id,))


async def test_the_unit_head_swaps_the_responsible_officer_and_the_deputy(acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)

    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, head):
        await assign_team(session, head, case_id, GOTEBORG_ERSATTARE.user_id, [GOTEBORG_SOCIALSEKRETERARE.user_id])

    async with acting_as(GOTEBORG_ERSATTARE) as (session, actor):
        team = await case_team(session, actor, case_id)
    assert [(place.user_id, place.role) for place in team] == [
        (GOTEBORG_ERSATTARE.user_id, TeamRole.RESPONSIBLE),
        (GOTEBORG_SOCIALSEKRETERARE.user_id, TeamRole.DEPUTY),
    ]

"""Requests from a case: under a consent that covers housing, by the case's team, with an assessment or a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from avhopp.housing.placement.models import PlacementRequest
from avhopp.housing.placement.service import RequestInput, RequestState, create_request, my_requests, request_view
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.service import Category
from avhopp.tenants.registry.roles import Role
from tests.housing.placement.conftest import TODAY, case_for_placement, placement_actor, request_for
from tests.support.people import GOTEBORG, GOTEBORG_SOCIALSEKRETERARE, MALMO_PLACERING, person_in

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine

    from tests.housing.placement.conftest import ActingAs


def requests_in_database(owner_engine: Engine) -> int:
    with owner_engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(PlacementRequest)).scalar_one()


async def test_a_request_without_consent_for_housing_is_refused_and_nothing_saved(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await case_for_placement(acting_as, tenant_ids, categories=(Category.IDENTITY,))
    with pytest.raises(InvalidInputError) as refused:
        await request_for(acting_as, case_id)
    assert refused.value.by_field() == {
        "case_id": "Personens samtycke omfattar inte boende. Registrera ett samtycke som gör det."
    }
    assert requests_in_database(owner_engine) == 0


async def test_without_a_threat_assessment_the_officer_must_say_why(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await case_for_placement(acting_as, tenant_ids)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await create_request(
                session, placement_actor(actor), RequestInput(case_id, 2, TODAY, no_assessment_reason="nej")
            )
    assert "hot- och riskbedömning" in refused.value.by_field()["no_assessment_reason"]
    assert requests_in_database(owner_engine) == 0


async def test_bad_household_and_date_are_named_in_swedish(acting_as: ActingAs, tenant_ids: dict[str, UUID]) -> None:
    case_id = await case_for_placement(acting_as, tenant_ids)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await create_request(
                session,
                placement_actor(actor),
                RequestInput(case_id, 0, TODAY.replace(year=TODAY.year - 1), no_assessment_reason="x" * 20),
            )
    assert set(refused.value.by_field()) == {"household_size", "earliest_move_in"}


async def test_only_the_case_team_may_request_or_see_the_request(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await case_for_placement(acting_as, tenant_ids)
    request_id = await request_for(acting_as, case_id)
    colleague = person_in(GOTEBORG, Role.CASE_OFFICER, key="goteborg-utanfor-teamet")
    for outsider in (colleague, MALMO_PLACERING):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await create_request(
                    session, placement_actor(actor), RequestInput(case_id, 1, TODAY, no_assessment_reason="x" * 20)
                )
            with pytest.raises(NotFoundError):
                await request_view(session, placement_actor(actor), request_id)
            assert await my_requests(session, placement_actor(actor)) == []
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        [mine] = await my_requests(session, placement_actor(actor))
    assert mine.id == request_id
    assert mine.state is RequestState.OPEN

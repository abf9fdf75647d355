"""The intake of a draft: the person and needs written down, the deputy named; only while a draft."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.problems import InvalidInputError
from avhopp.tenants.cases.service import (
    Intake,
    IntakeUpdate,
    Intervention,
    PersonDetails,
    Phase,
    ProtectedIdentity,
    TeamRole,
    case_for_actor,
    case_team,
    change_phase,
    complete_intake,
    open_person,
)
from avhopp.tenants.registry.roles import Role
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG, GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE, create_people, person_in
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

ANOTHER_OFFICER = person_in(GOTEBORG, Role.CASE_OFFICER, key="goteborg-tredje-handlaggare")


INTAKE = IntakeUpdate(
    person=PersonDetails(
        name="Cecilia Ceder", personal_number="19811228-9874", protected_identity=ProtectedIdentity.NONE
    ),
    intake=Intake("Hotad av sitt gamla nätverk.", "Vill börja arbeta."),
    needs=(Intervention.PROTECTION,),
)


async def test_the_intake_rewrites_the_person_and_names_a_new_deputy(acting_as: ActingAs, owner_engine: Engine) -> None:
    with owner_engine.begin() as connection:
        create_people(connection, [ANOTHER_OFFICER])
    case_id = await open_goteborg_case(acting_as)

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await complete_intake(session, SECRET_KEY, actor, case_id, replace(INTAKE, deputy_id=ANOTHER_OFFICER.user_id))

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        person = await open_person(session, SECRET_KEY, actor, await case_for_actor(session, actor, case_id))
        team = {(place.user_id, place.role) for place in await case_team(session, actor, case_id)}
    assert person.details.name == "Cecilia Ceder"
    assert person.intake == Intake("Hotad av sitt gamla nätverk.", "Vill börja arbeta.")
    assert team == {
        (GOTEBORG_SOCIALSEKRETERARE.user_id, TeamRole.RESPONSIBLE),
        (ANOTHER_OFFICER.user_id, TeamRole.DEPUTY),
    }


async def test_a_deputy_does_not_write_themselves_out_of_the_team(acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_ERSATTARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await complete_intake(
                session, SECRET_KEY, actor, case_id, replace(INTAKE, deputy_id=GOTEBORG_SOCIALSEKRETERARE.user_id)
            )
    assert refused.value.field == "deputy_id"


async def test_bad_details_and_a_case_past_its_draft_are_refused(acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await complete_intake(
                session,
                SECRET_KEY,
                actor,
                case_id,
                replace(INTAKE, person=PersonDetails("", personal_number="19811228-9875")),
            )
    assert set(refused.value.by_field()) == {"name", "personal_number"}

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as late:
            await complete_intake(session, SECRET_KEY, actor, case_id, INTAKE)
    assert late.value.field == "phase"

"""The register of units and a municipality's intake: bad input refused in Swedish, addresses sealed and audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text

from avhopp.housing.placement.models import HousingUnit
from avhopp.housing.placement.service import (
    IntakeInput,
    UnitState,
    declare_intake,
    default_cap,
    intake_of,
    register_unit,
    unit_address,
    units_of,
    withdraw_unit,
)
from avhopp.platform.problems import InvalidInputError, NotFoundError
from tests.housing.placement.conftest import KIRUNA, MALMO_C, TODAY, malmo_unit, placement_actor, unit_at
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_SOCIALSEKRETERARE, KONSULTATION_PLACERING, MALMO_PLACERING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.housing.placement.conftest import ActingAs


def units_in_database(owner_engine: Engine) -> int:
    with owner_engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(HousingUnit)).scalar_one()


async def test_a_negative_size_or_an_unknown_municipality_is_refused_in_swedish_and_nothing_saved(
    acting_as: ActingAs, owner_engine: Engine
) -> None:
    wrong = replace(unit_at(MALMO_C, size=-1, cost=-5), municipality_code="9999", address="")
    async with acting_as(KONSULTATION_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await register_unit(session, SECRET_KEY, placement_actor(actor), wrong)
    assert refused.value.by_field() == {
        "max_household": "Ange hur många personer bostaden rymmer, 1–20.",
        "monthly_cost_sek": "Ange månadskostnaden i kronor, 0 eller mer.",
        "municipality_code": "Okänd kommunkod.",
        "address": "Skriv bostadens adress.",
    }
    assert units_in_database(owner_engine) == 0


async def test_a_municipality_registers_units_in_its_own_municipality_only(acting_as: ActingAs) -> None:
    async with acting_as(MALMO_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await register_unit(session, SECRET_KEY, placement_actor(actor), unit_at(KIRUNA))
    assert "egna kommunen" in refused.value.by_field()["municipality_code"]


async def test_the_address_is_sealed_and_opened_only_for_the_owner_with_each_read_audited(
    acting_as: ActingAs, owner_engine: Engine
) -> None:
    unit_id = await malmo_unit(acting_as, address="Hemliga gatan 7")
    with owner_engine.connect() as connection:
        sealed = connection.execute(text("SELECT address_sealed FROM housing_unit WHERE id = :id"), {"id": unit_id})
        assert b"Hemliga" not in sealed.scalar_one()
    for outsider in (KONSULTATION_PLACERING, GOTEBORG_SOCIALSEKRETERARE):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await unit_address(session, SECRET_KEY, placement_actor(actor), unit_id)
            assert await units_of(session, actor.tenant_id) == []
    async with acting_as(MALMO_PLACERING) as (session, actor):
        assert await unit_address(session, SECRET_KEY, placement_actor(actor), unit_id) == "Hemliga gatan 7"
        [line] = await units_of(session, actor.tenant_id)
    assert line.state is UnitState.AVAILABLE
    assert line.locality_name == "Malmö"
    with owner_engine.connect() as connection:
        reads = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'housing.unit_address_read' AND object_id = :id"),
            {"id": str(unit_id)},
        ).scalar_one()
    assert reads == 1


async def test_a_withdrawn_unit_stays_in_the_register_as_withdrawn(acting_as: ActingAs) -> None:
    unit_id = await malmo_unit(acting_as)
    async with acting_as(MALMO_PLACERING) as (session, actor):
        await withdraw_unit(session, placement_actor(actor), unit_id)
        [line] = await units_of(session, actor.tenant_id)
    assert line.state is UnitState.WITHDRAWN


async def test_intake_defaults_to_the_population_cap_and_refuses_a_pause_in_the_past(acting_as: ActingAs) -> None:
    async with acting_as(MALMO_PLACERING) as (session, actor):
        before = await intake_of(session, actor.tenant_id)
        assert before.yearly_cap is None
        assert before.cap == default_cap("1280") == 110  # 367,924 inhabitants, 3 per 10,000
        with pytest.raises(InvalidInputError) as refused:
            await declare_intake(
                session,
                placement_actor(actor),
                IntakeInput(handled_by="", yearly_cap=-1, paused_until=TODAY - timedelta(days=1)),
            )
        assert set(refused.value.by_field()) == {"handled_by", "yearly_cap", "paused_until"}
        declared = await declare_intake(
            session,
            placement_actor(actor),
            IntakeInput(handled_by="Mottagningsenheten", yearly_cap=4, paused_until=TODAY),
        )
    assert declared.cap == 4
    assert declared.paused_on(TODAY)

"""Placement under test: Göteborg's cases ask for housing; Malmö and an operation in Malmö offer units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from avhopp.housing.placement.service import Actor, RequestInput, UnitInput, UnitType, create_request, register_unit
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import (
    Category,
    IntakeUpdate,
    PersonDetails,
    TargetGroup,
    complete_intake,
    record_consent,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_SOCIALSEKRETERARE, KONSULTATION_PLACERING, MALMO, MALMO_PLACERING
from tests.tenants.cases.conftest import acting_as, consent_for, open_goteborg_case, tenant_ids

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from datetime import date
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor as CaseActor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, CaseActor]]]

__all__ = ["acting_as", "tenant_ids"]

TODAY = swedish_date()
OPERATION = "konsultationsteamet-malmo"
NO_ASSESSMENT = "Polisen har sagt att en formell bedömning inte behövs här."


@dataclass(frozen=True)
class Place:
    municipality_code: str
    locality: str
    latitude: float
    longitude: float


MALMO_C = Place("1280", "Malmö", 55.60, 13.00)
LIMHAMN = Place("1280", "Limhamn", 55.58, 12.93)
KIRUNA = Place("2584", "Kiruna", 67.86, 20.23)
UMEA = Place("2480", "Umeå", 63.83, 20.26)
LULEA = Place("2580", "Luleå", 65.58, 22.15)
STOCKHOLM = Place("0180", "Stockholm", 59.33, 18.07)


def placement_actor(actor: CaseActor) -> Actor:
    return Actor(actor.tenant_id, actor.user_id)


def unit_at(  # noqa: PLR0913 - a unit's fields, by name
    place: Place,
    *,
    size: int = 4,
    address: str = "Storgatan 1, 1 tr",
    unit_type: UnitType = UnitType.EMERGENCY_FLAT,
    available_from: date = TODAY,
    cost: int = 6000,
) -> UnitInput:
    return UnitInput(
        unit_type=unit_type.value,
        max_household=size,
        available_from=available_from,
        monthly_cost_sek=cost,
        municipality_code=place.municipality_code,
        locality_name=place.locality,
        latitude=place.latitude,
        longitude=place.longitude,
        address=address,
    )


async def register(acting_as: ActingAs, person: NamedPerson, unit: UnitInput) -> UUID:
    async with acting_as(person) as (session, actor):
        return await register_unit(session, SECRET_KEY, placement_actor(actor), unit)


async def malmo_unit(acting_as: ActingAs, place: Place = MALMO_C, **fields: object) -> UUID:
    return await register(acting_as, MALMO_PLACERING, unit_at(place, **fields))  # type: ignore[arg-type]


async def operation_unit(acting_as: ActingAs, place: Place, **fields: object) -> UUID:
    return await register(acting_as, KONSULTATION_PLACERING, unit_at(place, **fields))  # type: ignore[arg-type]


async def case_for_placement(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    name: str = "Adam Andersson",
    affiliation: TargetGroup | None = TargetGroup.MC_GANG,
    categories: tuple[Category, ...] = (Category.HOUSING, Category.IDENTITY),
) -> UUID:
    """A Göteborg case with its intake done and a consent naming Malmö and the operation."""
    case_id = await open_goteborg_case(acting_as, name)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await complete_intake(
            session, SECRET_KEY, actor, case_id, IntakeUpdate(person=PersonDetails(name=name), affiliation=affiliation)
        )
        await record_consent(
            session,
            actor,
            case_id,
            consent_for(tenant_ids[MALMO], tenant_ids[OPERATION], categories=categories),
            SECRET_KEY,
        )
    return case_id


async def request_for(acting_as: ActingAs, case_id: UUID, household: int = 2) -> UUID:
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        return await create_request(
            session,
            placement_actor(actor),
            RequestInput(case_id, household, TODAY, no_assessment_reason=NO_ASSESSMENT),
        )


@pytest.fixture(autouse=True)
def _no_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortlist's response-time floor is tested on its own; elsewhere it only slows the suite."""
    monkeypatch.setattr("avhopp.housing.placement.requests.SHORTLIST_FLOOR_SECONDS", 0.0)

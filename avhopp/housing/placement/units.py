"""The register of housing units: what an organisation can offer, its address sealed.

Other tenants and the engine see a unit's locality only (through the engine's feed); its street
address is opened for the owner's designated staff, and every opening is audited.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import uuid4

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert

from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import UNIT_ADDRESS, checked_text, opened_address, sealed_address
from avhopp.housing.placement.models import MAX_HOUSEHOLD, MAX_MONTHLY_COST, HousingUnit, Locality, Offer, Placement
from avhopp.housing.placement.vocabulary import OfferStatus, UnitFeature, UnitState, UnitType
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.registry.service import TenantKind, tenant_kinds, tenant_municipalities

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor

_LATITUDE = (55.0, 69.5)
_LONGITUDE = (10.5, 24.5)
_FURTHEST_AVAILABLE = timedelta(days=730)


@dataclass(frozen=True, slots=True)
class UnitInput:
    """A unit as its owner registers it; coordinates are the locality's (rounded to two decimals)."""

    unit_type: str
    max_household: int
    available_from: date
    monthly_cost_sek: int
    municipality_code: str
    locality_name: str
    latitude: float
    longitude: float
    address: str
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitLine:
    """A unit in its owner's register, without its address."""

    id: UUID
    unit_type: UnitType
    max_household: int
    features: tuple[UnitFeature, ...]
    available_from: date
    monthly_cost_sek: int
    municipality_code: str
    municipality_name: str
    locality_name: str
    state: UnitState


def locality_code(municipality_code: str, name: str) -> str:
    """A stable code for a town: its municipality and a digest of its name as people write it."""
    normalised = " ".join(name.casefold().split())
    return f"{municipality_code}-{hashlib.sha256(normalised.encode()).hexdigest()[:12]}"


def _in_range(field: str, value: float, bounds: tuple[float, float], problems: list[FieldProblem]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(FieldProblem(field, "Ange ett tal."))
        return Decimal(0)
    rounded = Decimal(str(round(float(value), 2)))
    if not bounds[0] <= float(rounded) <= bounds[1]:
        problems.append(FieldProblem(field, f"Ange en koordinat i Sverige (mellan {bounds[0]:g} och {bounds[1]:g})."))
    return rounded


def checked_unit(unit: UnitInput, own_municipality: str | None, today: date) -> UnitInput:
    """The unit's fields checked; InvalidInputError names each wrong one in Swedish."""
    problems: list[FieldProblem] = []
    if unit.unit_type not in set(UnitType):
        problems.append(FieldProblem("unit_type", "Välj en bostadstyp."))
    if isinstance(unit.max_household, bool) or not 1 <= unit.max_household <= MAX_HOUSEHOLD:
        problems.append(FieldProblem("max_household", f"Ange hur många personer bostaden rymmer, 1–{MAX_HOUSEHOLD}."))
    if isinstance(unit.monthly_cost_sek, bool) or not 0 <= unit.monthly_cost_sek <= MAX_MONTHLY_COST:
        problems.append(FieldProblem("monthly_cost_sek", "Ange månadskostnaden i kronor, 0 eller mer."))
    if not set(unit.features) <= set(UnitFeature):
        problems.append(FieldProblem("features", "Välj bland de egenskaper som finns."))
    if not today - timedelta(days=365) <= unit.available_from <= today + _FURTHEST_AVAILABLE:
        problems.append(FieldProblem("available_from", "Ange ett datum inom de närmaste två åren."))
    known = {m.code for m in shipped_geography().municipalities}
    if unit.municipality_code not in known:
        problems.append(FieldProblem("municipality_code", "Okänd kommunkod."))
    elif own_municipality is not None and unit.municipality_code != own_municipality:
        problems.append(FieldProblem("municipality_code", "En kommun registrerar bara bostäder i den egna kommunen."))
    name = checked_text("locality_name", unit.locality_name, 100, problems, missing="Skriv tätortens namn.")
    if name and len(name) < 2:  # noqa: PLR2004 - a town's name has at least two letters
        problems.append(FieldProblem("locality_name", "Skriv tätortens namn."))
    latitude = _in_range("latitude", unit.latitude, _LATITUDE, problems)
    longitude = _in_range("longitude", unit.longitude, _LONGITUDE, problems)
    address = checked_text("address", unit.address, 300, problems, missing="Skriv bostadens adress.")
    if problems:
        raise InvalidInputError(problems)
    return UnitInput(
        unit.unit_type,
        unit.max_household,
        unit.available_from,
        unit.monthly_cost_sek,
        unit.municipality_code,
        " ".join(name.split()),
        float(latitude),
        float(longitude),
        address,
        tuple(sorted(set(unit.features))),
    )


async def _own_municipality(session: AsyncSession, tenant_id: UUID) -> str | None:
    """A municipality registers in its own municipality only; an operation anywhere."""
    kinds = await tenant_kinds(session, [tenant_id])
    if kinds.get(tenant_id) != TenantKind.MUNICIPALITY:
        return None
    return (await tenant_municipalities(session, [tenant_id])).get(tenant_id)


async def ensure_locality(session: AsyncSession, unit: UnitInput) -> str:
    """The locality's code, recorded at its first naming; later units keep its first coordinates."""
    code = locality_code(unit.municipality_code, unit.locality_name)
    await session.execute(
        insert(Locality)
        .values(
            code=code,
            municipality_code=unit.municipality_code,
            name=unit.locality_name,
            latitude=Decimal(str(unit.latitude)),
            longitude=Decimal(str(unit.longitude)),
        )
        .on_conflict_do_nothing(index_elements=["code"])
    )
    return code


async def register_unit(session: AsyncSession, secret_key: str, actor: Actor, unit: UnitInput) -> UUID:
    """Register a unit for the actor's organisation; its address is sealed to the new row."""
    today = swedish_date()
    checked = checked_unit(unit, await _own_municipality(session, actor.tenant_id), today)
    code = await ensure_locality(session, checked)
    unit_id = uuid4()
    session.add(
        HousingUnit(
            id=unit_id,
            tenant_id=actor.tenant_id,
            unit_type=checked.unit_type,
            max_household=checked.max_household,
            features=list(checked.features),
            available_from=checked.available_from,
            monthly_cost_sek=checked.monthly_cost_sek,
            locality_code=code,
            address_sealed=sealed_address(secret_key, UNIT_ADDRESS, unit_id, checked.address),
            created_by=actor.user_id,
        )
    )
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.UNIT_REGISTERED,
        "housing_unit",
        unit_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return unit_id


def _state(unit: HousingUnit, reserved: bool, occupied: bool) -> UnitState:  # noqa: FBT001
    if occupied:
        return UnitState.OCCUPIED
    if reserved:
        return UnitState.RESERVED
    if unit.withdrawn_at is not None:
        return UnitState.WITHDRAWN
    return UnitState.AVAILABLE


async def units_of(session: AsyncSession, tenant_id: UUID) -> list[UnitLine]:
    """The organisation's register, newest first, each unit with its state."""
    reserved = exists().where(Offer.unit_id == HousingUnit.id, Offer.status == OfferStatus.PENDING.value)
    occupied = exists().where(Placement.unit_id == HousingUnit.id, Placement.moved_out_on.is_(None))
    rows = await session.execute(
        select(HousingUnit, Locality, reserved.label("reserved"), occupied.label("occupied"))
        .join(Locality, Locality.code == HousingUnit.locality_code)
        .where(HousingUnit.tenant_id == tenant_id)
        .order_by(HousingUnit.created_at.desc(), HousingUnit.id)
    )
    names = {m.code: m.name for m in shipped_geography().municipalities}
    return [
        UnitLine(
            id=unit.id,
            unit_type=UnitType(unit.unit_type),
            max_household=unit.max_household,
            features=tuple(UnitFeature(feature) for feature in unit.features),
            available_from=unit.available_from,
            monthly_cost_sek=unit.monthly_cost_sek,
            municipality_code=locality.municipality_code,
            municipality_name=names.get(locality.municipality_code, locality.municipality_code),
            locality_name=locality.name,
            state=_state(unit, is_reserved, is_occupied),
        )
        for unit, locality, is_reserved, is_occupied in rows
    ]


async def own_unit(session: AsyncSession, tenant_id: UUID, unit_id: UUID) -> HousingUnit:
    """The organisation's unit; NotFoundError for another's and a missing one alike."""
    unit = await session.scalar(
        select(HousingUnit).where(HousingUnit.id == unit_id, HousingUnit.tenant_id == tenant_id)
    )
    if unit is None:
        raise NotFoundError
    return unit


async def unit_address(session: AsyncSession, secret_key: str, actor: Actor, unit_id: UUID) -> str:
    """The unit's street address, for the owner's designated staff (the route's permission); audited."""
    unit = await own_unit(session, actor.tenant_id, unit_id)
    await record_placement_event(
        session,
        PlacementAction.UNIT_ADDRESS_READ,
        "housing_unit",
        unit_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return opened_address(secret_key, UNIT_ADDRESS, unit.id, unit.address_sealed)


async def withdraw_unit(session: AsyncSession, actor: Actor, unit_id: UUID) -> None:
    """Take a unit out of the register; not while it is offered or lived in."""
    unit = await own_unit(session, actor.tenant_id, unit_id)
    lines = {line.id: line for line in await units_of(session, actor.tenant_id)}
    if lines[unit_id].state in {UnitState.RESERVED, UnitState.OCCUPIED}:
        raise InvalidInputError.one("unit_id", "Bostaden är erbjuden eller bebodd och kan inte dras tillbaka nu.")
    if unit.withdrawn_at is None:
        unit.withdrawn_at = datetime.now(UTC)
        await record_placement_event(
            session,
            PlacementAction.UNIT_WITHDRAWN,
            "housing_unit",
            unit_id,
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
        )

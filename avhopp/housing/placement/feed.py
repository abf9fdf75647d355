"""The national state the engine decides against, read through the database functions of migration 0017.

They return free units and active placements at locality level (coded affiliations, no identity,
no address) and each municipality's declared intake; nothing else about other tenants is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.housing.engine.service import (
    ActivePlacement,
    EngineSettings,
    HousingUnit,
    Need,
    PlacementContext,
    PreparedContext,
    UnitType,
    municipality_facts_from_geography,
    prepare_context,
)
from avhopp.platform.heavy import off_loop

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

SETTINGS = EngineSettings()
"""The engine's documented defaults; the national coordinator's own weights come later."""


@dataclass(frozen=True, slots=True)
class NationalState:
    """The engine's prepared context, and who owns each free unit (to address an offer)."""

    prepared: PreparedContext
    unit_owners: dict[str, UUID]


def engine_unit(columns: Mapping[Any, Any]) -> HousingUnit:
    """One row of `housing_engine_units()` (or a mapping with its columns) as the engine's unit."""
    return HousingUnit(
        unit_id=str(columns["unit_id"]),
        municipality_code=columns["municipality_code"],
        locality_code=columns["locality_code"],
        latitude=float(columns["latitude"]),
        longitude=float(columns["longitude"]),
        unit_type=UnitType(columns["unit_type"]),
        max_household=columns["max_household"],
        available_from=columns["available_from"],
        monthly_cost_sek=columns["monthly_cost_sek"],
        features=frozenset(Need(feature) for feature in columns["features"]),
    )


async def national_state(
    session: AsyncSession, as_of: date, *, extra_units: tuple[HousingUnit, ...] = ()
) -> NationalState:
    """Free units (plus `extra_units`, e.g. the one being accepted), active placements and intake, prepared."""
    unit_rows = list((await session.execute(text("SELECT * FROM housing_engine_units() ORDER BY unit_id"))).mappings())
    units = {unit.unit_id: unit for unit in (engine_unit(row) for row in unit_rows)}
    for unit in extra_units:
        units.setdefault(unit.unit_id, unit)
    placements = tuple(
        ActivePlacement(
            placement_id=str(row.placement_id),
            municipality_code=row.municipality_code,
            locality_code=row.locality_code,
            latitude=float(row.latitude),
            longitude=float(row.longitude),
            affiliations=frozenset(row.affiliations),
            placed_on=min(row.move_in_on, as_of),
        )
        for row in await session.execute(text("SELECT * FROM housing_engine_placements() ORDER BY placement_id"))
    )
    intake = list(await session.execute(text("SELECT * FROM housing_engine_intake()")))
    facts = municipality_facts_from_geography(
        declared_caps={row.municipality_code: row.yearly_cap for row in intake if row.yearly_cap is not None},
        paused=[row.municipality_code for row in intake if row.paused],
    )
    context = PlacementContext(as_of=as_of, municipalities=facts, units=tuple(units.values()), placements=placements)
    return NationalState(
        prepared=await off_loop(prepare_context, context, SETTINGS),
        unit_owners={str(row["unit_id"]): row["owner_tenant_id"] for row in unit_rows},
    )

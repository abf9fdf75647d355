"""Small hand-made inputs on the real geography, with defaults a test only overrides where it matters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from avhopp.housing.engine.inputs import (
    ActivePlacement,
    EngineSettings,
    GroupConflict,
    GroupPresence,
    HousingUnit,
    Need,
    PlacementContext,
    PlacementRequest,
    ScoringWeights,
    SolverSettings,
    ThreatLevel,
    ThreatScope,
    UnitType,
    municipality_facts_from_geography,
)
from avhopp.platform.geography.reference import shipped_geography

AS_OF = date(2026, 3, 2)
STOCKHOLM, UPPSALA, ENKOPING, VASTERAS, OREBRO, GAVLE = "0180", "0380", "0381", "1980", "1880", "2180"
GOTEBORG, BORAS, LINKOPING, UMEA, LULEA, FALUN, KARLSTAD = "1480", "1490", "0580", "2480", "2580", "2080", "1780"

FAST_SOLVER = SolverSettings(max_deterministic_time=10.0, max_wall_seconds=30.0)


def centre(municipality: str, offset: tuple[int, int] = (0, 0)) -> tuple[float, float]:
    """The municipality's centroid at locality precision, moved by `offset` hundredths of a degree."""
    fact = next(m for m in shipped_geography().municipalities if m.code == municipality)
    return round(fact.latitude + offset[0] / 100, 2), round(fact.longitude + offset[1] / 100, 2)


def unit(  # noqa: PLR0913 - a builder: every field has a default
    unit_id: str,
    municipality: str,
    *,
    locality: str | None = None,
    offset: tuple[int, int] = (0, 0),
    unit_type: UnitType = UnitType.EMERGENCY_FLAT,
    size: int = 2,
    features: frozenset[Need] = frozenset(),
    available_from: date = AS_OF,
    cost: int = 10_000,
) -> HousingUnit:
    latitude, longitude = centre(municipality, offset)
    return HousingUnit(
        unit_id=unit_id,
        municipality_code=municipality,
        locality_code=locality or f"{municipality}-00",
        latitude=latitude,
        longitude=longitude,
        unit_type=unit_type,
        max_household=size,
        available_from=available_from,
        monthly_cost_sek=cost,
        features=features,
    )


def placement(  # noqa: PLR0913 - a builder: every field has a default
    placement_id: str,
    municipality: str,
    *,
    locality: str | None = None,
    offset: tuple[int, int] = (0, 0),
    groups: frozenset[str] = frozenset(),
    days_ago: int = 400,
) -> ActivePlacement:
    latitude, longitude = centre(municipality, offset)
    return ActivePlacement(
        placement_id=placement_id,
        municipality_code=municipality,
        locality_code=locality or f"{municipality}-00",
        latitude=latitude,
        longitude=longitude,
        affiliations=groups,
        placed_on=AS_OF - timedelta(days=days_ago),
    )


def request(  # noqa: PLR0913 - a builder: every field has a default
    request_id: str = "R1",
    origin: str = STOCKHOLM,
    *,
    threat: ThreatScope | None = None,
    groups: frozenset[str] = frozenset(),
    household: int = 1,
    needs: frozenset[Need] = frozenset(),
    operation: str | None = None,
    acute: bool = True,
    move_in: date = AS_OF,
) -> PlacementRequest:
    return PlacementRequest(
        request_id=request_id,
        origin_municipality=origin,
        threat=threat or ThreatScope(ThreatLevel.LOCAL, municipality_codes=frozenset({origin})),
        affiliations=groups,
        household_size=household,
        needs=needs,
        earliest_move_in=move_in,
        operation_municipality=operation or origin,
        acute=acute,
    )


def context(  # noqa: PLR0913 - a builder: every field has a default
    units: tuple[HousingUnit, ...],
    placements: tuple[ActivePlacement, ...] = (),
    *,
    conflicts: tuple[tuple[str, str], ...] = (),
    presence: tuple[tuple[str, str], ...] = (),
    labour: dict[str, float] | None = None,
    caps: dict[str, int] | None = None,
    paused: tuple[str, ...] = (),
) -> PlacementContext:
    return PlacementContext(
        as_of=AS_OF,
        municipalities=municipality_facts_from_geography(labour, caps, paused),
        units=units,
        placements=placements,
        conflicts=tuple(GroupConflict(a, b) for a, b in conflicts),
        presence=tuple(GroupPresence(g, m) for g, m in presence),
    )


def settings(**weights: float) -> EngineSettings:
    """Default settings with a fast solver; named weights replace the defaults, the rest become 0."""
    base = EngineSettings(solver=FAST_SOLVER)
    if not weights:
        return base
    zero = ScoringWeights(labour_market=0, operation_distance=0, threat_distance=0, fair_load=0, cost=0)
    return replace(base, weights=replace(zero, **weights))

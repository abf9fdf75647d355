"""Hypothesis strategies: small random worlds on a handful of real municipalities.

Small enough to check every answer exhaustively, dense enough that every hard constraint binds
often: few localities, strict caps, many shared and rival groups, wide and narrow threats.

By default each property runs a quick sample so `pytest tests/housing` stays fast; with
`HYPOTHESIS_PROFILE=thorough` each runs thousands of cases. The settings are decorators on this
package's tests, not a global profile, so other tests are not affected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from avhopp.housing.engine.inputs import (
    ActivePlacement,
    EngineSettings,
    GroupConflict,
    GroupPresence,
    HousingUnit,
    MunicipalityFacts,
    Need,
    PlacementContext,
    PlacementRequest,
    ScoringWeights,
    ThreatLevel,
    ThreatScope,
    UnitType,
    municipality_facts_from_geography,
)
from avhopp.platform.geography.reference import shipped_geography
from tests.housing.builders import AS_OF, FAST_SOLVER, centre

_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
_COMMON = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROPERTIES = settings(_COMMON, max_examples=3_000 if _THOROUGH else 60)
"""For properties checked request by request."""
SOLVER_PROPERTIES = settings(_COMMON, max_examples=1_000 if _THOROUGH else 25)
"""For properties that run the exact solver and a brute force on every example."""

WORLD = ("0180", "0188", "0380", "0381", "1980", "1880", "2180", "1480", "1490", "0580")
GROUPS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class World:
    context: PlacementContext
    settings: EngineSettings
    requests: tuple[PlacementRequest, ...]


def _groups() -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(GROUPS), max_size=2)


@st.composite
def _localities(draw: st.DrawFn) -> list[tuple[str, str, float, float]]:
    found = []
    for municipality in WORLD:
        for index in range(draw(st.integers(1, 2))):
            offset = (draw(st.integers(-20, 20)), draw(st.integers(-20, 20)))
            latitude, longitude = centre(municipality, offset)
            found.append((f"{municipality}-{index}", municipality, latitude, longitude))
    return found


@st.composite
def _threat(draw: st.DrawFn) -> ThreatScope:
    level = draw(st.sampled_from(list(ThreatLevel)))
    municipalities = draw(st.frozensets(st.sampled_from(WORLD), min_size=level is ThreatLevel.LOCAL, max_size=2))
    if level is ThreatLevel.LOCAL:
        return ThreatScope(level, municipality_codes=municipalities)
    geography = shipped_geography()
    counties = draw(st.frozensets(st.sampled_from(sorted({code[:2] for code in WORLD})), max_size=2))
    regions = draw(st.frozensets(st.sampled_from(sorted(geography.police_regions)), max_size=1))
    if not counties and not regions:
        counties = frozenset({draw(st.sampled_from(WORLD))[:2]})
    return ThreatScope(level, municipality_codes=municipalities, county_codes=counties, police_region_codes=regions)


@st.composite
def _weights(draw: st.DrawFn) -> ScoringWeights:
    values = [draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0])) for _ in range(5)]
    if not any(values):
        values[0] = 1.0
    return ScoringWeights(*values)


@st.composite
def _settings(draw: st.DrawFn) -> EngineSettings:
    min_separation = draw(st.sampled_from([0.0, 0.0, 10.0, 40.0]))
    size = draw(st.integers(1, 6))
    return EngineSettings(
        weights=draw(_weights()),
        min_separation_km=min_separation,
        related_separation_km=max(min_separation, draw(st.sampled_from([0.0, 20.0, 100.0, 250.0]))),
        default_cap_per_10k=draw(st.sampled_from([0.01, 0.05, 3.0])),
        national_rate_per_10k=draw(st.sampled_from([0.1, 1.0])),
        recent_days=draw(st.sampled_from([0, 180])),
        max_wait_days=draw(st.sampled_from([0, 7])),
        shortlist_size=size,
        min_municipalities=draw(st.integers(1, size)),
        non_acute_operation_factor=draw(st.sampled_from([0.0, 0.25])),
        solver=FAST_SOLVER,
    )


@st.composite
def worlds(draw: st.DrawFn, max_units: int = 12, max_placements: int = 8, max_requests: int = 4) -> World:
    """A random world and a batch of requests against it."""
    places = draw(_localities())
    place = st.sampled_from(places)
    units = []
    for index in range(draw(st.integers(0, max_units))):
        code, municipality, latitude, longitude = draw(place)
        unit_type = draw(st.sampled_from(list(UnitType)))
        units.append(
            HousingUnit(
                unit_id=f"U{index:02d}",
                municipality_code=municipality,
                locality_code=code,
                latitude=latitude,
                longitude=longitude,
                unit_type=unit_type,
                max_household=draw(st.integers(1, 4)),
                available_from=AS_OF + timedelta(days=draw(st.integers(-10, 20))),
                monthly_cost_sek=draw(st.integers(0, 400)) * 100,
                features=draw(st.frozensets(st.sampled_from([Need.ADDICTION_CARE, Need.ACCESSIBLE]))),
            )
        )
    placements = []
    for index in range(draw(st.integers(0, max_placements))):
        code, municipality, latitude, longitude = draw(place)
        placements.append(
            ActivePlacement(
                placement_id=f"P{index:02d}",
                municipality_code=municipality,
                locality_code=code,
                latitude=latitude,
                longitude=longitude,
                affiliations=draw(_groups()),
                placed_on=AS_OF - timedelta(days=draw(st.integers(0, 400))),
            )
        )
    pairs = [(a, b) for a in GROUPS for b in GROUPS if a < b]
    conflicts = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3))
    presence = draw(st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from(WORLD)), unique=True, max_size=3))
    facts = _facts(draw)
    requests = tuple(
        PlacementRequest(
            request_id=f"R{index}",
            origin_municipality=draw(st.sampled_from(WORLD)),
            threat=draw(_threat()),
            affiliations=draw(_groups()),
            household_size=draw(st.integers(1, 3)),
            needs=draw(st.frozensets(st.sampled_from(list(Need)), max_size=1)),
            earliest_move_in=AS_OF + timedelta(days=draw(st.integers(0, 10))),
            operation_municipality=draw(st.sampled_from(WORLD)),
            acute=draw(st.booleans()),
        )
        for index in range(draw(st.integers(1, max_requests)))
    )
    context = PlacementContext(
        as_of=AS_OF,
        municipalities=facts,
        units=tuple(units),
        placements=tuple(placements),
        conflicts=tuple(GroupConflict(a, b) for a, b in conflicts),
        presence=tuple(GroupPresence(g, m) for g, m in presence),
    )
    return World(context=context, settings=draw(_settings()), requests=requests)


def _facts(draw: st.DrawFn) -> tuple[MunicipalityFacts, ...]:
    labour = {code: draw(st.sampled_from([0.1, 0.4, 0.7, 0.9])) for code in WORLD}
    caps = {code: draw(st.integers(0, 3)) for code in draw(st.frozensets(st.sampled_from(WORLD), max_size=3))}
    paused = draw(st.frozensets(st.sampled_from(WORLD), max_size=2))
    return municipality_facts_from_geography(labour, caps, paused)

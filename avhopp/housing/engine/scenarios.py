"""Generated national scenarios on the real geography, for tests and benchmarks.

Shapes follow the domain brief and the research notes: requests come mostly from the three
metropolitan areas, where the groups are based; units and placements spread over the country
roughly with population, placements less in the metropolitan areas. The same spec always gives
the same scenario.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from avhopp.housing.engine.geo import distance_km
from avhopp.housing.engine.inputs import (
    ActivePlacement,
    GroupConflict,
    GroupPresence,
    HousingUnit,
    MunicipalityFacts,
    Need,
    PlacementContext,
    PlacementRequest,
    ThreatLevel,
    ThreatScope,
    UnitType,
)
from avhopp.platform.geography.reference import MunicipalityFact, shipped_geography

METRO_CORES = {"stockholm": "0180", "goteborg": "1480", "malmo": "1280"}
_METRO_RADIUS_KM = 40.0
_NEIGHBOUR_KM = 30.0
_METRO_SHARES = {"stockholm": 0.45, "goteborg": 0.30, "malmo": 0.25}
# Other towns with groups of their own.
_OTHER_GROUP_TOWNS = ("0380", "1880", "1980", "0580", "0581", "1283", "0680", "2480", "0181", "0484")
# Operations taking people from the whole country (Brå 2014): Stockholm, Göteborg, Malmö, Örebro,
# Halmstad (KRIS), Ludvika (EASAS).
_NATIONAL_OPERATIONS = ("0180", "1480", "1280", "1880", "1380", "2085")
_CORE_OPERATIONS = frozenset(METRO_CORES.values()) | {"1880"}


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """Sizes and densities of a generated scenario."""

    seed: int = 1
    units: int = 5_000
    placements: int = 1_000
    requests: int = 20
    groups: int = 150
    rivals_per_group: float = 2.0
    """Average number of groups each group is in conflict with."""
    metro_share: float = 0.8
    """Share of requests whose origin is in one of the three metropolitan areas."""
    as_of: date = date(2026, 3, 2)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A national state and a set of simultaneous requests against it."""

    context: PlacementContext
    requests: tuple[PlacementRequest, ...]


@dataclass(frozen=True, slots=True)
class _Locality:
    code: str
    municipality_code: str
    latitude: float
    longitude: float


@cache
def metro_municipalities() -> dict[str, tuple[str, ...]]:
    """Municipalities within 40 km of each metropolitan core, in the core's county."""
    by_code = {m.code: m for m in shipped_geography().municipalities}
    result: dict[str, tuple[str, ...]] = {}
    for area, core_code in METRO_CORES.items():
        core = by_code[core_code]
        result[area] = tuple(
            m.code
            for m in shipped_geography().municipalities
            if m.county_code == core.county_code
            and distance_km(core.latitude, core.longitude, m.latitude, m.longitude) < _METRO_RADIUS_KM
        )
    return result


def generate_scenario(spec: ScenarioSpec) -> Scenario:
    """Build a reproducible national scenario from `spec`."""
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible test data, not a secret
    municipalities = shipped_geography().municipalities
    metro = {code for codes in metro_municipalities().values() for code in codes}
    facts = _municipality_facts(rng, municipalities)
    localities = _localities(rng, municipalities)
    groups, home, conflicts = _groups(rng, spec)
    presence = _presence(rng, groups, home)
    units = _units(rng, spec, municipalities, localities)
    placements = _placements(rng, spec, _Places(municipalities, localities, metro, facts), groups)
    context = PlacementContext(
        as_of=spec.as_of,
        municipalities=facts,
        units=units,
        placements=placements,
        conflicts=conflicts,
        presence=presence,
    )
    requests = _requests(rng, spec, groups, home)
    return Scenario(context=context, requests=requests)


def _municipality_facts(
    rng: random.Random, municipalities: tuple[MunicipalityFact, ...]
) -> tuple[MunicipalityFacts, ...]:
    facts = []
    for m in municipalities:
        population = m.population or 1
        # Larger labour markets tend to have more openings; the noise keeps it from being population alone.
        labour = min(1.0, max(0.0, 0.2 + 0.06 * math.log10(population) + rng.uniform(-0.15, 0.35)))
        cap = rng.randint(1, 6) if _chance(rng, 0.1) else None
        facts.append(
            MunicipalityFacts(
                code=m.code,
                latitude=m.latitude,
                longitude=m.longitude,
                population=population,
                labour_market=round(labour, 3),
                declared_cap=cap,
                intake_paused=_chance(rng, 0.03),
            )
        )
    return tuple(facts)


def _localities(rng: random.Random, municipalities: tuple[MunicipalityFact, ...]) -> dict[str, list[_Locality]]:
    result: dict[str, list[_Locality]] = {}
    for m in municipalities:
        population = m.population or 1
        count = max(1, min(10, 1 + round(math.log2(max(1.0, population / 4_000)))))
        radius_km = max(4.0, min(25.0, math.sqrt(population) / 25))
        places = []
        for index in range(count):
            # The first locality is the main town near the centroid; the others spread around it.
            reach = 0.2 * radius_km if index == 0 else radius_km
            bearing = rng.uniform(0, 2 * math.pi)
            north_km = reach * rng.random() * math.cos(bearing)
            east_km = reach * rng.random() * math.sin(bearing)
            latitude = round(m.latitude + north_km / 111.2, 2)
            longitude = round(m.longitude + east_km / (111.2 * math.cos(math.radians(m.latitude))), 2)
            places.append(_Locality(f"{m.code}-{index:02d}", m.code, latitude, longitude))
        result[m.code] = places
    return result


def _pick_locality(rng: random.Random, places: list[_Locality]) -> _Locality:
    # Most housing is in the main town.
    if len(places) == 1 or _chance(rng, 0.6):
        return places[0]
    return rng.choice(places[1:])


def _groups(rng: random.Random, spec: ScenarioSpec) -> tuple[list[str], dict[str, str], tuple[GroupConflict, ...]]:
    """Coded groups, each with a home municipality, and conflicts mostly between groups of the same area."""
    areas = list(_METRO_SHARES)
    metros = metro_municipalities()
    groups = [f"G{index:03d}" for index in range(spec.groups)]
    home: dict[str, str] = {}
    area_of: dict[str, str] = {}
    for group in groups:
        if _chance(rng, 0.85):
            area = rng.choices(areas, weights=[_METRO_SHARES[a] for a in areas])[0]
            home[group] = rng.choice(metros[area])
        else:
            area = "other"
            home[group] = rng.choice(_OTHER_GROUP_TOWNS)
        area_of[group] = area
    pairs: set[tuple[str, str]] = set()
    wanted = round(spec.rivals_per_group * spec.groups / 2)
    attempts = 0
    while len(pairs) < wanted and attempts < 100 * wanted + 100:
        attempts += 1
        a = rng.choice(groups)
        same_area = [g for g in groups if g != a and area_of[g] == area_of[a]]
        pool = same_area if same_area and _chance(rng, 0.8) else [g for g in groups if g != a]
        b = rng.choice(pool)
        pairs.add((min(a, b), max(a, b)))
    return groups, home, tuple(GroupConflict(a, b) for a, b in sorted(pairs))


def _presence(rng: random.Random, groups: list[str], home: dict[str, str]) -> tuple[GroupPresence, ...]:
    all_codes = [m.code for m in shipped_geography().municipalities]
    metros = metro_municipalities()
    found: set[tuple[str, str]] = set()
    for group in groups:
        found.add((group, home[group]))
        area = next((a for a, codes in metros.items() if home[group] in codes), None)
        if area is not None:
            for code in rng.sample(metros[area], k=min(2, len(metros[area]))):
                found.add((group, code))
        if _chance(rng, 0.3):  # some groups also operate in another town
            found.add((group, rng.choice(all_codes)))
    return tuple(GroupPresence(group, code) for group, code in sorted(found))


def _units(
    rng: random.Random,
    spec: ScenarioSpec,
    municipalities: tuple[MunicipalityFact, ...],
    localities: dict[str, list[_Locality]],
) -> tuple[HousingUnit, ...]:
    weights = [(m.population or 1) ** 0.8 for m in municipalities]
    chosen = rng.choices(municipalities, weights=weights, k=spec.units)
    units = []
    for index, m in enumerate(chosen):
        place = _pick_locality(rng, localities[m.code])
        unit_type = rng.choices(list(UnitType), weights=[45, 20, 35])[0]
        if unit_type is UnitType.SUPPORTED_HOUSING:
            size = rng.choices([1, 2], weights=[80, 20])[0]
            cost = rng.randint(15_000, 35_000)
            addiction = _chance(rng, 0.4)
        elif unit_type is UnitType.EMERGENCY_FLAT:
            size = rng.choices([1, 2, 3, 4], weights=[50, 25, 15, 10])[0]
            cost = rng.randint(12_000, 25_000)
            addiction = _chance(rng, 0.05)
        else:
            size = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 25, 20, 15, 5, 5])[0]
            cost = rng.randint(6_000, 14_000)
            addiction = False
        features = set()
        if addiction:
            features.add(Need.ADDICTION_CARE)
        if _chance(rng, 0.15):
            features.add(Need.ACCESSIBLE)
        units.append(
            HousingUnit(
                unit_id=f"U{index:05d}",
                municipality_code=m.code,
                locality_code=place.code,
                latitude=place.latitude,
                longitude=place.longitude,
                unit_type=unit_type,
                max_household=size,
                available_from=spec.as_of + timedelta(days=rng.randint(-60, 45)),
                monthly_cost_sek=round(cost, -2),
                features=frozenset(features),
            )
        )
    return tuple(units)


@dataclass(frozen=True, slots=True)
class _Places:
    municipalities: tuple[MunicipalityFact, ...]
    localities: dict[str, list[_Locality]]
    metro: set[str]
    facts: tuple[MunicipalityFacts, ...]


def _placements(
    rng: random.Random,
    spec: ScenarioSpec,
    places: _Places,
    groups: list[str],
) -> tuple[ActivePlacement, ...]:
    municipalities, localities = places.municipalities, places.localities
    # Defectors are mostly moved out of the metropolitan areas.
    weights = [(m.population or 1) ** 0.8 * (0.3 if m.code in places.metro else 1.0) for m in municipalities]
    room = {f.code: f.declared_cap if f.declared_cap is not None else 10**6 for f in places.facts}
    placements: list[ActivePlacement] = []
    while len(placements) < spec.placements:
        m = rng.choices(municipalities, weights=weights)[0]
        if room[m.code] <= 0:
            continue
        room[m.code] -= 1
        place = _pick_locality(rng, localities[m.code])
        affiliations = frozenset(rng.sample(groups, k=_affiliation_count(rng)))
        placements.append(
            ActivePlacement(
                placement_id=f"P{len(placements):05d}",
                municipality_code=m.code,
                locality_code=place.code,
                latitude=place.latitude,
                longitude=place.longitude,
                affiliations=affiliations,
                placed_on=spec.as_of - timedelta(days=rng.randint(0, 730)),
            )
        )
    return tuple(placements)


def _requests(
    rng: random.Random,
    spec: ScenarioSpec,
    groups: list[str],
    home: dict[str, str],
) -> tuple[PlacementRequest, ...]:
    """Requests from mostly metropolitan origins, affiliated with groups based near the origin."""
    geography = shipped_geography()
    by_code = {m.code: m for m in geography.municipalities}
    region_of = {c.code: c.police_region_code for c in geography.counties}
    metros = metro_municipalities()
    areas = list(_METRO_SHARES)
    requests = []
    for index in range(spec.requests):
        if _chance(rng, spec.metro_share):
            area = rng.choices(areas, weights=[_METRO_SHARES[a] for a in areas])[0]
            origin = rng.choices(metros[area], weights=[by_code[c].population or 1 for c in metros[area]])[0]
        else:
            origin = rng.choices(
                geography.municipalities, weights=[m.population or 1 for m in geography.municipalities]
            )[0].code
        origin_fact = by_code[origin]
        local_groups = [
            g
            for g in groups
            if distance_km(
                by_code[home[g]].latitude, by_code[home[g]].longitude, origin_fact.latitude, origin_fact.longitude
            )
            < 2 * _METRO_RADIUS_KM
        ] or groups
        affiliations = frozenset(rng.sample(local_groups, k=min(len(local_groups), _affiliation_count(rng))))
        requests.append(
            PlacementRequest(
                request_id=f"R{spec.seed:03d}-{index:04d}",
                origin_municipality=origin,
                threat=_threat(rng, origin_fact, region_of),
                affiliations=affiliations,
                household_size=rng.choices([1, 2, 3, 4], weights=[70, 15, 10, 5])[0],
                needs=_needs(rng),
                earliest_move_in=spec.as_of + timedelta(days=rng.randint(0, 14)),
                operation_municipality=origin
                if origin in _CORE_OPERATIONS and _chance(rng, 0.6)
                else rng.choice(_NATIONAL_OPERATIONS),
                acute=_chance(rng, 0.8),
            )
        )
    return tuple(requests)


def _threat(rng: random.Random, origin: MunicipalityFact, region_of: dict[str, str]) -> ThreatScope:
    kind = rng.choices(list(ThreatLevel), weights=[40, 45, 15])[0]
    if kind is ThreatLevel.LOCAL:  # the origin and sometimes a neighbour
        neighbours = [
            m.code
            for m in shipped_geography().municipalities
            if m.code != origin.code
            and distance_km(origin.latitude, origin.longitude, m.latitude, m.longitude) < _NEIGHBOUR_KM
        ]
        named = {origin.code, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2)))}
        return ThreatScope(ThreatLevel.LOCAL, municipality_codes=frozenset(named))
    if kind is ThreatLevel.REGIONAL:  # the origin's county
        return ThreatScope(ThreatLevel.REGIONAL, county_codes=frozenset({origin.county_code}))
    others = sorted(set(region_of.values()) - {region_of[origin.county_code]})
    regions = {region_of[origin.county_code], *rng.sample(others, k=rng.randint(1, 2))}
    return ThreatScope(ThreatLevel.NATIONAL, police_region_codes=frozenset(regions))


def _needs(rng: random.Random) -> frozenset[Need]:
    chances = {Need.SUPPORTED_HOUSING: 0.15, Need.ADDICTION_CARE: 0.15, Need.ACCESSIBLE: 0.05}
    return frozenset(need for need, chance in chances.items() if _chance(rng, chance))


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _affiliation_count(rng: random.Random) -> int:
    """Most people are tied to one group; a few to two, a few to none known."""
    return rng.choices([0, 1, 2], weights=[5, 90, 5])[0]

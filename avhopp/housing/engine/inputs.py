"""The engine's typed inputs and their validation.

Everything the engine reads is a frozen dataclass from this module. Nothing is trusted until
`validate_settings`, `validate_context` and `validate_request` have passed; they raise one
exception class, `PlacementInputError`, that names the offending field, before any solving.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from avhopp.platform.geography.reference import shipped_geography

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_MAX_HOUSEHOLD = 20
# Locality level: two decimals of a degree is about a kilometre. A finer coordinate could be an
# address, which the engine must never hold.
_COORDINATE_DECIMALS = 2
# Sweden, with a margin; catches swapped latitude and longitude.
_LATITUDE_RANGE = (55.0, 69.5)
_LONGITUDE_RANGE = (10.5, 24.5)


class PlacementInputError(ValueError):
    """An input is wrong; `field` names it (e.g. `request.household_size`), the message is Swedish."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ThreatLevel(StrEnum):
    """How far the police assess that the threat reaches."""

    LOCAL = "lokal"
    REGIONAL = "regional"
    NATIONAL = "nationell"


class Need(StrEnum):
    """A need the housing must meet."""

    SUPPORTED_HOUSING = "stodboende"
    ADDICTION_CARE = "missbruksvard"
    ACCESSIBLE = "tillganglig"


class UnitType(StrEnum):
    """The kind of housing unit."""

    EMERGENCY_FLAT = "jourlagenhet"
    SUPPORTED_HOUSING = "stodboende"
    LONG_TERM_LEASE = "langtidskontrakt"


@dataclass(frozen=True, slots=True)
class ThreatScope:
    """Where the threat against the person applies.

    A local threat names municipalities only; a regional or national one names at least one
    county or police region (and may add municipalities). The union of all named areas is excluded.
    """

    level: ThreatLevel
    municipality_codes: frozenset[str] = frozenset()
    county_codes: frozenset[str] = frozenset()
    police_region_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PlacementRequest:
    """One person (with household) who needs housing in another municipality."""

    request_id: str
    origin_municipality: str
    threat: ThreatScope
    affiliations: frozenset[str]
    """Coded group affiliations (never names)."""
    household_size: int
    needs: frozenset[Need]
    earliest_move_in: date
    operation_municipality: str
    """Where the supporting operation (avhopparverksamhet) works from."""
    acute: bool = True
    """In the acute phase, nearness to the supporting operation weighs fully."""


@dataclass(frozen=True, slots=True)
class HousingUnit:
    """A free housing unit, located at locality level only: never a street address."""

    unit_id: str
    municipality_code: str
    locality_code: str
    latitude: float
    longitude: float
    unit_type: UnitType
    max_household: int
    """Persons the unit houses."""
    available_from: date
    monthly_cost_sek: int
    features: frozenset[Need] = frozenset()
    """What the unit offers besides its type: accessible, addiction care on site."""

    @property
    def offers(self) -> frozenset[Need]:
        """Needs the unit meets; supported housing is a type, not a feature."""
        if self.unit_type is UnitType.SUPPORTED_HOUSING:
            return self.features | {Need.SUPPORTED_HOUSING}
        return self.features


@dataclass(frozen=True, slots=True)
class ActivePlacement:
    """A person placed and still living there: locality and coded affiliations, no identity."""

    placement_id: str
    municipality_code: str
    locality_code: str
    latitude: float
    longitude: float
    affiliations: frozenset[str]
    placed_on: date


@dataclass(frozen=True, slots=True)
class GroupConflict:
    """Two coded groups in conflict with each other."""

    group_a: str
    group_b: str


@dataclass(frozen=True, slots=True)
class GroupPresence:
    """A coded group known to be present in a municipality."""

    group: str
    municipality_code: str


@dataclass(frozen=True, slots=True)
class MunicipalityFacts:
    """What the engine knows about a municipality; coordinates are its centroid."""

    code: str
    latitude: float
    longitude: float
    population: int
    labour_market: float
    """0 to 1, higher is better (e.g. a normalised ratio of vacancies to job seekers)."""
    declared_cap: int | None = None
    """Most active placements the municipality accepts; None means the population default."""
    intake_paused: bool = False


@dataclass(frozen=True, slots=True)
class PlacementContext:
    """The national state one decision is made against."""

    as_of: date
    municipalities: tuple[MunicipalityFacts, ...]
    """Exactly one entry per municipality in Sweden."""
    units: tuple[HousingUnit, ...]
    placements: tuple[ActivePlacement, ...] = ()
    conflicts: tuple[GroupConflict, ...] = ()
    presence: tuple[GroupPresence, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """How much each criterion weighs; each in [0, 1], not all zero. Normalised by their sum."""

    labour_market: float = 0.30
    operation_distance: float = 0.20
    threat_distance: float = 0.25
    fair_load: float = 0.15
    cost: float = 0.10


@dataclass(frozen=True, slots=True)
class SolverSettings:
    """Limits for the exact solver in batch mode.

    The deterministic-time limit keeps answers reproducible; the wall-clock limit is a backstop,
    and an answer cut by it is flagged as not reproducible.
    """

    max_deterministic_time: float = 20.0
    max_wall_seconds: float = 60.0
    """For the whole batch, screening and heuristic included."""
    workers: int = 2
    random_seed: int = 20260101
    count_phase_share: float = 0.4
    """Share of both limits given to placing as many people as possible; the rest improves the score."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Every tunable number of the engine, with its documented default."""

    weights: ScoringWeights = field(default_factory=ScoringWeights)
    min_separation_km: float = 0.0
    """Between any two placements; 0 means only "not in the same locality"."""
    related_separation_km: float = 100.0
    """Between placements sharing an affiliation or from groups in conflict."""
    default_cap_per_10k: float = 3.0
    """Cap when a municipality declared none: this many per 10,000 inhabitants, at least 1."""
    national_rate_per_10k: float = 1.0
    """Reference load the fair-load criterion compares against, set by the national coordinator."""
    recent_days: int = 180
    recent_weight: float = 2.0
    """A placement made within `recent_days` counts this many times in the load."""
    operation_scale_km: float = 400.0
    """Nearness to the operation scores 1 at 0 km, falling linearly to 0 at this distance."""
    threat_scale_km: float = 400.0
    """Distance from the threat scores 0 at 0 km, rising linearly to 1 at this distance."""
    cost_scale_sek: int = 30_000
    """Monthly cost scoring 0; free scores 1."""
    non_acute_operation_factor: float = 0.25
    """Outside the acute phase the operation-distance weight is multiplied by this."""
    max_wait_days: int = 7
    """A unit fits if it is free no later than this many days after the earliest move-in date."""
    shortlist_size: int = 5
    min_municipalities: int = 3
    """A shortlist spans at least this many municipalities where that many are possible."""
    solver: SolverSettings = field(default_factory=SolverSettings)


def _fail(path: str, message: str) -> PlacementInputError:
    return PlacementInputError(field=path, message=message)


def _check_number(path: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, "måste vara ett ändligt tal")
    if not low <= value <= high:
        raise _fail(path, f"måste ligga mellan {low:g} och {high:g}, var {value:g}")
    return float(value)


def _check_int(path: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "måste vara ett heltal")
    if not low <= value <= high:
        raise _fail(path, f"måste ligga mellan {low} och {high}, var {value}")
    return value


def _check_id(path: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _fail(path, "måste vara en kod av bokstäver, siffror och _.:- (högst 64 tecken)")
    return value


def _check_date(path: str, value: object) -> date:
    if not isinstance(value, date):
        raise _fail(path, "måste vara ett datum")
    return value


def _check_municipality(path: str, value: object) -> str:
    if not isinstance(value, str) or value not in _known_municipalities():
        raise _fail(path, f"okänd kommunkod {value!r}")
    return value


def _check_groups(path: str, value: object) -> frozenset[str]:
    if not isinstance(value, frozenset):
        raise _fail(path, "måste vara en frozenset av gruppkoder")
    for group in sorted(value, key=str):
        if not isinstance(group, str) or not _GROUP.match(group):
            raise _fail(path, f"ogiltig gruppkod {group!r}")
    return value


def _check_coordinate(path: str, value: object, bounds: tuple[float, float]) -> float:
    number = _check_number(path, value, *bounds)
    if abs(number * 10**_COORDINATE_DECIMALS - round(number * 10**_COORDINATE_DECIMALS)) > 1e-6:  # noqa: PLR2004
        raise _fail(path, "högst två decimaler: koordinaten ska vara tätortens, aldrig en adress")
    return number


def _check_needs(path: str, value: object) -> frozenset[Need]:
    if not isinstance(value, frozenset) or not all(isinstance(need, Need) for need in value):
        raise _fail(path, "måste vara en frozenset av Need")
    return value


@cache
def _known_municipalities() -> frozenset[str]:
    return frozenset(m.code for m in shipped_geography().municipalities)


def validate_settings(settings: EngineSettings) -> None:
    """Check every setting's range; raise `PlacementInputError` naming the first wrong one."""
    weights = settings.weights
    for item in fields(weights):
        _check_number(f"weights.{item.name}", getattr(weights, item.name), 0.0, 1.0)
    if sum(getattr(weights, item.name) for item in fields(weights)) <= 0:
        raise _fail("weights", "minst en vikt måste vara större än noll")
    _check_number("settings.min_separation_km", settings.min_separation_km, 0.0, 50.0)
    _check_number("settings.related_separation_km", settings.related_separation_km, 0.0, 500.0)
    if settings.related_separation_km < settings.min_separation_km:
        raise _fail("settings.related_separation_km", "får inte vara mindre än min_separation_km")
    _check_number("settings.default_cap_per_10k", settings.default_cap_per_10k, 0.01, 100.0)
    _check_number("settings.national_rate_per_10k", settings.national_rate_per_10k, 0.001, 100.0)
    _check_int("settings.recent_days", settings.recent_days, 0, 3650)
    _check_number("settings.recent_weight", settings.recent_weight, 1.0, 10.0)
    _check_number("settings.operation_scale_km", settings.operation_scale_km, 1.0, 2000.0)
    _check_number("settings.threat_scale_km", settings.threat_scale_km, 1.0, 2000.0)
    _check_int("settings.cost_scale_sek", settings.cost_scale_sek, 1, 1_000_000)
    _check_number("settings.non_acute_operation_factor", settings.non_acute_operation_factor, 0.0, 1.0)
    _check_int("settings.max_wait_days", settings.max_wait_days, 0, 365)
    _check_int("settings.shortlist_size", settings.shortlist_size, 1, 50)
    _check_int("settings.min_municipalities", settings.min_municipalities, 1, settings.shortlist_size)
    solver = settings.solver
    _check_number("solver.max_deterministic_time", solver.max_deterministic_time, 0.01, 3600.0)
    _check_number("solver.max_wall_seconds", solver.max_wall_seconds, 0.1, 3600.0)
    _check_int("solver.workers", solver.workers, 1, 64)
    _check_int("solver.random_seed", solver.random_seed, 0, 2**31 - 1)
    _check_number("solver.count_phase_share", solver.count_phase_share, 0.05, 0.95)


def validate_request(request: PlacementRequest, path: str = "request") -> None:
    """Check one request; raise `PlacementInputError` naming the first wrong field."""
    if not isinstance(request, PlacementRequest):
        raise _fail(path, "måste vara en PlacementRequest")
    _check_id(f"{path}.request_id", request.request_id)
    _check_municipality(f"{path}.origin_municipality", request.origin_municipality)
    _check_municipality(f"{path}.operation_municipality", request.operation_municipality)
    _validate_threat(f"{path}.threat", request.threat)
    _check_groups(f"{path}.affiliations", request.affiliations)
    _check_int(f"{path}.household_size", request.household_size, 1, _MAX_HOUSEHOLD)
    _check_needs(f"{path}.needs", request.needs)
    _check_date(f"{path}.earliest_move_in", request.earliest_move_in)
    if not isinstance(request.acute, bool):
        raise _fail(f"{path}.acute", "måste vara sant eller falskt")


def validate_requests(requests: Sequence[PlacementRequest]) -> None:
    """Check a batch: each request, and that no id repeats."""
    seen: set[str] = set()
    for index, request in enumerate(requests):
        validate_request(request, f"requests[{index}]")
        if request.request_id in seen:
            raise _fail(f"requests[{index}].request_id", f"förekommer två gånger: {request.request_id!r}")
        seen.add(request.request_id)


def _validate_threat(path: str, threat: object) -> None:
    if not isinstance(threat, ThreatScope):
        raise _fail(path, "måste vara en ThreatScope")
    if not isinstance(threat.level, ThreatLevel):
        raise _fail(f"{path}.level", "måste vara lokal, regional eller nationell")
    _validate_threat_areas(path, threat)
    wide = threat.county_codes or threat.police_region_codes
    if not (threat.municipality_codes or wide):
        raise _fail(path, "hotbilden måste ange minst en kommun, ett län eller en polisregion")
    if threat.level is ThreatLevel.LOCAL and wide:
        raise _fail(f"{path}.level", "en lokal hotbild anger bara kommuner; ange regional eller nationell")
    if threat.level is not ThreatLevel.LOCAL and not wide:
        raise _fail(f"{path}.level", "en regional eller nationell hotbild måste ange län eller polisregion")


def _validate_threat_areas(path: str, threat: ThreatScope) -> None:
    geography = shipped_geography()
    counties = {c.code for c in geography.counties}
    for name, codes, known, what in (
        ("municipality_codes", threat.municipality_codes, _known_municipalities(), "kommunkod"),
        ("county_codes", threat.county_codes, counties, "länskod"),
        ("police_region_codes", threat.police_region_codes, set(geography.police_regions), "polisregion"),
    ):
        if not isinstance(codes, frozenset):
            raise _fail(f"{path}.{name}", "måste vara en frozenset av koder")
        for code in sorted(codes, key=str):
            if code not in known:
                raise _fail(f"{path}.{name}", f"okänd {what} {code!r}")


def validate_context(context: PlacementContext) -> None:
    """Check the national state; raise `PlacementInputError` naming the first wrong field."""
    _check_date("context.as_of", context.as_of)
    _validate_municipalities(context.municipalities)
    localities: dict[str, tuple[str, float, float]] = {}
    unit_ids: set[str] = set()
    for index, unit in enumerate(context.units):
        path = f"units[{index}]"
        _validate_unit(path, unit)
        if unit.unit_id in unit_ids:
            raise _fail(f"{path}.unit_id", f"förekommer två gånger: {unit.unit_id!r}")
        unit_ids.add(unit.unit_id)
        _check_locality(path, localities, unit.locality_code, (unit.municipality_code, unit.latitude, unit.longitude))
    placement_ids: set[str] = set()
    for index, placement in enumerate(context.placements):
        path = f"placements[{index}]"
        _validate_placement(path, placement, context.as_of)
        if placement.placement_id in placement_ids:
            raise _fail(f"{path}.placement_id", f"förekommer två gånger: {placement.placement_id!r}")
        placement_ids.add(placement.placement_id)
        place = (placement.municipality_code, placement.latitude, placement.longitude)
        _check_locality(path, localities, placement.locality_code, place)
    for index, conflict in enumerate(context.conflicts):
        path = f"conflicts[{index}]"
        if not isinstance(conflict, GroupConflict):
            raise _fail(path, "måste vara en GroupConflict")
        _check_groups(path, frozenset({conflict.group_a, conflict.group_b}))
        if conflict.group_a == conflict.group_b:
            raise _fail(path, "en grupp kan inte vara i konflikt med sig själv")
    for index, presence in enumerate(context.presence):
        path = f"presence[{index}]"
        if not isinstance(presence, GroupPresence):
            raise _fail(path, "måste vara en GroupPresence")
        _check_groups(f"{path}.group", frozenset({presence.group}))
        _check_municipality(f"{path}.municipality_code", presence.municipality_code)


def _validate_municipalities(municipalities: Iterable[MunicipalityFacts]) -> None:
    seen: set[str] = set()
    for index, facts in enumerate(municipalities):
        path = f"municipalities[{index}]"
        if not isinstance(facts, MunicipalityFacts):
            raise _fail(path, "måste vara MunicipalityFacts")
        _check_municipality(f"{path}.code", facts.code)
        if facts.code in seen:
            raise _fail(f"{path}.code", f"förekommer två gånger: {facts.code!r}")
        seen.add(facts.code)
        _check_number(f"{path}.latitude", facts.latitude, *_LATITUDE_RANGE)
        _check_number(f"{path}.longitude", facts.longitude, *_LONGITUDE_RANGE)
        _check_int(f"{path}.population", facts.population, 1, 10_000_000)
        _check_number(f"{path}.labour_market", facts.labour_market, 0.0, 1.0)
        if facts.declared_cap is not None:
            _check_int(f"{path}.declared_cap", facts.declared_cap, 0, 100_000)
        if not isinstance(facts.intake_paused, bool):
            raise _fail(f"{path}.intake_paused", "måste vara sant eller falskt")
    missing = sorted(_known_municipalities() - seen)
    if missing:
        raise _fail("municipalities", f"saknar fakta för {len(missing)} kommuner, t.ex. {missing[0]}")


def _validate_unit(path: str, unit: object) -> None:
    if not isinstance(unit, HousingUnit):
        raise _fail(path, "måste vara en HousingUnit")
    _check_id(f"{path}.unit_id", unit.unit_id)
    _check_municipality(f"{path}.municipality_code", unit.municipality_code)
    _check_id(f"{path}.locality_code", unit.locality_code)
    _check_coordinate(f"{path}.latitude", unit.latitude, _LATITUDE_RANGE)
    _check_coordinate(f"{path}.longitude", unit.longitude, _LONGITUDE_RANGE)
    if not isinstance(unit.unit_type, UnitType):
        raise _fail(f"{path}.unit_type", "måste vara en UnitType")
    _check_int(f"{path}.max_household", unit.max_household, 1, _MAX_HOUSEHOLD)
    _check_date(f"{path}.available_from", unit.available_from)
    _check_int(f"{path}.monthly_cost_sek", unit.monthly_cost_sek, 0, 1_000_000)
    _check_needs(f"{path}.features", unit.features)
    if Need.SUPPORTED_HOUSING in unit.features:
        raise _fail(f"{path}.features", "stödboende anges som bostadstyp, inte som egenskap")


def _validate_placement(path: str, placement: object, as_of: date) -> None:
    if not isinstance(placement, ActivePlacement):
        raise _fail(path, "måste vara en ActivePlacement")
    _check_id(f"{path}.placement_id", placement.placement_id)
    _check_municipality(f"{path}.municipality_code", placement.municipality_code)
    _check_id(f"{path}.locality_code", placement.locality_code)
    _check_coordinate(f"{path}.latitude", placement.latitude, _LATITUDE_RANGE)
    _check_coordinate(f"{path}.longitude", placement.longitude, _LONGITUDE_RANGE)
    _check_groups(f"{path}.affiliations", placement.affiliations)
    if _check_date(f"{path}.placed_on", placement.placed_on) > as_of:
        raise _fail(f"{path}.placed_on", "ligger efter context.as_of")


def _check_locality(
    path: str,
    localities: dict[str, tuple[str, float, float]],
    code: str,
    here: tuple[str, float, float],
) -> None:
    """A locality is one place: the same code must always carry the same municipality and coordinates."""
    known = localities.setdefault(code, here)
    if known != here:
        raise _fail(f"{path}.locality_code", f"tätorten {code!r} anges med olika kommun eller koordinater")


def municipality_facts_from_geography(
    labour_market: Mapping[str, float] | None = None,
    declared_caps: Mapping[str, int] | None = None,
    paused: Iterable[str] = (),
) -> tuple[MunicipalityFacts, ...]:
    """Facts for all 290 municipalities from the shipped geography; labour market 0.5 unless given."""
    labour = labour_market or {}
    caps = declared_caps or {}
    paused_codes = frozenset(paused)
    return tuple(
        MunicipalityFacts(
            code=m.code,
            latitude=m.latitude,
            longitude=m.longitude,
            population=m.population or 1,
            labour_market=labour.get(m.code, 0.5),
            declared_cap=caps.get(m.code),
            intake_paused=m.code in paused_codes,
        )
        for m in shipped_geography().municipalities
    )

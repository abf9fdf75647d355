"""The hard constraints, and one independent checker for them.

`violations` is deliberately plain: it re-reads the raw inputs and tests every rule pair by pair,
sharing no index or precomputation with the fast screening the engine uses to find candidates.
The engine runs it on every answer before returning it, and the tests run it on generated cases.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from avhopp.housing.engine.geo import distance_km, threat_municipalities

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from avhopp.housing.engine.inputs import (
        ActivePlacement,
        EngineSettings,
        HousingUnit,
        MunicipalityFacts,
        PlacementContext,
        PlacementRequest,
    )


class Constraint(StrEnum):
    """A hard constraint; the value is a stable code for audit records."""

    ORIGIN_MUNICIPALITY = "ursprungskommun"
    THREAT_AREA = "hotbildens_omrade"
    INTAKE_PAUSED = "mottagning_pausad"
    GROUP_PRESENCE = "grupp_narvarande"
    MUNICIPALITY_CAP = "kommunens_tak"
    NEAR_PLACEMENT = "nara_annan_placering"
    NEAR_RELATED_PLACEMENT = "nara_narstaende_placering"
    HOUSEHOLD_SIZE = "hushallets_storlek"
    NEEDS = "behov"
    MOVE_IN_DATE = "inflyttningsdatum"
    NEAR_NEW_PLACEMENT = "nara_ny_placering"
    NEAR_RELATED_NEW_PLACEMENT = "nara_ny_narstaende_placering"
    UNKNOWN_REQUEST = "okand_begaran"
    UNKNOWN_UNIT = "okand_bostad"


DESCRIPTIONS: Mapping[Constraint, str] = {
    Constraint.ORIGIN_MUNICIPALITY: "Bostaden ligger i personens ursprungskommun.",
    Constraint.THREAT_AREA: "Bostaden ligger där hotbilden gäller.",
    Constraint.INTAKE_PAUSED: "Kommunen har pausat mottagandet.",
    Constraint.GROUP_PRESENCE: "Personens egen grupp eller en grupp i konflikt med den finns i kommunen.",
    Constraint.MUNICIPALITY_CAP: "Kommunen har nått sitt tak för aktiva placeringar.",
    Constraint.NEAR_PLACEMENT: "En annan aktiv placering finns i samma tätort eller för nära.",
    Constraint.NEAR_RELATED_PLACEMENT: "En aktiv placering med samma eller rivaliserande grupp finns för nära.",
    Constraint.HOUSEHOLD_SIZE: "Bostaden är för liten för hushållet.",
    Constraint.NEEDS: "Bostaden möter inte personens behov.",
    Constraint.MOVE_IN_DATE: "Bostaden blir ledig för sent.",
    Constraint.NEAR_NEW_PLACEMENT: "En annan ny placering i samma omgång hamnar i samma tätort eller för nära.",
    Constraint.NEAR_RELATED_NEW_PLACEMENT: "En ny placering med samma eller rivaliserande grupp hamnar för nära.",
    Constraint.UNKNOWN_REQUEST: "Begäran finns inte i omgången.",
    Constraint.UNKNOWN_UNIT: "Bostaden finns inte.",
}
"""Plain Swedish, for the audited national role only."""

_AMONG_NEW = {
    Constraint.NEAR_PLACEMENT: Constraint.NEAR_NEW_PLACEMENT,
    Constraint.NEAR_RELATED_PLACEMENT: Constraint.NEAR_RELATED_NEW_PLACEMENT,
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule; `detail` may name other placements, so it is for the audited role only."""

    constraint: Constraint
    request_id: str
    unit_id: str
    detail: str = ""


def municipality_cap(facts: MunicipalityFacts, settings: EngineSettings) -> int:
    """The declared cap, or by default `default_cap_per_10k` per 10,000 inhabitants (at least 1)."""
    if facts.declared_cap is not None:
        return facts.declared_cap
    return max(1, math.floor(facts.population * settings.default_cap_per_10k / 10_000))


def conflict_map(context: PlacementContext) -> dict[str, frozenset[str]]:
    """For each group, the groups it is in conflict with."""
    found: dict[str, set[str]] = {}
    for conflict in context.conflicts:
        found.setdefault(conflict.group_a, set()).add(conflict.group_b)
        found.setdefault(conflict.group_b, set()).add(conflict.group_a)
    return {group: frozenset(others) for group, others in found.items()}


def guarded_groups(affiliations: Iterable[str], conflicts: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The person's own groups and every group in conflict with one of them."""
    own = frozenset(affiliations)
    rivals = frozenset(other for group in own for other in conflicts.get(group, frozenset()))
    return own | rivals


def are_related(a: Iterable[str], b: Iterable[str], conflicts: Mapping[str, frozenset[str]]) -> bool:
    """True when two people share an affiliation or belong to groups in conflict."""
    return bool(guarded_groups(a, conflicts) & frozenset(b))


def unit_fits(request: PlacementRequest, unit: HousingUnit, settings: EngineSettings) -> list[Constraint]:
    """The fit constraints the unit breaks for this request: size, needs, date."""
    broken = []
    if request.household_size > unit.max_household:
        broken.append(Constraint.HOUSEHOLD_SIZE)
    if not request.needs <= unit.offers:
        broken.append(Constraint.NEEDS)
    if unit.available_from > request.earliest_move_in + timedelta(days=settings.max_wait_days):
        broken.append(Constraint.MOVE_IN_DATE)
    return broken


def violations(
    context: PlacementContext,
    settings: EngineSettings,
    requests: Sequence[PlacementRequest],
    assignment: Mapping[str, str],
) -> tuple[Violation, ...]:
    """Every hard constraint the assignment (request id to unit id) breaks, in a stable order.

    An empty result means the new placements are safe against the active ones, against each
    other and against every municipality rule.
    """
    requests_by_id = {r.request_id: r for r in requests}
    wanted = set(assignment.values())
    units = {u.unit_id: u for u in context.units if u.unit_id in wanted}
    facts = {f.code: f for f in context.municipalities}
    conflicts = conflict_map(context)
    present: dict[str, set[str]] = {}
    for presence in context.presence:
        present.setdefault(presence.municipality_code, set()).add(presence.group)

    found: list[Violation] = []
    placed: list[tuple[PlacementRequest, HousingUnit]] = []
    for request_id, unit_id in sorted(assignment.items()):
        request = requests_by_id.get(request_id)
        unit = units.get(unit_id)
        if request is None:
            found.append(Violation(Constraint.UNKNOWN_REQUEST, request_id, unit_id))
            continue
        if unit is None:
            found.append(Violation(Constraint.UNKNOWN_UNIT, request_id, unit_id))
            continue
        placed.append((request, unit))
        found.extend(Violation(c, request_id, unit_id) for c in unit_fits(request, unit, settings))
        found.extend(_municipality_violations(request, unit, facts[unit.municipality_code], present, conflicts))
        found.extend(_active_violations(request, unit, context.placements, settings, conflicts))
    found.extend(_cap_violations(placed, context, facts, settings))
    found.extend(_pairwise_violations(placed, settings, conflicts))
    return tuple(found)


def _municipality_violations(
    request: PlacementRequest,
    unit: HousingUnit,
    facts: MunicipalityFacts,
    present: Mapping[str, set[str]],
    conflicts: Mapping[str, frozenset[str]],
) -> list[Violation]:
    found = []
    where = unit.municipality_code
    if where == request.origin_municipality:
        found.append(Violation(Constraint.ORIGIN_MUNICIPALITY, request.request_id, unit.unit_id))
    if where in threat_municipalities(request.threat):
        found.append(Violation(Constraint.THREAT_AREA, request.request_id, unit.unit_id))
    if facts.intake_paused:
        found.append(Violation(Constraint.INTAKE_PAUSED, request.request_id, unit.unit_id))
    clashing = guarded_groups(request.affiliations, conflicts) & present.get(where, set())
    if clashing:
        detail = "grupper: " + ", ".join(sorted(clashing))
        found.append(Violation(Constraint.GROUP_PRESENCE, request.request_id, unit.unit_id, detail))
    return found


class _Located(Protocol):
    @property
    def locality_code(self) -> str: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


def _too_near(a: _Located, b: _Located, *, related: bool, settings: EngineSettings) -> list[Constraint]:
    """The separation rules two placements break: the general one, the related one, or both."""
    km = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
    same_locality = a.locality_code == b.locality_code
    broken = []
    if same_locality or km < settings.min_separation_km:
        broken.append(Constraint.NEAR_PLACEMENT)
    if related and (same_locality or km < settings.related_separation_km):
        broken.append(Constraint.NEAR_RELATED_PLACEMENT)
    return broken


def _active_violations(
    request: PlacementRequest,
    unit: HousingUnit,
    placements: Iterable[ActivePlacement],
    settings: EngineSettings,
    conflicts: Mapping[str, frozenset[str]],
) -> list[Violation]:
    found: list[Violation] = []
    guarded = guarded_groups(request.affiliations, conflicts)
    for placement in placements:
        broken = _too_near(unit, placement, related=bool(guarded & placement.affiliations), settings=settings)
        detail = f"placering {placement.placement_id}"
        found.extend(Violation(c, request.request_id, unit.unit_id, detail) for c in broken)
    return found


def _cap_violations(
    placed: Sequence[tuple[PlacementRequest, HousingUnit]],
    context: PlacementContext,
    facts: Mapping[str, MunicipalityFacts],
    settings: EngineSettings,
) -> list[Violation]:
    active = Counter(p.municipality_code for p in context.placements)
    new = Counter(unit.municipality_code for _, unit in placed)
    found = []
    for request, unit in placed:
        where = unit.municipality_code
        cap = municipality_cap(facts[where], settings)
        if active[where] + new[where] > cap:
            detail = f"{active[where]} aktiva + {new[where]} nya > tak {cap}"
            found.append(Violation(Constraint.MUNICIPALITY_CAP, request.request_id, unit.unit_id, detail))
    return found


def _pairwise_violations(
    placed: Sequence[tuple[PlacementRequest, HousingUnit]],
    settings: EngineSettings,
    conflicts: Mapping[str, frozenset[str]],
) -> list[Violation]:
    found = []
    for index, (request_a, unit_a) in enumerate(placed):
        for request_b, unit_b in placed[index + 1 :]:
            related = are_related(request_a.affiliations, request_b.affiliations, conflicts)
            broken = _too_near(unit_a, unit_b, related=related, settings=settings)
            for constraint in broken:
                joint = _AMONG_NEW[constraint]
                found.append(Violation(joint, request_a.request_id, unit_a.unit_id, f"begäran {request_b.request_id}"))
                found.append(Violation(joint, request_b.request_id, unit_b.unit_id, f"begäran {request_a.request_id}"))
    return found

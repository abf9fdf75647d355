"""The validated, indexed national state that every engine call works against.

`prepare_context` validates once and builds the arrays the fast screening needs; a prepared
context is immutable and can serve many requests until the state changes. Inputs are sorted by
id first, so the order they arrive in never changes an answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.constraints import conflict_map, municipality_cap
from avhopp.housing.engine.geo import distance_matrix_km
from avhopp.housing.engine.inputs import EngineSettings, Need, validate_context, validate_settings
from avhopp.housing.engine.scoring import load_scores

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from avhopp.housing.engine.inputs import PlacementContext

NEED_BITS = {Need.SUPPORTED_HOUSING: 1, Need.ADDICTION_CARE: 2, Need.ACCESSIBLE: 4}
DISTANCE_MARGIN_KM = 1e-6
"""The screening treats distances this close to a limit as too near, so rounding can never let
it propose what the independent checker would reject."""


def need_bits(needs: frozenset[Need]) -> int:
    """Needs as a bit mask."""
    return sum(NEED_BITS[need] for need in needs)


@dataclass(frozen=True, slots=True, eq=False)
class PreparedContext:
    """A validated national state with its indices. Build it with `prepare_context`."""

    context: PlacementContext
    settings: EngineSettings
    municipality_codes: tuple[str, ...]
    municipality_index: dict[str, int]
    municipality_caps: NDArray[np.int64]
    municipality_active: NDArray[np.int64]
    municipality_paused: NDArray[np.bool_]
    municipality_labour: NDArray[np.float64]
    municipality_load: NDArray[np.float64]
    """Fair-load score of each municipality."""
    site_codes: tuple[str, ...]
    """Localities of units and placements; a site is one locality."""
    site_municipality: NDArray[np.int64]
    site_latitude: NDArray[np.float64]
    site_longitude: NDArray[np.float64]
    site_to_municipality_km: NDArray[np.float64]
    site_to_placement_km: NDArray[np.float64]
    site_near_any_placement: NDArray[np.bool_]
    """Some active placement is in the same locality or within the minimum separation."""
    unit_ids: tuple[str, ...]
    unit_site: NDArray[np.int64]
    unit_municipality: NDArray[np.int64]
    unit_max_household: NDArray[np.int64]
    unit_offers: NDArray[np.int64]
    unit_available_day: NDArray[np.int64]
    unit_cost: NDArray[np.float64]
    placement_site: NDArray[np.int64]
    placements_by_group: dict[str, NDArray[np.int64]]
    conflicts: dict[str, frozenset[str]]
    presence: dict[str, NDArray[np.int64]]
    """For each group, the municipalities it is known to be present in."""
    site_pair_km: NDArray[np.float64] = field(repr=False)
    """Distances between all sites, for separating new placements from each other."""


def prepare_context(context: PlacementContext, settings: EngineSettings | None = None) -> PreparedContext:
    """Validate the national state and settings, then index them.

    Raises:
        PlacementInputError: naming the first wrong field; nothing is prepared from bad input.

    """
    settings = settings or EngineSettings()
    validate_settings(settings)
    validate_context(context)
    context = replace(
        context,
        municipalities=tuple(sorted(context.municipalities, key=lambda f: f.code)),
        units=tuple(sorted(context.units, key=lambda u: u.unit_id)),
        placements=tuple(sorted(context.placements, key=lambda p: p.placement_id)),
        conflicts=tuple(sorted(context.conflicts, key=lambda c: (c.group_a, c.group_b))),
        presence=tuple(sorted(context.presence, key=lambda p: (p.group, p.municipality_code))),
    )
    facts = context.municipalities
    codes = tuple(f.code for f in facts)
    index = {code: i for i, code in enumerate(codes)}

    active = Counter(p.municipality_code for p in context.placements)
    recent_since = context.as_of - timedelta(days=settings.recent_days)
    weighted: dict[str, float] = {}
    for placement in context.placements:
        weight = settings.recent_weight if placement.placed_on >= recent_since else 1.0
        weighted[placement.municipality_code] = weighted.get(placement.municipality_code, 0.0) + weight
    population = np.array([f.population for f in facts], dtype=np.float64)
    load = load_scores(
        np.array([weighted.get(code, 0.0) for code in codes], dtype=np.float64),
        population,
        settings.national_rate_per_10k,
    )

    places: dict[str, tuple[str, float, float]] = {}
    for unit in context.units:
        places.setdefault(unit.locality_code, (unit.municipality_code, unit.latitude, unit.longitude))
    for placement in context.placements:
        places.setdefault(
            placement.locality_code, (placement.municipality_code, placement.latitude, placement.longitude)
        )
    site_codes = tuple(sorted(places))
    site_index = {code: i for i, code in enumerate(site_codes)}
    site_latitude = np.array([places[c][1] for c in site_codes], dtype=np.float64)
    site_longitude = np.array([places[c][2] for c in site_codes], dtype=np.float64)
    municipality_latitude = np.array([f.latitude for f in facts], dtype=np.float64)
    municipality_longitude = np.array([f.longitude for f in facts], dtype=np.float64)

    placement_site = np.array([site_index[p.locality_code] for p in context.placements], dtype=np.int64)
    site_to_placement_km = distance_matrix_km(
        site_latitude, site_longitude, site_latitude[placement_site], site_longitude[placement_site]
    )
    near_any = np.zeros(len(site_codes), dtype=np.bool_)
    near_any[placement_site] = True
    if settings.min_separation_km > 0 and len(placement_site):
        near_any |= (site_to_placement_km < settings.min_separation_km + DISTANCE_MARGIN_KM).any(axis=1)

    by_group: dict[str, list[int]] = {}
    for i, placement in enumerate(context.placements):
        for group in placement.affiliations:
            by_group.setdefault(group, []).append(i)
    presence: dict[str, list[int]] = {}
    for item in context.presence:
        presence.setdefault(item.group, []).append(index[item.municipality_code])

    units = context.units
    return PreparedContext(
        context=context,
        settings=settings,
        municipality_codes=codes,
        municipality_index=index,
        municipality_caps=np.array([municipality_cap(f, settings) for f in facts], dtype=np.int64),
        municipality_active=np.array([active[code] for code in codes], dtype=np.int64),
        municipality_paused=np.array([f.intake_paused for f in facts], dtype=np.bool_),
        municipality_labour=np.array([f.labour_market for f in facts], dtype=np.float64),
        municipality_load=load,
        site_codes=site_codes,
        site_municipality=np.array([index[places[c][0]] for c in site_codes], dtype=np.int64),
        site_latitude=site_latitude,
        site_longitude=site_longitude,
        site_to_municipality_km=distance_matrix_km(
            site_latitude, site_longitude, municipality_latitude, municipality_longitude
        ),
        site_to_placement_km=site_to_placement_km,
        site_near_any_placement=near_any,
        unit_ids=tuple(u.unit_id for u in units),
        unit_site=np.array([site_index[u.locality_code] for u in units], dtype=np.int64),
        unit_municipality=np.array([index[u.municipality_code] for u in units], dtype=np.int64),
        unit_max_household=np.array([u.max_household for u in units], dtype=np.int64),
        unit_offers=np.array([need_bits(u.offers) for u in units], dtype=np.int64),
        unit_available_day=np.array([u.available_from.toordinal() for u in units], dtype=np.int64),
        unit_cost=np.array([u.monthly_cost_sek for u in units], dtype=np.float64),
        placement_site=placement_site,
        placements_by_group={g: np.array(ids, dtype=np.int64) for g, ids in sorted(by_group.items())},
        conflicts=conflict_map(context),
        presence={g: np.array(sorted(set(ids)), dtype=np.int64) for g, ids in sorted(presence.items())},
        site_pair_km=distance_matrix_km(site_latitude, site_longitude, site_latitude, site_longitude),
    )

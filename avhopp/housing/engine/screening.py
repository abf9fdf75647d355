"""Fast, vectorised screening of every unit for one request: which rules each breaks, and scores.

This is the engine's candidate generator. It implements the same rules as
`constraints.violations`, on the prepared arrays; the tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.constraints import Constraint, guarded_groups
from avhopp.housing.engine.context import DISTANCE_MARGIN_KM, need_bits
from avhopp.housing.engine.geo import threat_municipalities
from avhopp.housing.engine.scoring import (
    Criterion,
    cost_scores,
    effective_weights,
    nearness_scores,
    remoteness_scores,
    total_points,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.inputs import PlacementRequest


@dataclass(frozen=True, slots=True, eq=False)
class Screening:
    """One request against every unit of a prepared context."""

    request: PlacementRequest
    failures: dict[Constraint, NDArray[np.bool_]]
    """Per constraint, which units (by index) break it."""
    feasible: NDArray[np.int64]
    """Indices of the units breaking nothing, best first (ties by unit id)."""
    points: NDArray[np.int64]
    """Total points of each feasible unit, aligned with `feasible`."""
    criteria: dict[Criterion, NDArray[np.float64]]
    """Each criterion's score of each feasible unit, aligned with `feasible`."""


def screen(prepared: PreparedContext, request: PlacementRequest) -> Screening:
    """Test every unit against the request's hard constraints and score the ones that pass."""
    failures = _failures(prepared, request)
    broken = np.zeros(len(prepared.unit_ids), dtype=np.bool_)
    for mask in failures.values():
        broken |= mask
    candidates = np.flatnonzero(~broken).astype(np.int64)
    criteria = _criteria(prepared, request, candidates)
    points = total_points(criteria, effective_weights(prepared.settings, acute=request.acute))
    # Units are indexed in id order, so the index breaks ties by id.
    order = np.lexsort((candidates, -points))
    return Screening(
        request=request,
        failures=failures,
        feasible=candidates[order],
        points=points[order],
        criteria={criterion: values[order] for criterion, values in criteria.items()},
    )


def threat_indices(prepared: PreparedContext, request: PlacementRequest) -> NDArray[np.int64]:
    """Municipality indices where the request's threat applies."""
    index = prepared.municipality_index
    return np.array(sorted(index[code] for code in threat_municipalities(request.threat)), dtype=np.int64)


def related_placements(prepared: PreparedContext, request: PlacementRequest) -> NDArray[np.int64]:
    """Active placements sharing an affiliation with the request or from a group in conflict with it."""
    guarded = guarded_groups(request.affiliations, prepared.conflicts)
    parts = [prepared.placements_by_group[g] for g in sorted(guarded) if g in prepared.placements_by_group]
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(parts))


def _failures(prepared: PreparedContext, request: PlacementRequest) -> dict[Constraint, NDArray[np.bool_]]:
    settings = prepared.settings
    municipalities = len(prepared.municipality_codes)
    origin = np.zeros(municipalities, dtype=np.bool_)
    origin[prepared.municipality_index[request.origin_municipality]] = True
    threat = np.zeros(municipalities, dtype=np.bool_)
    threat[threat_indices(prepared, request)] = True
    present = np.zeros(municipalities, dtype=np.bool_)
    for group in sorted(guarded_groups(request.affiliations, prepared.conflicts)):
        if group in prepared.presence:
            present[prepared.presence[group]] = True
    full = prepared.municipality_active >= prepared.municipality_caps

    related = related_placements(prepared, request)
    near_related = np.zeros(len(prepared.site_codes), dtype=np.bool_)
    if related.size:
        limit = settings.related_separation_km + DISTANCE_MARGIN_KM
        near_related |= (prepared.site_to_placement_km[:, related] < limit).any(axis=1)
        # Same locality counts even when the related distance is zero.
        near_related[prepared.placement_site[related]] = True

    in_municipality = prepared.unit_municipality
    at_site = prepared.unit_site
    latest_day = request.earliest_move_in.toordinal() + settings.max_wait_days
    return {
        Constraint.ORIGIN_MUNICIPALITY: origin[in_municipality],
        Constraint.THREAT_AREA: threat[in_municipality],
        Constraint.INTAKE_PAUSED: prepared.municipality_paused[in_municipality],
        Constraint.GROUP_PRESENCE: present[in_municipality],
        Constraint.MUNICIPALITY_CAP: full[in_municipality],
        Constraint.NEAR_PLACEMENT: prepared.site_near_any_placement[at_site],
        Constraint.NEAR_RELATED_PLACEMENT: near_related[at_site],
        Constraint.HOUSEHOLD_SIZE: prepared.unit_max_household < request.household_size,
        Constraint.NEEDS: (prepared.unit_offers & need_bits(request.needs)) != need_bits(request.needs),
        Constraint.MOVE_IN_DATE: prepared.unit_available_day > latest_day,
    }


def _criteria(
    prepared: PreparedContext,
    request: PlacementRequest,
    units: NDArray[np.int64],
) -> dict[Criterion, NDArray[np.float64]]:
    settings = prepared.settings
    sites = prepared.unit_site[units]
    municipalities = prepared.unit_municipality[units]
    operation = prepared.municipality_index[request.operation_municipality]
    # The threat is measured from the centroids of its municipalities and of the origin.
    threat_points = np.union1d(
        threat_indices(prepared, request), [prepared.municipality_index[request.origin_municipality]]
    )
    unique_sites, inverse = np.unique(sites, return_inverse=True)
    threat_km = prepared.site_to_municipality_km[np.ix_(unique_sites, threat_points)].min(axis=1)[inverse]
    return {
        Criterion.LABOUR_MARKET: prepared.municipality_labour[municipalities],
        Criterion.OPERATION_DISTANCE: nearness_scores(
            prepared.site_to_municipality_km[sites, operation], settings.operation_scale_km
        ),
        Criterion.THREAT_DISTANCE: remoteness_scores(threat_km, settings.threat_scale_km),
        Criterion.FAIR_LOAD: prepared.municipality_load[municipalities],
        Criterion.COST: cost_scores(prepared.unit_cost[units], settings.cost_scale_sek),
    }

"""A batch of simultaneous requests, reduced to (request, locality) candidates.

Two new placements may never share a locality, so at most one request of a batch is placed in
any locality. The best unit of each locality for each request is therefore the only one that
can be in an optimal answer, and choosing localities instead of units is exact while making the
problem many times smaller (research notes, section 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.constraints import are_related
from avhopp.housing.engine.context import DISTANCE_MARGIN_KM
from avhopp.housing.engine.screening import screen

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.inputs import PlacementRequest
    from avhopp.housing.engine.screening import Screening

UNPLACED = -1


@dataclass(frozen=True, slots=True, eq=False)
class BatchProblem:
    """Candidates and joint constraints of one batch; sites and municipalities are local indices."""

    requests: tuple[PlacementRequest, ...]
    """Sorted by id; a request's position is its index everywhere below."""
    screenings: tuple[Screening, ...]
    site_ids: NDArray[np.int64]
    """Prepared-context site index of each local site."""
    site_municipality: NDArray[np.int64]
    municipality_room: NDArray[np.int64]
    """How many more placements each local municipality takes before its cap."""
    municipality_ids: NDArray[np.int64]
    """Prepared-context municipality index of each local municipality."""
    candidate_sites: tuple[NDArray[np.int64], ...]
    """Per request, its candidate sites, best first (ties by unit id)."""
    candidate_units: tuple[NDArray[np.int64], ...]
    """Per request, the best unit (prepared index) at each candidate site."""
    candidate_points: tuple[NDArray[np.int64], ...]
    related: NDArray[np.bool_]
    """Request pairs sharing an affiliation or from groups in conflict."""
    near_related: NDArray[np.bool_]
    """Site pairs closer than the related separation (a site is near itself)."""
    near_any: NDArray[np.bool_]
    """Site pairs closer than the general separation (a site is near itself)."""

    @property
    def size(self) -> int:
        """Number of requests."""
        return len(self.requests)


def build_problem(prepared: PreparedContext, requests: Sequence[PlacementRequest]) -> BatchProblem:
    """Screen every request and reduce the batch to its candidates; requests must be validated."""
    ordered = tuple(sorted(requests, key=lambda r: r.request_id))
    screenings = tuple(screen(prepared, request) for request in ordered)
    best_sites: list[NDArray[np.int64]] = []
    best_units: list[NDArray[np.int64]] = []
    best_points: list[NDArray[np.int64]] = []
    for screening in screenings:
        sites = prepared.unit_site[screening.feasible]
        # The screening lists units best first, so the first unit seen at a site is its best.
        _, first = np.unique(sites, return_index=True)
        first.sort()
        best_sites.append(sites[first])
        best_units.append(screening.feasible[first])
        best_points.append(screening.points[first])

    used = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *best_sites]))
    local_site = {int(site): i for i, site in enumerate(used)}
    site_municipality_global = prepared.site_municipality[used]
    municipality_ids, site_municipality = np.unique(site_municipality_global, return_inverse=True)
    room = prepared.municipality_caps[municipality_ids] - prepared.municipality_active[municipality_ids]

    km = prepared.site_pair_km[np.ix_(used, used)]
    settings = prepared.settings
    same = np.eye(len(used), dtype=np.bool_)
    near_related = same | (km < settings.related_separation_km + DISTANCE_MARGIN_KM)
    near_any = same | (km < settings.min_separation_km + DISTANCE_MARGIN_KM) if settings.min_separation_km > 0 else same
    related = np.zeros((len(ordered), len(ordered)), dtype=np.bool_)
    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            if are_related(a.affiliations, ordered[j].affiliations, prepared.conflicts):
                related[i, j] = related[j, i] = True

    return BatchProblem(
        requests=ordered,
        screenings=screenings,
        site_ids=used.astype(np.int64),
        site_municipality=site_municipality.astype(np.int64),
        municipality_room=np.maximum(room, 0).astype(np.int64),
        municipality_ids=municipality_ids.astype(np.int64),
        candidate_sites=tuple(np.array([local_site[int(s)] for s in sites], dtype=np.int64) for sites in best_sites),
        candidate_units=tuple(best_units),
        candidate_points=tuple(best_points),
        related=related,
        near_related=near_related,
        near_any=near_any,
    )


def total_points(problem: BatchProblem, choice: Sequence[int]) -> int:
    """Sum of the points of the chosen candidates (`choice[r]` is a candidate position or UNPLACED)."""
    return sum(int(problem.candidate_points[r][c]) for r, c in enumerate(choice) if c != UNPLACED)


def placed_count(choice: Sequence[int]) -> int:
    """How many requests the choice places."""
    return sum(1 for c in choice if c != UNPLACED)

"""The weighed criteria: each scores a candidate from 0 (worst) to 1 (best).

Every score depends only on the request, the unit, public municipality facts and the load of the
unit's own municipality; never on which other units happen to be feasible, so removing a unit
from the candidates never changes another unit's score.

The total is the weighted mean of the criteria, turned into integer points for the solver:
`SCORE_SCALE` points is a perfect placement, so one point is 1/10,000 of the best possible.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

    from avhopp.housing.engine.inputs import EngineSettings

SCORE_SCALE = 10_000


class Criterion(StrEnum):
    """A weighed criterion."""

    LABOUR_MARKET = "arbetsmarknad"
    OPERATION_DISTANCE = "narhet_till_verksamheten"
    THREAT_DISTANCE = "avstand_fran_hotet"
    FAIR_LOAD = "jamn_belastning"
    COST = "kostnad"


REQUESTER_CRITERIA = (
    Criterion.LABOUR_MARKET,
    Criterion.OPERATION_DISTANCE,
    Criterion.THREAT_DISTANCE,
    Criterion.COST,
)
"""Criteria a requester may see. The fair-load score is withheld: it is computed from how many
people are placed in the municipality, so showing it would tell that someone lives there."""


def effective_weights(settings: EngineSettings, *, acute: bool) -> dict[Criterion, float]:
    """The weights for one request, summing to 1; outside the acute phase nearness weighs less."""
    weights = settings.weights
    operation = weights.operation_distance * (1.0 if acute else settings.non_acute_operation_factor)
    raw = {
        Criterion.LABOUR_MARKET: weights.labour_market,
        Criterion.OPERATION_DISTANCE: operation,
        Criterion.THREAT_DISTANCE: weights.threat_distance,
        Criterion.FAIR_LOAD: weights.fair_load,
        Criterion.COST: weights.cost,
    }
    total = sum(raw.values())
    if total <= 0:
        # Only the operation weight was non-zero and the phase turned it off: rank by nearness alone.
        return {criterion: float(criterion is Criterion.OPERATION_DISTANCE) for criterion in raw}
    return {criterion: value / total for criterion, value in raw.items()}


def nearness_scores(km: NDArray[np.float64], scale_km: float) -> NDArray[np.float64]:
    """1 at 0 km, falling linearly to 0 at `scale_km` and beyond."""
    result: NDArray[np.float64] = np.clip(1.0 - km / scale_km, 0.0, 1.0)
    return result


def remoteness_scores(km: NDArray[np.float64], scale_km: float) -> NDArray[np.float64]:
    """0 at 0 km, rising linearly to 1 at `scale_km` and beyond."""
    result: NDArray[np.float64] = np.clip(km / scale_km, 0.0, 1.0)
    return result


def load_scores(
    weighted_placements: NDArray[np.float64],
    population: NDArray[np.float64],
    national_rate_per_10k: float,
) -> NDArray[np.float64]:
    """1 with no placements, 0.5 at the national rate per 10,000 inhabitants, 0 at twice it or more."""
    rate = weighted_placements / population * 10_000
    result: NDArray[np.float64] = np.clip(1.0 - rate / (2 * national_rate_per_10k), 0.0, 1.0)
    return result


def cost_scores(monthly_cost_sek: NDArray[np.float64], scale_sek: float) -> NDArray[np.float64]:
    """1 when free, falling linearly to 0 at `scale_sek` a month and beyond."""
    result: NDArray[np.float64] = np.clip(1.0 - monthly_cost_sek / scale_sek, 0.0, 1.0)
    return result


def total_points(
    criteria: Mapping[Criterion, NDArray[np.float64]],
    weights: Mapping[Criterion, float],
) -> NDArray[np.int64]:
    """The weighted mean of the criteria in integer points, 0 to `SCORE_SCALE`."""
    first = next(iter(criteria.values()))
    mean = np.zeros_like(first)
    for criterion, values in criteria.items():
        mean = mean + weights[criterion] * values
    result: NDArray[np.int64] = np.rint(mean * SCORE_SCALE).astype(np.int64)
    return result

"""Great-circle distances in km, and the municipalities a threat scope covers."""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from avhopp.platform.geography.reference import shipped_geography

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from avhopp.housing.engine.inputs import ThreatScope

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""


def distance_km(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """Haversine distance between two points given in degrees."""
    phi_a = math.radians(latitude_a)
    phi_b = math.radians(latitude_b)
    half_dphi = (phi_b - phi_a) / 2
    half_dlambda = math.radians(longitude_b - longitude_a) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_matrix_km(
    latitudes_a: NDArray[np.float64],
    longitudes_a: NDArray[np.float64],
    latitudes_b: NDArray[np.float64],
    longitudes_b: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Haversine distances between every point of A (rows) and every point of B (columns)."""
    phi_a = np.radians(latitudes_a)[:, None]
    phi_b = np.radians(latitudes_b)[None, :]
    half_dphi = (phi_b - phi_a) / 2
    half_dlambda = (np.radians(longitudes_b)[None, :] - np.radians(longitudes_a)[:, None]) / 2
    h = np.sin(half_dphi) ** 2 + np.cos(phi_a) * np.cos(phi_b) * np.sin(half_dlambda) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result


@cache
def _municipalities_by_county() -> dict[str, frozenset[str]]:
    geography = shipped_geography()
    return {
        county.code: frozenset(m.code for m in geography.municipalities if m.county_code == county.code)
        for county in geography.counties
    }


@cache
def _counties_by_police_region() -> dict[str, frozenset[str]]:
    geography = shipped_geography()
    return {
        region: frozenset(c.code for c in geography.counties if c.police_region_code == region)
        for region in geography.police_regions
    }


def threat_municipalities(scope: ThreatScope) -> frozenset[str]:
    """Every municipality the threat applies in: named ones, those of named counties and police regions."""
    by_county = _municipalities_by_county()
    counties = set(scope.county_codes)
    for region in scope.police_region_codes:
        counties |= _counties_by_police_region()[region]
    covered = set(scope.municipality_codes)
    for county in counties:
        covered |= by_county[county]
    return frozenset(covered)

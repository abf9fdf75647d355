"""Names of the places a threat's scope names: municipalities, counties and police regions."""

from __future__ import annotations

from functools import cache

from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.web.forms import county_choices, municipality_groups, police_region_choices
from avhopp.tenants.cases.service import AreaKind

__all__ = ["area_names", "county_choices", "municipality_groups", "police_region_choices"]


@cache
def area_names() -> dict[str, dict[str, str]]:
    """Each kind of area's codes and names."""
    geography = shipped_geography()
    return {
        AreaKind.MUNICIPALITY.value: {m.code: m.name for m in geography.municipalities},
        AreaKind.COUNTY.value: {c.code: c.name for c in geography.counties},
        AreaKind.POLICE_REGION.value: {code: f"Polisregion {name}" for code, name in geography.police_regions.items()},
    }

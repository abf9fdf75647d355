"""Catchment areas and places as HSDS geography: area URNs and Swedish names.

A catchment area becomes an HSDS `service_area` whose `uri` names it persistently:
`urn:avhopp:area:<kind>:<code>`, with the kinds of `AreaKind` and the codes the directory
stores (kommunkod, länskod, the police region's ASCII code) and `SE` for the whole country.
"""

from __future__ import annotations

from avhopp.directory.catalogue.eligibility import area_name
from avhopp.directory.catalogue.entry import Area
from avhopp.directory.catalogue.vocabulary import AreaKind
from avhopp.platform.geography.reference import shipped_geography

AREA_URN_PREFIX = "urn:avhopp:area:"
COUNTRY_CODE = "SE"


def area_urn(area: Area) -> str:
    """The persistent name of a catchment area."""
    if area.kind is AreaKind.COUNTRY:
        return f"{AREA_URN_PREFIX}{area.kind.value}:{area.code or COUNTRY_CODE}"
    return f"{AREA_URN_PREFIX}{area.kind.value}:{area.code}"


def area_from_urn(urn: str) -> Area | None:
    """The catchment area an area URN names (its code unchecked), or None if it is not one of ours."""
    kind, separator, code = urn.removeprefix(AREA_URN_PREFIX).partition(":")
    if not urn.startswith(AREA_URN_PREFIX) or not separator or kind not in {member.value for member in AreaKind}:
        return None
    if kind == AreaKind.COUNTRY.value:
        return Area(AreaKind.COUNTRY, "" if code == COUNTRY_CODE else code)
    return Area(AreaKind(kind), code)


def area_title(area: Area) -> str:
    """An area's Swedish name as a title, e.g. "Hela landet" or "Polisregion Väst" (the engine's name, capitalised)."""
    name = area_name(area)
    return name[:1].upper() + name[1:]


def municipality_name(code: str) -> str | None:
    """The name of a municipality by its code, e.g. "Göteborg" for 1480."""
    return next((m.name for m in shipped_geography().municipalities if m.code == code), None)


def municipality_code(name: str) -> str | None:
    """The code of a municipality by its name (names are unique in Sweden)."""
    return next((m.code for m in shipped_geography().municipalities if m.name == name), None)


def county_name_of_municipality(code: str) -> str | None:
    """The name of the county a municipality belongs to."""
    geography = shipped_geography()
    county_code = next((m.county_code for m in geography.municipalities if m.code == code), None)
    return next((c.name for c in geography.counties if c.code == county_code), None)

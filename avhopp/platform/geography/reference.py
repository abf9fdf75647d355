"""The geography shipped with the package, read from its CSV files (sources in data/SOURCES.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

# The Police Authority's regions by name, with the ASCII code used in the database.
POLICE_REGIONS = {
    "Bergslagen": "bergslagen",
    "Mitt": "mitt",
    "Nord": "nord",
    "Stockholm": "stockholm",
    "Syd": "syd",
    "Väst": "vast",
    "Öst": "ost",
}


@dataclass(frozen=True, slots=True)
class CountyFact:
    """A county as shipped."""

    code: str
    name: str
    police_region_code: str


@dataclass(frozen=True, slots=True)
class MunicipalityFact:
    """A municipality as shipped; coordinates are the centroid of its area, not its seat."""

    code: str
    name: str
    county_code: str
    latitude: float
    longitude: float
    population: int | None


@dataclass(frozen=True, slots=True)
class Geography:
    """All reference geography of Sweden."""

    police_regions: dict[str, str]
    """Code to name."""
    counties: tuple[CountyFact, ...]
    municipalities: tuple[MunicipalityFact, ...]


def _rows(name: str) -> list[dict[str, str]]:
    text = files("avhopp.platform.geography").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def shipped_geography() -> Geography:
    """Read the shipped files once per process."""
    counties = tuple(
        CountyFact(code=row["county_code"], name=row["name"], police_region_code=POLICE_REGIONS[row["police_region"]])
        for row in _rows("counties.csv")
    )
    municipalities = tuple(
        MunicipalityFact(
            code=row["municipality_code"],
            name=row["name"],
            county_code=row["county_code"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row["population"]) if row["population"] else None,
        )
        for row in _rows("municipalities.csv")
    )
    return Geography(
        police_regions={code: name for name, code in POLICE_REGIONS.items()},
        counties=counties,
        municipalities=municipalities,
    )

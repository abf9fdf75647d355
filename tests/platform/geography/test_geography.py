"""The shipped geography and its idempotent load."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.geography.load import load_geography
from avhopp.platform.geography.reference import shipped_geography

if TYPE_CHECKING:
    from sqlalchemy import Engine


def test_the_package_ships_all_of_sweden() -> None:
    geography = shipped_geography()

    assert len(geography.police_regions) == 7
    assert len(geography.counties) == 21
    assert len(geography.municipalities) == 290
    assert sum(m.population or 0 for m in geography.municipalities) == 10_605_520
    county_codes = {c.code for c in geography.counties}
    assert all(m.code[:2] == m.county_code and m.county_code in county_codes for m in geography.municipalities)
    assert {c.police_region_code for c in geography.counties} == set(geography.police_regions)


def test_the_package_keeps_the_source_of_its_facts() -> None:
    sources = files("avhopp.platform.geography").joinpath("data", "SOURCES.md").read_text(encoding="utf-8")
    assert "Kolada" in sources
    assert "sweden-geojson" in sources


def test_a_second_load_changes_nothing_and_a_drifted_row_is_corrected(owner_engine: Engine) -> None:
    with owner_engine.begin() as connection:
        again = load_geography(connection)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 318)

    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE municipality SET population = 1 WHERE code = '1480'"))
        ticks: list[int] = []
        repaired = load_geography(connection, ticks.append)
        population = connection.execute(text("SELECT population FROM municipality WHERE code = '1480'")).scalar()

    assert (repaired.inserted, repaired.updated) == (0, 1)
    assert sum(ticks) == 318
    assert population == next(m.population for m in shipped_geography().municipalities if m.code == "1480")


def test_malmo_lies_in_skane_in_police_region_syd(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT m.name, c.name AS county, p.name AS region FROM municipality m"
                " JOIN county c ON c.code = m.county_code JOIN police_region p ON p.code = c.police_region_code"
                " WHERE m.code = '1280'"
            )
        ).one()

    assert tuple(row) == ("Malmö", "Skåne län", "Syd")

"""Load or refresh the shipped geography into the database, idempotently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avhopp.platform.geography.models import County, Municipality, PoliceRegion
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.upsert import UpsertCounts, upsert_rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection

    from avhopp.platform.models import Base


def load_geography(connection: Connection, progress: Callable[[int], None] | None = None) -> UpsertCounts:
    """Upsert police regions, counties and municipalities; call `progress(n)` after each kind of them.

    A row is written only when it is new or differs, so a second run changes nothing.
    """
    geography = shipped_geography()
    batches: list[tuple[type[Base], list[dict[str, Any]]]] = [
        (PoliceRegion, [{"code": code, "name": name} for code, name in geography.police_regions.items()]),
        (
            County,
            [{"code": c.code, "name": c.name, "police_region_code": c.police_region_code} for c in geography.counties],
        ),
        (
            Municipality,
            [
                {
                    "code": m.code,
                    "name": m.name,
                    "county_code": m.county_code,
                    "latitude": m.latitude,
                    "longitude": m.longitude,
                    "population": m.population,
                }
                for m in geography.municipalities
            ],
        ),
    ]
    counts = UpsertCounts()
    for model, rows in batches:
        upsert_rows(connection, model, rows, "code", counts)
        if progress is not None:
            progress(len(rows))
    return counts

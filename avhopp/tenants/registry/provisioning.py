"""Provision tenants for every municipality and county board, and the demo tenants.

Runs as the database owner from the CLI and at start; re-running changes nothing. A
tenant that an administrator has deactivated stays deactivated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.upsert import UpsertCounts, upsert_rows
from avhopp.tenants.registry.models import Tenant, TenantKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import Connection

# Municipalities whose organisation calls itself a city or a region rather than "kommun".
_OWN_NAMES = {
    "0180": "Stockholms stad",
    "0980": "Region Gotland",
    "1280": "Malmö stad",
    "1480": "Göteborgs Stad",
}


@dataclass(frozen=True, slots=True)
class TenantSpec:
    """What a provisioned tenant should look like."""

    slug: str
    kind: TenantKind
    name: str
    municipality_code: str | None = None
    county_code: str | None = None


def municipality_organisation_name(code: str, name: str) -> str:
    """The organisation's name in Swedish: `Lerums kommun`, `Alingsås kommun`, `Ale kommun`."""
    if code in _OWN_NAMES:
        return _OWN_NAMES[code]
    genitive = name if name[-1] in "aeiouyåäösxz" else f"{name}s"
    return f"{genitive} kommun"


def geographic_tenants() -> list[TenantSpec]:
    """One tenant per municipality and one per county administrative board."""
    geography = shipped_geography()
    municipalities = [
        TenantSpec(
            slug=f"kommun-{m.code}",
            kind=TenantKind.MUNICIPALITY,
            name=municipality_organisation_name(m.code, m.name),
            municipality_code=m.code,
            county_code=m.county_code,
        )
        for m in geography.municipalities
    ]
    county_boards = [
        TenantSpec(
            slug=f"lansstyrelsen-{c.code}",
            kind=TenantKind.COUNTY_BOARD,
            name=f"Länsstyrelsen i {c.name}",
            county_code=c.code,
        )
        for c in geography.counties
    ]
    return municipalities + county_boards


def demo_tenants() -> list[TenantSpec]:
    """Tenants for trying the platform: operations from Brå's 2014 survey, the line, Brå itself."""
    return [
        TenantSpec("stodlinjen", TenantKind.GUIDANCE_LINE, "Nationella stödlinjen för avhoppare (demo)"),
        TenantSpec("bra", TenantKind.NATIONAL_COORDINATOR, "Brottsförebyggande rådet, Brå (demo)"),
        TenantSpec(
            "kc-goteborg",
            TenantKind.OPERATION,
            "Kunskapscentrum mot organiserad brottslighet, Göteborg (demo)",
            municipality_code="1480",
            county_code="14",
        ),
        TenantSpec(
            "konsultationsteamet-malmo",
            TenantKind.OPERATION,
            "Konsultationsteamet för avhoppare, Malmö (demo)",
            municipality_code="1280",
            county_code="12",
        ),
        TenantSpec(
            "polisen-bergslagen",
            TenantKind.OTHER_AUTHORITY,
            "Polisregion Bergslagen, avhopparverksamheten (demo)",
            county_code="18",
        ),
        TenantSpec("passus", TenantKind.OPERATION, "Passus, Fryshuset (demo)"),
    ]


def provision_tenants(
    connection: Connection, specs: Iterable[TenantSpec], progress: Callable[[int], None] | None = None
) -> UpsertCounts:
    """Create missing tenants and correct drifted names or links, matched by slug."""
    counts = UpsertCounts()
    rows = [asdict(spec) | {"kind": spec.kind.value} for spec in specs]
    upsert_rows(connection, Tenant, rows, "slug", counts)
    if progress is not None:
        progress(len(rows))
    return counts

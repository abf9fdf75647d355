"""Tenants for every municipality and county board, provisioned idempotently."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.provisioning import (
    TenantSpec,
    demo_tenants,
    geographic_tenants,
    municipality_organisation_name,
    provision_tenants,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("1441", "Lerum", "Lerums kommun"),
        ("1489", "Alingsås", "Alingsås kommun"),
        ("1440", "Ale", "Ale kommun"),
        ("0125", "Ekerö", "Ekerö kommun"),
        ("1480", "Göteborg", "Göteborgs Stad"),
        ("0980", "Gotland", "Region Gotland"),
    ],
)
def test_municipal_organisations_have_their_swedish_names(code: str, name: str, expected: str) -> None:
    assert municipality_organisation_name(code, name) == expected


def test_one_tenant_per_municipality_and_county_board(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        counts: dict[str, int] = dict(connection.execute(text("SELECT kind, count(*) FROM tenant GROUP BY kind")).all())
        skane = connection.execute(text("SELECT name FROM tenant WHERE slug = 'lansstyrelsen-12'")).scalar()

    assert counts[TenantKind.MUNICIPALITY] == 290
    assert counts[TenantKind.COUNTY_BOARD] == 21
    assert skane == "Länsstyrelsen i Skåne län"


def test_provisioning_again_changes_nothing_and_keeps_a_deactivation(owner_engine: Engine) -> None:
    specs = geographic_tenants() + demo_tenants()
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE tenant SET active = false WHERE slug = 'kommun-2260'"))
        connection.execute(text("UPDATE tenant SET name = 'Fel namn' WHERE slug = 'kommun-1441'"))
        counts = provision_tenants(connection, specs)
        active, lerum = connection.execute(
            text(
                "SELECT (SELECT active FROM tenant WHERE slug = 'kommun-2260'),"
                " (SELECT name FROM tenant WHERE slug = 'kommun-1441')"
            )
        ).one()
        connection.execute(text("UPDATE tenant SET active = true WHERE slug = 'kommun-2260'"))

    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 1, len(specs) - 1)
    assert active is False
    assert lerum == "Lerums kommun"


def test_a_second_tenant_for_the_same_municipality_is_refused(owner_engine: Engine) -> None:
    duplicate = TenantSpec("kommun-lerum-2", TenantKind.MUNICIPALITY, "Lerums kommun igen", municipality_code="1441")
    with pytest.raises(IntegrityError, match="uq_tenant_municipality"), owner_engine.begin() as connection:
        provision_tenants(connection, [duplicate])

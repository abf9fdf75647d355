"""Migration 0056: a service's target groups and interventions as bits, from its arrays; downgrade gives 0055."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.directory.catalogue.vocabulary import Intervention, TargetGroup, bits
from avhopp.platform.database import create_owner_engine
from avhopp.platform.migrate import downgrade, migrate
from avhopp.tenants.registry.provisioning import demo_tenants, provision_tenants
from tests.support.catalogue import catalogue

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

FACET_BITS = "0056"
_COLUMNS = (
    "SELECT table_name, column_name FROM information_schema.columns"
    " WHERE table_name IN ('directory_service', 'directory_public_service') AND column_name LIKE '%\\_bits'"
    " ORDER BY table_name, column_name"
)


def _migration() -> Any:
    path = next((Path(__file__).parents[2] / "migrations" / "versions").glob(f"*_{FACET_BITS}.py"))
    spec = importlib.util.spec_from_file_location(f"avhopp_migration_{FACET_BITS}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_vocabularies_keep_the_places_the_stored_bits_were_given() -> None:
    # Rows keep the bits they were written with: a value moved, or added before another, would
    # make them name other values. New values go last.
    migration = _migration()
    assert tuple(TargetGroup)[: len(migration._TARGET_GROUPS)] == migration._TARGET_GROUPS  # noqa: SLF001
    assert tuple(Intervention)[: len(migration._INTERVENTIONS)] == migration._INTERVENTIONS  # noqa: SLF001
    assert max(len(TargetGroup), len(Intervention)) < 63  # the bits of a bigint


def test_published_services_get_their_bits_from_their_arrays_and_the_downgrade_drops_them(
    unmigrated_database: TestDatabase,
) -> None:
    db = unmigrated_database
    migrate(db.owner_url, db.app_url, f"{FACET_BITS}-1")
    engine = create_owner_engine(db.owner_url)
    services = {
        uuid.uuid4(): (["relatives", "mc_gang"], ["guidance", "protected_identity", "no_such_intervention"]),
        uuid.uuid4(): ([], []),
    }
    try:
        with engine.begin() as connection:
            provision_tenants(connection, [spec for spec in demo_tenants() if spec.county_code is None])
            tenant_id = connection.execute(text("SELECT id FROM tenant ORDER BY slug LIMIT 1")).scalar_one()
            organization_id = uuid.uuid4()
            connection.execute(
                text(
                    "INSERT INTO directory_organization (id, tenant_id, name, operation_type, document)"
                    " VALUES (:id, :tenant, 'Organisation', 'authority', '{}')"
                ),
                {"id": organization_id, "tenant": tenant_id},
            )
            for service_id, (groups, interventions) in services.items():
                connection.execute(
                    text(
                        "INSERT INTO directory_service (id, organization_id, tenant_id, name, status, operation_type,"
                        " whole_country, catchment_municipalities, target_groups, interventions,"
                        " threat_requirement, accepts_serious_threat, funding_rule, search_text, document)"
                        " VALUES (:id, :organization, :tenant, 'Tjänst', 'active', 'authority', true, '{}',"
                        " :groups, :interventions, 'none', false, 'free', '', '{}')"
                    ),
                    {
                        "id": service_id,
                        "organization": organization_id,
                        "tenant": tenant_id,
                        "groups": groups,
                        "interventions": interventions,
                    },
                )
        before = catalogue(db, _COLUMNS)
        migrate(db.owner_url, db.app_url, FACET_BITS)
        with engine.connect() as connection:
            stored = {
                row.id: (row.target_group_bits, row.intervention_bits)
                for row in connection.execute(
                    text("SELECT id, target_group_bits, intervention_bits FROM directory_public_service")
                )
            }
        assert stored == {
            next(iter(services)): (
                bits([TargetGroup.RELATIVES, TargetGroup.MC_GANG]),
                bits([Intervention.GUIDANCE, Intervention.PROTECTED_IDENTITY]),
            ),
            list(services)[1]: (0, 0),
        }
        after = catalogue(db, _COLUMNS)
        assert len(after[_COLUMNS]) == len(before[_COLUMNS]) + 4

        downgrade(db.owner_url, db.app_url, f"{FACET_BITS}-1")
        assert catalogue(db, _COLUMNS) == before
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM directory_public_service")).scalar_one() == len(
                services
            )
    finally:
        engine.dispose()

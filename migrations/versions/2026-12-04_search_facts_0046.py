"""The directory's services get the last facts eligibility depends on, so search can decide in SQL.

Three columns beside the ones of 0026, copied from each service's document: `police_report_required`,
`reaches_custody` (works with people in custody too) and `capacity` (open, limited, full, unknown).
With them every rule of the eligibility engine reads a column, so the search orders by verdict and
cuts the page in the database and decodes only the rows it shows. Rows published before get them
from their documents, which already held the three fields.

An index on the facts the verdict reads, led by status (every search filters on it), and a
partial index on the national services, so "the whole country or the home municipality" is two
index lookups (this one and the catchment's GIN index) instead of a scan.

The public view lists its columns, so it is made again with the new ones; the document fields are
unchanged (the three were public already). No new table, so no new row-level security.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

_CAPACITIES = "capacity IN ('open', 'limited', 'full', 'unknown')"
_PUBLIC_SERVICE_FIELDS = (
    *("id", "organization_id", "name", "description", "catchment", "status", "alternate_name", "url", "email"),
    *("threat_requirement", "police_report_required", "accepts_serious_threat", "reaches_custody"),
    *("minimum_age", "maximum_age", "drug_policy", "target_groups", "interventions", "funding_rule", "channels"),
    *("anonymous_contact", "capacity", "languages", "eligibility_description", "application_process"),
    *("contacts", "opening_hours", "locations", "verified_on", "source_note"),
    *("accepts_local_serious_threat", "custody_only"),
)
_SERVICE_COLUMNS = (
    "id, organization_id, tenant_id, name, status, operation_type, whole_country, catchment_municipalities,"
    " minimum_age, maximum_age, target_groups, interventions, threat_requirement, accepts_serious_threat,"
    " funding_rule, search_text, search, verified_on, published_at,"
    " accepts_local_serious_threat, drug_policy, custody_only"
)
_NEW_COLUMNS = ", police_report_required, reaches_custody, capacity"


def _public_service_view(columns: str) -> None:
    fields = "ARRAY[" + ", ".join(f"'{name}'" for name in _PUBLIC_SERVICE_FIELDS) + "]"
    op.execute("DROP VIEW directory_public_service")
    op.execute(
        "CREATE VIEW directory_public_service AS"
        f" SELECT {columns},"
        f" directory_public_document(document, {fields})"
        " || jsonb_build_object('phones', directory_public_phones(document)) AS document"
        " FROM directory_service"
    )
    grant_runtime("directory_public_service", "SELECT")


def upgrade() -> None:
    """Add the three columns, fill them from the documents, index the facts, show them in the public view."""
    for name in ("police_report_required", "reaches_custody"):
        op.add_column(
            "directory_service", sa.Column(name, sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.add_column(
        "directory_service", sa.Column("capacity", sa.Text(), server_default=sa.text("'unknown'"), nullable=False)
    )
    op.execute(
        "UPDATE directory_service SET"
        " police_report_required = coalesce((document ->> 'police_report_required')::boolean, false),"
        " reaches_custody = coalesce((document ->> 'reaches_custody')::boolean, false),"
        " capacity = coalesce(document ->> 'capacity', 'unknown')"
    )
    # Each value once, as publishing now writes them, so search's facets count services.
    for column in ("interventions", "target_groups"):
        op.execute(
            f"UPDATE directory_service SET {column} = ARRAY(SELECT DISTINCT unnest({column}))"
            f" WHERE cardinality({column}) > (SELECT count(DISTINCT value) FROM unnest({column}) AS value)"
        )
    op.create_check_constraint("ck_directory_service_capacity_known", "directory_service", _CAPACITIES)
    op.create_index(
        "ix_directory_service_eligibility",
        "directory_service",
        ["status", "threat_requirement", "accepts_serious_threat", "custody_only", "drug_policy", "funding_rule"],
    )
    op.create_index(
        "ix_directory_service_national",
        "directory_service",
        ["status"],
        postgresql_where=sa.text("whole_country"),
    )
    _public_service_view(_SERVICE_COLUMNS + _NEW_COLUMNS)


def downgrade() -> None:
    """The view as before, then drop the indexes and columns."""
    _public_service_view(_SERVICE_COLUMNS)
    op.drop_index("ix_directory_service_national", "directory_service")
    op.drop_index("ix_directory_service_eligibility", "directory_service")
    op.drop_constraint("ck_directory_service_capacity_known", "directory_service", type_="check")
    for name in ("capacity", "reaches_custody", "police_report_required"):
        op.drop_column("directory_service", name)

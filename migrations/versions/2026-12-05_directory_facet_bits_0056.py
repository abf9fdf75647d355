"""The directory's services get their target groups and interventions as bits, so search counts facets cheaply.

Search counts, for every value of every facet, the services a query finds. The array facets were
counted by unnesting the arrays and grouping the values: on the benchmark's widest searches (3,500
candidates among 10,000 services) that was 3.6 ms of a 10 ms statement; a test of an integer per
value costs 1.5 ms. Two columns, `target_group_bits` and `intervention_bits`, hold the arrays as
bits, each value at its place in its vocabulary (`avhopp.directory.catalogue.vocabulary.bit`);
publishing writes both from the same entry, and rows published before get them from their arrays
here, with the vocabularies as they stand today (a value added later goes last, so these bits
keep their meaning).

The public view lists its columns, so it is made again with the two (they say nothing the public
arrays do not). No new table, so no new row-level security.

Revision ID: 0056
Revises: 0055
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0056"
down_revision = "0055"
branch_labels = None
depends_on = None

_TARGET_GROUPS = (
    *("mc_gang", "neighbourhood_group", "white_power", "violent_extremism", "honour_context", "family_based"),
    *("other_criminal_group", "relatives"),
)
_INTERVENTIONS = (
    *("guidance", "threat_assessment", "protection", "emergency_housing", "supported_housing", "relocation"),
    *("contact_person", "conversational_support", "practical_support", "financial_aid", "addiction_care"),
    *("medical_assessment", "therapy", "influence_programme", "occupation", "education", "long_term_housing"),
    *("debt_counselling", "social_network", "family_support", "protected_identity"),
)
_BITS = {"target_group_bits": ("target_groups", _TARGET_GROUPS), "intervention_bits": ("interventions", _INTERVENTIONS)}
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
    " accepts_local_serious_threat, drug_policy, custody_only, police_report_required, reaches_custody, capacity"
)


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
    """Add the two columns, fill them from the arrays, show them in the public view."""
    for column, (array, vocabulary) in _BITS.items():
        op.add_column(
            "directory_service", sa.Column(column, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        values = "ARRAY[" + ", ".join(f"'{value}'" for value in vocabulary) + "]"
        op.execute(
            f"UPDATE directory_service SET {column} = (SELECT coalesce(bit_or(1::bigint << (place - 1)), 0)"
            f" FROM unnest({array}) AS value, array_position({values}, value) AS place)"
        )
    _public_service_view(_SERVICE_COLUMNS + ", target_group_bits, intervention_bits")


def downgrade() -> None:
    """The view as before, then drop the columns."""
    _public_service_view(_SERVICE_COLUMNS)
    for column in _BITS:
        op.drop_column("directory_service", column)

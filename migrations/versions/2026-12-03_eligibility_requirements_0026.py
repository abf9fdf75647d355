"""The directory's services get the requirements the eligibility pre-filter needs: drugs, custody, local threats.

Three columns beside the ones search already filters on, copied from each service's document:
`drug_policy` (drug-free, drug-free or trying, none), `custody_only` (for people in custody or
on probation only) and `accepts_local_serious_threat` (takes a serious threat only if it is
local, by moving the person away). Rows published before get them from their documents, which
already held `drug_policy`; the two flags are new and start false until an owner or the seed
sets them.

The public view lists its columns and the document fields the public may read, so it is made
again with the new columns and the two new fields (requirements, not contact details: public
like the other requirements). No new table, so no new row-level security: the columns fall under
the table's policies.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None

_DRUG_POLICIES = "drug_policy IN ('no_requirement', 'working_towards', 'drug_free')"
_PUBLIC_SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "catchment",
    "status",
    "alternate_name",
    "url",
    "email",
    "threat_requirement",
    "police_report_required",
    "accepts_serious_threat",
    "reaches_custody",
    "minimum_age",
    "maximum_age",
    "drug_policy",
    "target_groups",
    "interventions",
    "funding_rule",
    "channels",
    "anonymous_contact",
    "capacity",
    "languages",
    "eligibility_description",
    "application_process",
    "contacts",
    "opening_hours",
    "locations",
    "verified_on",
    "source_note",
)
_NEW_FIELDS = ("accepts_local_serious_threat", "custody_only")
_SERVICE_COLUMNS = (
    "id, organization_id, tenant_id, name, status, operation_type, whole_country, catchment_municipalities,"
    " minimum_age, maximum_age, target_groups, interventions, threat_requirement, accepts_serious_threat,"
    " funding_rule, search_text, search, verified_on, published_at"
)
_NEW_COLUMNS = ", accepts_local_serious_threat, drug_policy, custody_only"


def _fields(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]"


def _public_service_view(columns: str, fields: tuple[str, ...]) -> None:
    op.execute("DROP VIEW directory_public_service")
    op.execute(
        "CREATE VIEW directory_public_service AS"
        f" SELECT {columns},"
        f" directory_public_document(document, {_fields(fields)})"
        " || jsonb_build_object('phones', directory_public_phones(document)) AS document"
        " FROM directory_service"
    )
    grant_runtime("directory_public_service", "SELECT")


def upgrade() -> None:
    """Add the three columns, fill them from the documents, show them in the public view."""
    op.add_column(
        "directory_service",
        sa.Column("accepts_local_serious_threat", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "directory_service",
        sa.Column("drug_policy", sa.Text(), server_default=sa.text("'no_requirement'"), nullable=False),
    )
    op.add_column(
        "directory_service", sa.Column("custody_only", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.execute(
        "UPDATE directory_service SET"
        " drug_policy = coalesce(document ->> 'drug_policy', 'no_requirement'),"
        " accepts_local_serious_threat = coalesce((document ->> 'accepts_local_serious_threat')::boolean, false),"
        " custody_only = coalesce((document ->> 'custody_only')::boolean, false)"
    )
    op.create_check_constraint("ck_directory_service_drug_policy_known", "directory_service", _DRUG_POLICIES)
    _public_service_view(_SERVICE_COLUMNS + _NEW_COLUMNS, _PUBLIC_SERVICE_FIELDS + _NEW_FIELDS)


def downgrade() -> None:
    """The view as before, then drop the columns."""
    _public_service_view(_SERVICE_COLUMNS, _PUBLIC_SERVICE_FIELDS)
    op.drop_constraint("ck_directory_service_drug_policy_known", "directory_service", type_="check")
    op.drop_column("directory_service", "custody_only")
    op.drop_column("directory_service", "drug_policy")
    op.drop_column("directory_service", "accepts_local_serious_threat")

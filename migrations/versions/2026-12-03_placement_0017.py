"""Placement between municipalities: localities, units, intake, requests, offers, placements.

Every table has forced row-level security. A unit, an intake declaration and a request are their
tenant's; an offer is seen by the requester and the unit's owner; a placement by the home and the
receiving organisation (the services narrow it further: the case's team, the designated staff).
Localities are national reference data (a town's name and coordinates), readable by all.

The engine needs every free unit and every active placement in the country, at locality level
only; the receiving side needs a pending offer's coded basis to re-check its acceptance (and the
case's id, which the placement carries), and the national coordinator a request's basis for the
explanation. Five functions (SECURITY DEFINER, run as the owner, to whom a read-only policy is given
on these tables alone) return exactly that: never an address, a name or any other identity.

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role, tenant_scoped_table

revision = "0017"
down_revision = "0019"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_OWN = f"tenant_id = {_TENANT}"

_FUNCTIONS = {
    "housing_engine_units()": """
CREATE FUNCTION housing_engine_units()
RETURNS TABLE (unit_id uuid, owner_tenant_id uuid, municipality_code text, locality_code text,
               latitude numeric, longitude numeric, unit_type text, max_household smallint,
               features text[], available_from date, monthly_cost_sek integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT u.id, u.tenant_id, l.municipality_code, l.code, l.latitude, l.longitude, u.unit_type,
           u.max_household, u.features, u.available_from, u.monthly_cost_sek
    FROM housing_unit u JOIN housing_locality l ON l.code = u.locality_code
    WHERE u.withdrawn_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM housing_offer o WHERE o.unit_id = u.id AND o.status = 'pending')
      AND NOT EXISTS (SELECT 1 FROM housing_placement p WHERE p.unit_id = u.id AND p.moved_out_on IS NULL)
$$""",
    "housing_engine_placements()": """
CREATE FUNCTION housing_engine_placements()
RETURNS TABLE (placement_id uuid, municipality_code text, locality_code text, latitude numeric,
               longitude numeric, affiliations text[], move_in_on date, placed_in_year bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT p.id, p.municipality_code, l.code, l.latitude, l.longitude, p.affiliations, p.move_in_on,
           extract(year FROM p.move_in_on)::bigint
    FROM housing_placement p JOIN housing_locality l ON l.code = p.locality_code
    WHERE p.moved_out_on IS NULL
$$""",
    "housing_engine_intake()": """
CREATE FUNCTION housing_engine_intake()
RETURNS TABLE (municipality_code text, yearly_cap integer, paused boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT t.municipality_code, i.yearly_cap, coalesce(i.paused_until >= current_date, false)
    FROM housing_intake i JOIN tenant t ON t.id = i.tenant_id
    WHERE t.kind = 'municipality' AND t.active
$$""",
    "housing_offer_basis(uuid)": """
CREATE FUNCTION housing_offer_basis(offer uuid)
RETURNS TABLE (request_id uuid, requester_tenant_id uuid, case_id uuid, origin_municipality text,
               operation_municipality text, threat_level text, threat_municipalities text[],
               threat_counties text[], threat_police_regions text[], affiliations text[],
               household_size smallint, needs text[], earliest_move_in date, acute boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.id, r.tenant_id, r.case_id, r.origin_municipality, r.operation_municipality, r.threat_level,
           r.threat_municipalities, r.threat_counties, r.threat_police_regions, r.affiliations,
           r.household_size, r.needs, r.earliest_move_in, r.acute
    FROM housing_offer o JOIN housing_request r ON r.id = o.request_id
    WHERE o.id = offer AND o.status = 'pending'
      AND o.owner_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$""",
    "housing_request_for_national(uuid)": """
CREATE FUNCTION housing_request_for_national(request uuid)
RETURNS TABLE (request_id uuid, requester_tenant_id uuid, case_id uuid, origin_municipality text,
               operation_municipality text, threat_level text, threat_municipalities text[],
               threat_counties text[], threat_police_regions text[], affiliations text[],
               household_size smallint, needs text[], earliest_move_in date, acute boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.id, r.tenant_id, NULL::uuid, r.origin_municipality, r.operation_municipality, r.threat_level,
           r.threat_municipalities, r.threat_counties, r.threat_police_regions, r.affiliations,
           r.household_size, r.needs, r.earliest_move_in, r.acute
    FROM housing_request r
    WHERE r.id = request AND EXISTS (
        SELECT 1 FROM tenant t WHERE t.kind = 'national_coordinator' AND t.active
        AND t.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
$$""",
}
"""The basis of a request: for the receiving side while its offer is pending (the re-check at acceptance),
and for the national coordinator (the explanation; the route needs its role, the view is audited)."""

_GRANTS = (
    ("case_officer", "placement", "request", "Begära placering av en person i en annan kommun"),
    (
        "placement_national",
        "placement",
        "explain",
        "Se placeringsmotorns fullständiga förklaring (visar var andra bor; loggas)",
    ),
)


def _forced(table: str, *policies: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for number, policy in enumerate(policies, start=1):
        op.execute(f"CREATE POLICY {table}_{number} ON {table} {policy}")


def _feed_reads(table: str) -> None:
    """The owner (the functions above run as it) reads the table; the runtime role never gets this."""
    op.execute(f"CREATE POLICY {table}_feed ON {table} FOR SELECT TO CURRENT_USER USING (true)")


def _security() -> None:
    # A town's name and coordinates: no tenant's, nothing secret; never changed once written.
    _forced("housing_locality", "FOR SELECT USING (true)", "FOR INSERT WITH CHECK (true)")
    grant_runtime("housing_locality", "SELECT, INSERT")

    tenant_scoped_table("housing_unit")
    _feed_reads("housing_unit")
    grant_runtime("housing_unit", "SELECT, INSERT, UPDATE (withdrawn_at)")

    tenant_scoped_table("housing_intake")
    grant_runtime("housing_intake", "SELECT, INSERT, UPDATE")

    tenant_scoped_table("housing_rate_window")
    grant_runtime("housing_rate_window", "SELECT, INSERT, UPDATE, DELETE")

    tenant_scoped_table("housing_request")
    _feed_reads("housing_request")
    grant_runtime("housing_request", "SELECT, INSERT, UPDATE (withdrawn_at)")

    either = f"({_OWN} OR owner_tenant_id = {_TENANT})"
    _forced(
        "housing_offer",
        f"FOR SELECT USING {either}",
        f"FOR INSERT WITH CHECK ({_OWN})",
        f"FOR UPDATE USING {either} WITH CHECK {either}",
    )
    _feed_reads("housing_offer")
    grant_runtime(
        "housing_offer",
        "SELECT, INSERT, UPDATE (status, decline_reason, decided_at, decided_by, reminded_at, escalated_at)",
    )

    both = f"({_OWN} OR receiving_tenant_id = {_TENANT})"
    _forced(
        "housing_placement",
        f"FOR SELECT USING {both}",
        f"FOR INSERT WITH CHECK (receiving_tenant_id = {_TENANT})",
        f"FOR UPDATE USING {both} WITH CHECK {both}",
    )
    _feed_reads("housing_placement")
    grant_runtime("housing_placement", "SELECT, INSERT, UPDATE (moved_out_on, ended_by)")

    for signature, body in _FUNCTIONS.items():
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
            .format(sql.SQL(signature), sql.Identifier(runtime_role()))
            .as_string()
        )

    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [{"role": role, "obj": obj, "act": act, "description": text} for role, obj, act, text in _GRANTS],
    )


def upgrade() -> None:
    _tables()
    _security()


def _tables() -> None:
    op.create_table(
        "housing_locality",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.CheckConstraint(
            "latitude BETWEEN 55 AND 69.5 AND longitude BETWEEN 10.5 AND 24.5",
            name=op.f("ck_housing_locality_in_sweden"),
        ),
        sa.CheckConstraint("length(name) BETWEEN 2 AND 100", name=op.f("ck_housing_locality_name_length")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_housing_locality_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_housing_locality")),
    )
    op.create_index(
        op.f("ix_housing_locality_municipality_code"), "housing_locality", ["municipality_code"], unique=False
    )
    op.create_table(
        "housing_intake",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("yearly_cap", sa.Integer(), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("handled_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("length(handled_by) BETWEEN 2 AND 200", name=op.f("ck_housing_intake_handled_by_named")),
        sa.CheckConstraint(
            "yearly_cap IS NULL OR yearly_cap BETWEEN 0 AND 100000", name=op.f("ck_housing_intake_cap_sensible")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_intake_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], name=op.f("fk_housing_intake_updated_by_app_user")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_housing_intake")),
    )
    op.create_table(
        "housing_rate_window",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_rate_window_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "window_start", name=op.f("pk_housing_rate_window")),
    )
    op.create_table(
        "housing_request",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("origin_municipality", sa.String(length=4), nullable=False),
        sa.Column("operation_municipality", sa.String(length=4), nullable=False),
        sa.Column("risk_level", sa.Text(), nullable=False),
        sa.Column("threat_level", sa.Text(), nullable=False),
        sa.Column(
            "threat_municipalities", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column(
            "threat_counties", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column(
            "threat_police_regions", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
        ),
        sa.Column("affiliations", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("household_size", sa.SmallInteger(), nullable=False),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("earliest_move_in", sa.Date(), nullable=False),
        sa.Column("acute", sa.Boolean(), nullable=False),
        sa.Column("no_assessment_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(risk_level <> 'unknown') OR length(no_assessment_reason) BETWEEN 10 AND 500",
            name=op.f("ck_housing_request_assessed_or_reason_given"),
        ),
        sa.CheckConstraint(
            "needs <@ ARRAY['stodboende', 'missbruksvard', 'tillganglig']::text[]",
            name=op.f("ck_housing_request_needs_known"),
        ),
        sa.CheckConstraint(
            "risk_level IN ('none', 'latent', 'serious', 'unknown')", name=op.f("ck_housing_request_risk_level_known")
        ),
        sa.CheckConstraint(
            "threat_level IN ('lokal', 'regional', 'nationell')", name=op.f("ck_housing_request_threat_level_known")
        ),
        sa.CheckConstraint("household_size BETWEEN 1 AND 20", name=op.f("ck_housing_request_household_sensible")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_housing_request_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["operation_municipality"],
            ["municipality.code"],
            name=op.f("fk_housing_request_operation_municipality_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["origin_municipality"],
            ["municipality.code"],
            name=op.f("fk_housing_request_origin_municipality_municipality"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_request_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_request")),
    )
    op.create_index("ix_housing_request_case", "housing_request", ["tenant_id", "case_id"], unique=False)
    op.create_table(
        "housing_unit",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("unit_type", sa.Text(), nullable=False),
        sa.Column("max_household", sa.SmallInteger(), nullable=False),
        sa.Column("features", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("monthly_cost_sek", sa.Integer(), nullable=False),
        sa.Column("locality_code", sa.Text(), nullable=False),
        sa.Column("address_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "features <@ ARRAY['tillganglig', 'missbruksvard']::text[]", name=op.f("ck_housing_unit_features_known")
        ),
        sa.CheckConstraint(
            "unit_type IN ('jourlagenhet', 'stodboende', 'langtidskontrakt')",
            name=op.f("ck_housing_unit_unit_type_known"),
        ),
        sa.CheckConstraint("max_household BETWEEN 1 AND 20", name=op.f("ck_housing_unit_max_household_sensible")),
        sa.CheckConstraint(
            "monthly_cost_sek BETWEEN 0 AND 1000000", name=op.f("ck_housing_unit_monthly_cost_sensible")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_housing_unit_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["locality_code"], ["housing_locality.code"], name=op.f("fk_housing_unit_locality_code_housing_locality")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_unit_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_unit")),
    )
    op.create_index(op.f("ix_housing_unit_locality_code"), "housing_unit", ["locality_code"], unique=False)
    op.create_index("ix_housing_unit_tenant", "housing_unit", ["tenant_id", "withdrawn_at"], unique=False)
    op.create_table(
        "housing_offer",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("household_size", sa.SmallInteger(), nullable=False),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("risk_level", sa.Text(), nullable=False),
        sa.Column("wanted_from", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'declined') = (decline_reason IS NOT NULL) AND (decline_reason IS NULL OR decline_reason IN"
            " ('unit_no_longer_free', 'cannot_support_needs', 'local_risk', 'capacity', 'other'))",
            name=op.f("ck_housing_offer_declined_with_reason"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name=op.f("ck_housing_offer_decided_unless_pending")
        ),
        sa.CheckConstraint(
            "needs <@ ARRAY['stodboende', 'missbruksvard', 'tillganglig']::text[]",
            name=op.f("ck_housing_offer_needs_known"),
        ),
        sa.CheckConstraint(
            "risk_level IN ('none', 'latent', 'serious', 'unknown')", name=op.f("ck_housing_offer_risk_level_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'failed', 'expired')",
            name=op.f("ck_housing_offer_status_known"),
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_housing_offer_created_by_app_user")),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_housing_offer_decided_by_app_user")),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_housing_offer_owner_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["housing_request.id"], name=op.f("fk_housing_offer_request_id_housing_request")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_offer_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["unit_id"], ["housing_unit.id"], name=op.f("fk_housing_offer_unit_id_housing_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_offer")),
    )
    op.create_index("ix_housing_offer_owner", "housing_offer", ["owner_tenant_id", "status"], unique=False)
    op.create_index(op.f("ix_housing_offer_request_id"), "housing_offer", ["request_id"], unique=False)
    op.create_index(op.f("ix_housing_offer_unit_id"), "housing_offer", ["unit_id"], unique=False)
    op.create_index(
        "uq_housing_offer_pending_request",
        "housing_offer",
        ["request_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "uq_housing_offer_pending_unit",
        "housing_offer",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "housing_placement",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("receiving_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("locality_code", sa.Text(), nullable=False),
        sa.Column("affiliations", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("move_in_on", sa.Date(), nullable=False),
        sa.Column("moved_out_on", sa.Date(), nullable=True),
        sa.Column("address_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("identity_shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "moved_out_on IS NULL OR moved_out_on >= move_in_on",
            name=op.f("ck_housing_placement_moves_out_after_moving_in"),
        ),
        sa.CheckConstraint(
            "tenant_id <> receiving_tenant_id", name=op.f("ck_housing_placement_to_another_organisation")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_housing_placement_created_by_app_user")),
        sa.ForeignKeyConstraint(["ended_by"], ["app_user.id"], name=op.f("fk_housing_placement_ended_by_app_user")),
        sa.ForeignKeyConstraint(
            ["locality_code"],
            ["housing_locality.code"],
            name=op.f("fk_housing_placement_locality_code_housing_locality"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_housing_placement_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["housing_offer.id"], name=op.f("fk_housing_placement_offer_id_housing_offer")
        ),
        sa.ForeignKeyConstraint(
            ["receiving_tenant_id"], ["tenant.id"], name=op.f("fk_housing_placement_receiving_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["housing_request.id"], name=op.f("fk_housing_placement_request_id_housing_request")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_placement_tenant_id_tenant")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["housing_unit.id"], name=op.f("fk_housing_placement_unit_id_housing_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_placement")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_housing_placement_offer_id")),
    )
    op.create_index("ix_housing_placement_case", "housing_placement", ["tenant_id", "case_id"], unique=False)
    op.create_index(
        op.f("ix_housing_placement_municipality_code"), "housing_placement", ["municipality_code"], unique=False
    )
    op.create_index(
        "ix_housing_placement_receiving", "housing_placement", ["receiving_tenant_id", "moved_out_on"], unique=False
    )
    op.create_index(
        "uq_housing_placement_active_unit",
        "housing_placement",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("moved_out_on IS NULL"),
    )


def downgrade() -> None:
    for role, obj, act, _ in _GRANTS:
        op.execute(
            sa.text("DELETE FROM authz_role_permission WHERE role = :role AND obj = :obj AND act = :act").bindparams(
                role=role, obj=obj, act=act
            )
        )
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    op.drop_index(
        "uq_housing_placement_active_unit",
        table_name="housing_placement",
        postgresql_where=sa.text("moved_out_on IS NULL"),
    )
    op.drop_index("ix_housing_placement_receiving", table_name="housing_placement")
    op.drop_index(op.f("ix_housing_placement_municipality_code"), table_name="housing_placement")
    op.drop_index("ix_housing_placement_case", table_name="housing_placement")
    op.drop_table("housing_placement")
    op.drop_index(
        "uq_housing_offer_pending_unit", table_name="housing_offer", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index(
        "uq_housing_offer_pending_request", table_name="housing_offer", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index(op.f("ix_housing_offer_unit_id"), table_name="housing_offer")
    op.drop_index(op.f("ix_housing_offer_request_id"), table_name="housing_offer")
    op.drop_index("ix_housing_offer_owner", table_name="housing_offer")
    op.drop_table("housing_offer")
    op.drop_index("ix_housing_unit_tenant", table_name="housing_unit")
    op.drop_index(op.f("ix_housing_unit_locality_code"), table_name="housing_unit")
    op.drop_table("housing_unit")
    op.drop_index("ix_housing_request_case", table_name="housing_request")
    op.drop_table("housing_request")
    op.drop_table("housing_rate_window")
    op.drop_table("housing_intake")
    op.drop_index(op.f("ix_housing_locality_municipality_code"), table_name="housing_locality")
    op.drop_table("housing_locality")

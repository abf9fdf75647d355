"""National placement rounds: simultaneous requests solved jointly by the engine's batch mode.

The national coordinator's placement role gathers open requests into a round. `housing_round`
and `housing_round_entry` are the national coordinator's (forced row-level security by tenant):
the engine's answer per request, with its full explanation, which shows where others live.

Two functions (SECURITY DEFINER, as migration 0017's) answer only when the transaction acts for
an active national coordinator: `housing_round_candidates()` lists the open requests (no pending
offer, no placement, not withdrawn) with their coded basis and the requesting organisation's
name, never a case or a person; `housing_round_offer()` sends the offer of one entry of a solved
round that the caller's tenant owns, on the requester's behalf (the officer who asked stays its
maker, so the answer reaches them). The owner gets an insert policy on `housing_offer` for this
function alone; the runtime role never does.

Revision ID: 0039
Revises: 0032
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role, tenant_scoped_table

revision = "0039"
down_revision = "0032"
branch_labels = None
depends_on = None

_NATIONAL = (
    "EXISTS (SELECT 1 FROM tenant t WHERE t.kind = 'national_coordinator' AND t.active"
    " AND t.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
)

_FUNCTIONS = {
    "housing_round_candidates()": f"""
CREATE FUNCTION housing_round_candidates()
RETURNS TABLE (request_id uuid, requester_tenant_id uuid, requester_name text, origin_municipality text,
               operation_municipality text, threat_level text, threat_municipalities text[],
               threat_counties text[], threat_police_regions text[], affiliations text[],
               household_size smallint, needs text[], earliest_move_in date, acute boolean,
               created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.id, r.tenant_id, t.name, r.origin_municipality, r.operation_municipality, r.threat_level,
           r.threat_municipalities, r.threat_counties, r.threat_police_regions, r.affiliations,
           r.household_size, r.needs, r.earliest_move_in, r.acute, r.created_at
    FROM housing_request r JOIN tenant t ON t.id = r.tenant_id
    WHERE r.withdrawn_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM housing_offer o WHERE o.request_id = r.id AND o.status = 'pending')
      AND NOT EXISTS (SELECT 1 FROM housing_placement p WHERE p.request_id = r.id)
      AND {_NATIONAL}
    ORDER BY r.acute DESC, r.created_at, r.id
$$""",
    "housing_round_offer(uuid, uuid, timestamptz)": f"""
CREATE FUNCTION housing_round_offer(round uuid, request uuid, deadline timestamptz)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    chosen record;
    made uuid;
BEGIN
    SELECT e.unit_id, e.owner_tenant_id, r.tenant_id AS requester, r.household_size, r.needs, r.risk_level,
           r.earliest_move_in, r.created_by
      INTO chosen
      FROM housing_round ro
      JOIN housing_round_entry e ON e.round_id = ro.id
      JOIN housing_request r ON r.id = e.request_id
     WHERE ro.id = round AND e.request_id = request AND ro.status = 'solved'
       AND e.unit_id IS NOT NULL AND e.offer_id IS NULL AND r.withdrawn_at IS NULL
       AND ro.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
       AND {_NATIONAL};
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO housing_offer (tenant_id, owner_tenant_id, request_id, unit_id, household_size, needs, risk_level,
                               wanted_from, deadline_at, created_by)
    VALUES (chosen.requester, chosen.owner_tenant_id, request, chosen.unit_id, chosen.household_size, chosen.needs,
            chosen.risk_level, chosen.earliest_move_in, deadline, chosen.created_by)
    RETURNING id INTO made;
    RETURN made;
END
$$""",
}

_GRANTS = (
    (
        "placement_national",
        "placement",
        "round",
        "Samla samtidiga placeringsbegäranden i en nationell omgång och skicka erbjudandena (loggas)",
    ),
)


def upgrade() -> None:
    op.create_table(
        "housing_round",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'solved'"), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("requested", sa.SmallInteger(), nullable=False),
        sa.Column("placed", sa.SmallInteger(), nullable=False),
        sa.Column("heuristic_placed", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("status IN ('solved', 'sent', 'cancelled')", name=op.f("ck_housing_round_status_known")),
        sa.CheckConstraint("(status = 'solved') = (decided_at IS NULL)", name=op.f("ck_housing_round_decided")),
        sa.CheckConstraint("placed BETWEEN 0 AND requested", name=op.f("ck_housing_round_placed_counted")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_round_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_housing_round_created_by_app_user")),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_housing_round_decided_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_round")),
    )
    op.create_index("ix_housing_round_tenant", "housing_round", ["tenant_id", "created_at"])
    op.create_table(
        "housing_round_entry",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("requester_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(unit_id IS NULL) = (owner_tenant_id IS NULL) AND (offer_id IS NULL OR unit_id IS NOT NULL)",
            name=op.f("ck_housing_round_entry_unit_owned"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["housing_round.id"],
            ondelete="CASCADE",
            name=op.f("fk_housing_round_entry_round_id_housing_round"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["housing_request.id"], name=op.f("fk_housing_round_entry_request_id_housing_request")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_round_entry_tenant_id_tenant")),
        sa.ForeignKeyConstraint(
            ["requester_tenant_id"], ["tenant.id"], name=op.f("fk_housing_round_entry_requester_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["housing_unit.id"], name=op.f("fk_housing_round_entry_unit_id_housing_unit")
        ),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_housing_round_entry_owner_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["housing_offer.id"], name=op.f("fk_housing_round_entry_offer_id_housing_offer")
        ),
        sa.PrimaryKeyConstraint("round_id", "request_id", name=op.f("pk_housing_round_entry")),
    )
    op.create_index("ix_housing_round_entry_tenant", "housing_round_entry", ["tenant_id", "round_id"])

    tenant_scoped_table("housing_round")
    grant_runtime("housing_round", "SELECT, INSERT, UPDATE (status, decided_at, decided_by)")
    tenant_scoped_table("housing_round_entry")
    grant_runtime("housing_round_entry", "SELECT, INSERT, UPDATE (offer_id)")
    op.execute("CREATE POLICY housing_offer_round ON housing_offer FOR INSERT TO CURRENT_USER WITH CHECK (true)")
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


def downgrade() -> None:
    for role, obj, act, _ in _GRANTS:
        op.execute(
            sa.text("DELETE FROM authz_role_permission WHERE role = :role AND obj = :obj AND act = :act").bindparams(
                role=role, obj=obj, act=act
            )
        )
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    op.execute("DROP POLICY housing_offer_round ON housing_offer")
    op.drop_index("ix_housing_round_entry_tenant", table_name="housing_round_entry")
    op.drop_table("housing_round_entry")
    op.drop_index("ix_housing_round_tenant", table_name="housing_round")
    op.drop_table("housing_round")

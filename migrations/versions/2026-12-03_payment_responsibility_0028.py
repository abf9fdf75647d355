"""Payment responsibility for placements: transfer decisions between the two municipalities.

The home municipality pays from the move-in until a transfer that both municipalities agreed,
from its date. `housing_transfer` holds the proposals and their answers, forced row-level
security: the home and the receiving municipality see and answer them; the county board of
either county reads them (read-only: it sees disputes, and nothing in a row names or locates a
person). The receiving municipality is the one where the placement is, which may not be the
unit's owner (an operation): `housing_payment_placements()` (SECURITY DEFINER, as migration
0017's functions) gives each municipality its placements between two municipalities, as home
or as receiver, with the unit's type and the dates only.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_SIDES = f"(tenant_id = {_TENANT} OR receiving_tenant_id = {_TENANT})"
_COUNTY_BOARD = (
    f"EXISTS (SELECT 1 FROM tenant t WHERE t.id = {_TENANT} AND t.kind = 'county_board'"
    " AND t.county_code IN (home_county, receiving_county))"
)

_SIGNATURE = "housing_payment_placements()"
_FUNCTION = """
CREATE FUNCTION housing_payment_placements()
RETURNS TABLE (placement_id uuid, home_tenant_id uuid, receiving_tenant_id uuid, home_county text,
               receiving_county text, unit_type text, move_in_on date, moved_out_on date, transfer_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT p.id, h.id, r.id, hm.county_code, rm.county_code, u.unit_type, p.move_in_on, p.moved_out_on,
           (SELECT t.transfer_on FROM housing_transfer t WHERE t.placement_id = p.id AND t.status = 'agreed')
    FROM housing_placement p
    JOIN tenant h ON h.id = p.tenant_id AND h.kind = 'municipality'
    JOIN municipality hm ON hm.code = h.municipality_code
    JOIN tenant r ON r.kind = 'municipality' AND r.municipality_code = p.municipality_code
    JOIN municipality rm ON rm.code = r.municipality_code
    JOIN housing_unit u ON u.id = p.unit_id
    WHERE h.id <> r.id
      AND NULLIF(current_setting('app.tenant_id', true), '')::uuid IN (h.id, r.id)
$$"""
"""A municipality's placements between two municipalities, as home or receiver: no address, no identity."""

_GRANTS = (
    (
        "placement_coordinator",
        "placement",
        "pay",
        "Se och besluta om betalningsansvaret för placeringar mellan kommuner",
    ),
    (
        "network_coordinator",
        "placement",
        "oversee_payment",
        "Se tvister om betalningsansvar för placeringar i länet (utan identitet)",
    ),
)


def upgrade() -> None:
    op.create_table(
        "housing_transfer",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("placement_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("receiving_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("home_county", sa.String(length=2), nullable=False),
        sa.Column("receiving_county", sa.String(length=2), nullable=False),
        sa.Column("proposed_by_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("transfer_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'proposed'"), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_by_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("dispute_text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'agreed', 'disputed')", name=op.f("ck_housing_transfer_status_known")
        ),
        sa.CheckConstraint(
            "tenant_id <> receiving_tenant_id", name=op.f("ck_housing_transfer_between_two_municipalities")
        ),
        sa.CheckConstraint(
            "proposed_by_tenant_id IN (tenant_id, receiving_tenant_id)",
            name=op.f("ck_housing_transfer_proposed_by_a_side"),
        ),
        sa.CheckConstraint(
            "(status = 'proposed') = (decided_at IS NULL)", name=op.f("ck_housing_transfer_decided_unless_proposed")
        ),
        sa.CheckConstraint(
            "decided_by_tenant_id IS NULL OR (decided_by_tenant_id IN (tenant_id, receiving_tenant_id)"
            " AND decided_by_tenant_id <> proposed_by_tenant_id)",
            name=op.f("ck_housing_transfer_answered_by_the_other_side"),
        ),
        sa.CheckConstraint(
            "(status = 'disputed') = (dispute_reason IS NOT NULL) AND (dispute_reason IS NULL OR dispute_reason IN"
            " ('date_too_early', 'not_settled', 'agreement_differs', 'other'))",
            name=op.f("ck_housing_transfer_disputed_with_reason"),
        ),
        sa.CheckConstraint(
            "dispute_text IS NULL OR length(dispute_text) <= 500", name=op.f("ck_housing_transfer_dispute_text_short")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["housing_placement.id"], name=op.f("fk_housing_transfer_placement_id_housing_placement")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_housing_transfer_tenant_id_tenant")),
        sa.ForeignKeyConstraint(
            ["receiving_tenant_id"], ["tenant.id"], name=op.f("fk_housing_transfer_receiving_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_tenant_id"], ["tenant.id"], name=op.f("fk_housing_transfer_proposed_by_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_tenant_id"], ["tenant.id"], name=op.f("fk_housing_transfer_decided_by_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(["home_county"], ["county.code"], name=op.f("fk_housing_transfer_home_county_county")),
        sa.ForeignKeyConstraint(
            ["receiving_county"], ["county.code"], name=op.f("fk_housing_transfer_receiving_county_county")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["app_user.id"], name=op.f("fk_housing_transfer_proposed_by_app_user")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_housing_transfer_decided_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_transfer")),
    )
    op.create_index(
        "uq_housing_transfer_proposed",
        "housing_transfer",
        ["placement_id"],
        unique=True,
        postgresql_where=sa.text("status = 'proposed'"),
    )
    op.create_index(
        "uq_housing_transfer_agreed",
        "housing_transfer",
        ["placement_id"],
        unique=True,
        postgresql_where=sa.text("status = 'agreed'"),
    )
    op.create_index("ix_housing_transfer_tenant", "housing_transfer", ["tenant_id"], unique=False)
    op.create_index("ix_housing_transfer_receiving", "housing_transfer", ["receiving_tenant_id"], unique=False)
    _security()


def _security() -> None:
    op.execute("ALTER TABLE housing_transfer ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE housing_transfer FORCE ROW LEVEL SECURITY")
    policies = (
        # Both municipalities, and the county board of either county (reading only).
        f"FOR SELECT USING ({_SIDES} OR {_COUNTY_BOARD})",
        # A side proposes; it never writes an answer, its own or the other side's.
        (
            f"FOR INSERT WITH CHECK ({_SIDES} AND proposed_by_tenant_id = {_TENANT}"
            " AND status = 'proposed' AND decided_by_tenant_id IS NULL)"
        ),
        # An open proposal is answered once, by the side that did not make it.
        (
            f"FOR UPDATE USING ({_SIDES} AND status = 'proposed')"
            f" WITH CHECK ({_SIDES} AND status <> 'proposed' AND decided_by_tenant_id = {_TENANT})"
        ),
    )
    for number, policy in enumerate(policies, start=1):
        op.execute(f"CREATE POLICY housing_transfer_{number} ON housing_transfer {policy}")
    grant_runtime(
        "housing_transfer",
        "SELECT, INSERT, UPDATE (status, decided_at, decided_by, decided_by_tenant_id, dispute_reason, dispute_text)",
    )
    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
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
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    op.drop_index("ix_housing_transfer_receiving", table_name="housing_transfer")
    op.drop_index("ix_housing_transfer_tenant", table_name="housing_transfer")
    op.drop_index(
        "uq_housing_transfer_agreed", table_name="housing_transfer", postgresql_where=sa.text("status = 'agreed'")
    )
    op.drop_index(
        "uq_housing_transfer_proposed", table_name="housing_transfer", postgresql_where=sa.text("status = 'proposed'")
    )
    op.drop_table("housing_transfer")

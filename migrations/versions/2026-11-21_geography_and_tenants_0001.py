"""Swedish geography and the tenant registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_KINDS = "'municipality', 'operation', 'county_board', 'guidance_line', 'national_coordinator', 'other_authority'"


def upgrade() -> None:
    op.create_table(
        "police_region",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_police_region"),
        sa.UniqueConstraint("name", name="uq_police_region_name"),
    )
    op.create_table(
        "county",
        sa.Column("code", sa.String(2), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("police_region_code", sa.String(16), nullable=False),
        sa.CheckConstraint("code ~ '^[0-9]{2}$'", name="ck_county_code_two_digits"),
        sa.ForeignKeyConstraint(
            ["police_region_code"], ["police_region.code"], name="fk_county_police_region_code_police_region"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_county"),
        sa.UniqueConstraint("name", name="uq_county_name"),
    )
    op.create_index("ix_county_police_region_code", "county", ["police_region_code"])
    op.create_table(
        "municipality",
        sa.Column("code", sa.String(4), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("county_code", sa.String(2), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.CheckConstraint("code ~ '^[0-9]{4}$'", name="ck_municipality_code_four_digits"),
        sa.CheckConstraint(
            "latitude BETWEEN 55 AND 69.1 AND longitude BETWEEN 10.9 AND 24.2", name="ck_municipality_inside_sweden"
        ),
        sa.CheckConstraint("population IS NULL OR population > 0", name="ck_municipality_population_positive"),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"], name="fk_municipality_county_code_county"),
        sa.PrimaryKeyConstraint("code", name="pk_municipality"),
        sa.UniqueConstraint("name", name="uq_municipality_name"),
    )
    op.create_index("ix_municipality_county_code", "municipality", ["county_code"])
    op.create_table(
        "tenant",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("municipality_code", sa.String(4), nullable=True),
        sa.Column("county_code", sa.String(2), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(f"kind IN ({_KINDS})", name="ck_tenant_kind_known"),
        sa.CheckConstraint(
            "kind <> 'municipality' OR municipality_code IS NOT NULL", name="ck_tenant_municipality_has_code"
        ),
        sa.CheckConstraint("kind <> 'county_board' OR county_code IS NOT NULL", name="ck_tenant_county_board_has_code"),
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="ck_tenant_slug_format"),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"], name="fk_tenant_county_code_county"),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.code"], name="fk_tenant_municipality_code_municipality"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tenant"),
        sa.UniqueConstraint("slug", name="uq_tenant_slug"),
    )
    op.create_index("ix_tenant_municipality_code", "tenant", ["municipality_code"])
    op.create_index("ix_tenant_county_code", "tenant", ["county_code"])
    op.create_index(
        "uq_tenant_municipality",
        "tenant",
        ["municipality_code"],
        unique=True,
        postgresql_where=sa.text("kind = 'municipality'"),
    )
    op.create_index(
        "uq_tenant_county_board",
        "tenant",
        ["county_code"],
        unique=True,
        postgresql_where=sa.text("kind = 'county_board'"),
    )
    for table in ("police_region", "county", "municipality"):
        grant_runtime(table, "SELECT")
    # Tenant administration (platform admins) creates and deactivates tenants at run time.
    grant_runtime("tenant", "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    op.drop_table("tenant")
    op.drop_table("municipality")
    op.drop_table("county")
    op.drop_table("police_region")

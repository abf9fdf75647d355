"""The national directory: published entries, revisions, reminders, and who may search and review.

Published entries are public directory data: readable by every transaction, written only
by a national coordinator's transaction (publishing), and updated by the owning tenant
(confirming an entry). Revisions and reminders are the owner's; the national coordinator
reads and decides revisions. The role permissions are frozen copies of ROLE_MATRIX's
additions at this revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import TENANT_PREDICATE, grant_runtime, tenant_scoped_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_REVIEWER = (
    "EXISTS (SELECT 1 FROM tenant WHERE tenant.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " AND tenant.kind = 'national_coordinator' AND tenant.active)"
)
_SEARCH = ("directory", "search", "Söka i katalogen utifrån en persons situation och se skälen")
_ROLE_PERMISSIONS = [
    *(
        (role, *_SEARCH)
        for role in (
            "case_officer",
            "security_officer",
            "placement_coordinator",
            "directory_editor",
            "directory_reviewer",
            "line_operator",
            "line_supervisor",
            "network_coordinator",
            "network_member",
        )
    ),
    (
        "directory_reviewer",
        "directory",
        "review",
        "Granska och publicera ändringar i katalogen (bara hos den nationella samordnaren)",
    ),
]
_OPERATION_TYPES = "operation_type IN ('authority', 'non_authority', 'public_actor')"
_SEARCH_VECTOR = (
    "setweight(to_tsvector('swedish'::regconfig, name), 'A')"
    " || setweight(to_tsvector('swedish'::regconfig, search_text), 'B')"
)


def _published_table_policies(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY public_read ON {table} FOR SELECT USING (true)")
    op.execute(f"CREATE POLICY reviewer_publishes ON {table} FOR ALL USING ({_REVIEWER}) WITH CHECK ({_REVIEWER})")
    op.execute(
        f"CREATE POLICY owner_confirms ON {table} FOR UPDATE USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )
    grant_runtime(table, "SELECT, INSERT, UPDATE")


def upgrade() -> None:
    op.create_table(
        "directory_organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("operation_type", sa.Text(), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(_OPERATION_TYPES, name="ck_directory_organization_operation_type_known"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_directory_organization_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("id", name="pk_directory_organization"),
    )
    op.create_index("ix_directory_organization_tenant_id", "directory_organization", ["tenant_id"])
    op.create_table(
        "directory_service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("operation_type", sa.Text(), nullable=False),
        sa.Column("whole_country", sa.Boolean(), nullable=False),
        sa.Column("catchment_municipalities", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("target_groups", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("interventions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("threat_requirement", sa.Text(), nullable=False),
        sa.Column("accepts_serious_threat", sa.Boolean(), nullable=False),
        sa.Column("funding_rule", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(_SEARCH_VECTOR, persisted=True), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')",
            name="ck_directory_service_status_known",
        ),
        sa.CheckConstraint(_OPERATION_TYPES, name="ck_directory_service_operation_type_known"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["directory_organization.id"],
            name="fk_directory_service_organization_id_directory_organization",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_directory_service_tenant_id_tenant"),
        sa.PrimaryKeyConstraint("id", name="pk_directory_service"),
    )
    op.create_index("ix_directory_service_organization_id", "directory_service", ["organization_id"])
    op.create_index("ix_directory_service_tenant_id", "directory_service", ["tenant_id"])
    op.create_index("ix_directory_service_verified_on", "directory_service", ["verified_on"])
    op.create_index("ix_directory_service_search", "directory_service", ["search"], postgresql_using="gin")
    op.create_index(
        "ix_directory_service_catchment", "directory_service", ["catchment_municipalities"], postgresql_using="gin"
    )
    _published_table_policies("directory_organization")
    _published_table_policies("directory_service")

    op.create_table(
        "directory_revision",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("previous", postgresql.JSONB(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.CheckConstraint("subject IN ('organization', 'service')", name="ck_directory_revision_subject_known"),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="ck_directory_revision_status_known"
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)",
            name="ck_directory_revision_reviewed_when_decided",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_directory_revision_tenant_id_tenant"),
        sa.ForeignKeyConstraint(["submitted_by"], ["app_user.id"], name="fk_directory_revision_submitted_by_app_user"),
        sa.ForeignKeyConstraint(["reviewed_by"], ["app_user.id"], name="fk_directory_revision_reviewed_by_app_user"),
        sa.PrimaryKeyConstraint("id", name="pk_directory_revision"),
    )
    op.create_index("ix_directory_revision_tenant_id", "directory_revision", ["tenant_id"])
    op.create_index("ix_directory_revision_subject_id", "directory_revision", ["subject_id"])
    op.create_index("ix_directory_revision_queue", "directory_revision", ["status", "submitted_at"])
    op.create_index(
        "uq_directory_revision_pending",
        "directory_revision",
        ["subject_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    tenant_scoped_table("directory_revision")
    op.execute(
        f"CREATE POLICY reviewer_decides ON directory_revision FOR ALL USING ({_REVIEWER}) WITH CHECK ({_REVIEWER})"
    )
    grant_runtime("directory_revision", "SELECT, INSERT, UPDATE (status, reviewed_by, reviewed_at, review_note)")

    op.create_table(
        "directory_reminder",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_directory_reminder_tenant_id_tenant"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["directory_service.id"], name="fk_directory_reminder_service_id_directory_service"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_directory_reminder"),
    )
    op.create_index("ix_directory_reminder_tenant_id", "directory_reminder", ["tenant_id"])
    op.create_index("uq_directory_reminder_service_period", "directory_reminder", ["service_id", "period"], unique=True)
    tenant_scoped_table("directory_reminder")
    grant_runtime("directory_reminder", "SELECT, INSERT")

    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(permissions, [{"role": r, "obj": o, "act": a, "description": d} for r, o, a, d in _ROLE_PERMISSIONS])


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE obj = 'directory' AND act IN ('search', 'review')")
    op.drop_table("directory_reminder")
    op.drop_table("directory_revision")
    op.drop_table("directory_service")
    op.drop_table("directory_organization")

"""The guidance line: contacts and referrals, and who may receive referrals.

Contacts are the line's own (tenant policy). A referral is the line's row; the tenant it is
sent to may read it and record that it opened and decided (column grants limit what). Free
text is refused by CHECK constraints when it contains a personal identity number.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, tenant_scoped_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TARGET = "target_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_INTERVENTIONS = (
    "guidance", "threat_assessment", "protection", "emergency_housing", "supported_housing", "relocation",
    "contact_person", "conversational_support", "practical_support", "financial_aid", "addiction_care",
    "medical_assessment", "therapy", "influence_programme", "occupation", "education", "long_term_housing",
    "debt_counselling", "social_network", "family_support", "protected_identity",
)  # fmt: skip
_TARGET_GROUPS = (
    "mc_gang", "neighbourhood_group", "white_power", "violent_extremism", "honour_context", "family_based",
    "other_criminal_group", "relatives",
)  # fmt: skip
_OUTCOMES = ("information_given", "referred", "callback_requested", "advised_to_call_112", "out_of_scope", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _all_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} <@ ARRAY[{', '.join(repr(value) for value in values)}]::text[]"


def upgrade() -> None:
    op.create_table(
        "line_contact",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("caller_type", sa.Text(), nullable=False),
        sa.Column("professional_kind", sa.Text(), nullable=True),
        sa.Column("county_code", sa.String(2), nullable=True),
        sa.Column("target_group", sa.Text(), nullable=True),
        sa.Column("threat_level", sa.Text(), server_default=sa.text("'none'"), nullable=False),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("outcomes", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("guidance_notes", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("notes_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            _in("channel", ("phone", "text_message", "email", "chat")), name="ck_line_contact_channel_known"
        ),
        sa.CheckConstraint(
            _in("caller_type", ("person", "relative", "professional", "other")),
            name="ck_line_contact_caller_type_known",
        ),
        sa.CheckConstraint(
            "professional_kind IS NULL OR ("
            + _in(
                "professional_kind",
                ("social_services", "police", "prison_and_probation", "school", "health_care", "other"),
            )
            + ")",
            name="ck_line_contact_professional_kind_known",
        ),
        sa.CheckConstraint(
            f"target_group IS NULL OR ({_in('target_group', _TARGET_GROUPS)})",
            name="ck_line_contact_target_group_known",
        ),
        sa.CheckConstraint(
            _in("threat_level", ("none", "latent", "serious")), name="ck_line_contact_threat_level_known"
        ),
        sa.CheckConstraint(_all_in("needs", _INTERVENTIONS), name="ck_line_contact_needs_known"),
        sa.CheckConstraint(_all_in("outcomes", _OUTCOMES), name="ck_line_contact_outcomes_known"),
        sa.CheckConstraint(
            "NOT contains_personal_identity_number(guidance_notes)",
            name="ck_line_contact_notes_without_personal_numbers",
        ),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ck_line_contact_ends_after_start"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_line_contact_tenant_id_tenant"),
        sa.ForeignKeyConstraint(["operator_id"], ["app_user.id"], name="fk_line_contact_operator_id_app_user"),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"], name="fk_line_contact_county_code_county"),
        sa.PrimaryKeyConstraint("id", name="pk_line_contact"),
    )
    op.create_index("ix_line_contact_tenant_started", "line_contact", ["tenant_id", "started_at"])
    tenant_scoped_table("line_contact")
    grant_runtime("line_contact", "SELECT, INSERT, UPDATE")

    op.create_table(
        "line_referral",
        sa.Column("id", sa.Uuid(), server_default=sa.func.gen_random_uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("target_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("shared_information", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("safe_contact", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'sent'"), nullable=False),
        sa.Column("decision_reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("sent_by", sa.Uuid(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            _in("status", ("sent", "opened", "accepted", "declined")), name="ck_line_referral_status_known"
        ),
        sa.CheckConstraint("consent_given", name="ck_line_referral_only_with_consent"),
        sa.CheckConstraint("target_tenant_id <> tenant_id", name="ck_line_referral_to_another_tenant"),
        sa.CheckConstraint(
            "NOT contains_personal_identity_number(shared_information)",
            name="ck_line_referral_shared_without_personal_numbers",
        ),
        sa.CheckConstraint(
            "NOT contains_personal_identity_number(safe_contact)",
            name="ck_line_referral_contact_without_personal_numbers",
        ),
        sa.CheckConstraint(
            "NOT contains_personal_identity_number(decision_reason)",
            name="ck_line_referral_reason_without_personal_numbers",
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR decision_reason <> ''", name="ck_line_referral_declined_with_reason"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_line_referral_tenant_id_tenant"),
        sa.ForeignKeyConstraint(["contact_id"], ["line_contact.id"], name="fk_line_referral_contact_id_line_contact"),
        sa.ForeignKeyConstraint(["target_tenant_id"], ["tenant.id"], name="fk_line_referral_target_tenant_id_tenant"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["directory_service.id"], name="fk_line_referral_service_id_directory_service"
        ),
        sa.ForeignKeyConstraint(["sent_by"], ["app_user.id"], name="fk_line_referral_sent_by_app_user"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name="fk_line_referral_decided_by_app_user"),
        sa.PrimaryKeyConstraint("id", name="pk_line_referral"),
    )
    op.create_index("ix_line_referral_tenant_id", "line_referral", ["tenant_id"])
    op.create_index("ix_line_referral_contact_id", "line_referral", ["contact_id"])
    op.create_index("ix_line_referral_target", "line_referral", ["target_tenant_id", "status"])
    tenant_scoped_table("line_referral")
    op.execute(f"CREATE POLICY receiver_reads ON line_referral FOR SELECT USING ({_TARGET})")
    op.execute(f"CREATE POLICY receiver_decides ON line_referral FOR UPDATE USING ({_TARGET}) WITH CHECK ({_TARGET})")
    grant_runtime(
        "line_referral",
        "SELECT, INSERT, UPDATE (status, decision_reason, opened_at, decided_at, decided_by, escalated_at)",
    )

    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [
            {
                "role": "case_officer",
                "obj": "referral",
                "act": "receive",
                "description": "Ta emot remisser från stödlinjen: öppna, acceptera eller avböja",
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE obj = 'referral' AND act = 'receive'")
    op.drop_table("line_referral")
    op.drop_table("line_contact")

"""Cases: the person (sealed), team, consent and its grants, threat assessments, plan and follow-ups.

Every table has forced row-level security. A case's content is seen by its team only
(`case_access`): the owner's team for everything, an organisation named by a running consent
for the categories it names, and a unit head through a recorded emergency access. A grant's
validity is read at every statement, so revoking a consent, or reaching its end, cuts access
at once. A closed case whose retention has run out can have its identity erased
(`case_expired`), and nothing else can delete it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import TENANT_PREDICATE, grant_runtime, runtime_role, tenant_scoped_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid"

# Written out rather than imported, so that this migration never changes after the fact.
_FUNCTIONS = f"""
CREATE FUNCTION case_shared(p_case uuid, p_category text, p_write boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_grant g
        WHERE g.case_id = p_case AND g.tenant_id = {_TENANT}
          AND p_category = ANY (g.categories) AND (g.contributes OR NOT p_write)
          AND g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until
    )
$$;

CREATE FUNCTION case_access(p_case uuid, p_category text, p_write boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_team t
        WHERE t.case_id = p_case AND t.user_id = {_USER} AND t.tenant_id = {_TENANT}
          AND (
              EXISTS (SELECT 1 FROM case_file c WHERE c.id = p_case AND c.tenant_id = t.tenant_id)
              OR (p_category IS NOT NULL AND case_shared(p_case, p_category, p_write))
          )
    ) OR EXISTS (
        SELECT 1 FROM case_emergency_access e
        WHERE e.case_id = p_case AND e.user_id = {_USER} AND e.tenant_id = {_TENANT} AND now() < e.expires_at
    )
$$;

CREATE FUNCTION case_expired(p_case uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_file c
        LEFT JOIN case_settings s ON s.tenant_id = c.tenant_id
        WHERE c.id = p_case AND c.tenant_id = {_TENANT} AND c.closed_at IS NOT NULL
          AND c.last_entry_at < now() - make_interval(years => coalesce(s.retention_years, 5))
    )
$$;
"""
_TARGET_GROUPS = (
    "mc_gang",
    "neighbourhood_group",
    "white_power",
    "violent_extremism",
    "honour_context",
    "family_based",
    "other_criminal_group",
    "relatives",
)
_CONTACT_SOURCES = (
    "person",
    "relative",
    "police",
    "prison_and_probation",
    "guidance_line",
    "other",
)
_END_REASONS = (
    "person_withdrew",
    "returned_to_crime",
    "no_contact",
    "moved_abroad",
    "transferred",
    "died",
    "other",
    "relapse",
)
_PHASES = (
    "draft",
    "acute",
    "stabilising",
    "long_term",
    "completed",
    "ended_early",
)
_PROTECTION_LEVELS = (
    "none",
    "confidentiality_marking",
    "registered_elsewhere",
    "fictitious_identity",
)
_TEAM_ROLES = (
    "responsible",
    "deputy",
    "member",
)
_AREA_KINDS = (
    "municipality",
    "county",
    "police_region",
)
_THREAT_LEVELS = (
    "none",
    "latent",
    "serious",
)
_THREAT_SCOPES = (
    "local",
    "regional",
    "national",
)
_INTERVENTIONS = (
    "guidance",
    "threat_assessment",
    "protection",
    "emergency_housing",
    "supported_housing",
    "relocation",
    "contact_person",
    "conversational_support",
    "practical_support",
    "financial_aid",
    "addiction_care",
    "medical_assessment",
    "therapy",
    "influence_programme",
    "occupation",
    "education",
    "long_term_housing",
    "debt_counselling",
    "social_network",
    "family_support",
    "protected_identity",
)
_INTERVENTION_STATUSES = (
    "planned",
    "ongoing",
    "done",
    "cancelled",
)
_CATEGORIES = ("identity", "threat_assessment", "action_plan", "housing", "follow_up")  # fmt: skip


def _in(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    check = f"{column} IN ({', '.join(repr(value) for value in values)})"
    return f"{column} IS NULL OR ({check})" if nullable else check


def _all_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} <@ ARRAY[{', '.join(repr(value) for value in values)}]::text[]"


_SIGNATURES = ("case_shared(uuid, text, boolean)", "case_access(uuid, text, boolean)", "case_expired(uuid)")

_OWNER_TEAM = f"tenant_id = {_TENANT} AND case_access(case_id, NULL, false)"
_EXPIRED = f"tenant_id = {_TENANT} AND case_expired(case_id)"
_ERASED = "document_sealed IS NULL AND purpose = '' AND witnessed_by = ''"


def _forced(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def _policies(table: str, *policies: str) -> None:
    _forced(table)
    for number, policy in enumerate(policies, start=1):
        op.execute(f"CREATE POLICY {table}_{number} ON {table} {policy}")


def upgrade() -> None:
    _tables()
    _security()
    _unit_head_role()


def _unit_head_role() -> None:
    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [
            {
                "role": "case_unit_head",
                "obj": "case",
                "act": "oversee",
                "description": "Se organisationens ärendelista utan identiteter, fördela ärenden och öppna ett ärende"
                " i nödläge",
            },
            {
                "role": "case_unit_head",
                "obj": "case",
                "act": "read",
                "description": "Läsa den egna organisationens ärenden",
            },
        ],
    )


def _tables() -> None:
    op.create_table(
        "case_file",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Text(), server_default=sa.text("'draft'"), nullable=False),
        sa.Column("contact_source", sa.Text(), nullable=False),
        sa.Column("affiliation", sa.Text(), nullable=True),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("police_lead", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_entry_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(phase IN ('completed', 'ended_early')) = (closed_at IS NOT NULL)",
            name=op.f("ck_case_file_closed_exactly_when_ended"),
        ),
        sa.CheckConstraint(
            _in("affiliation", _TARGET_GROUPS, nullable=True),
            name=op.f("ck_case_file_affiliation_known"),
        ),
        sa.CheckConstraint(
            _in("contact_source", _CONTACT_SOURCES),
            name=op.f("ck_case_file_contact_source_known"),
        ),
        sa.CheckConstraint(
            _in("end_reason", _END_REASONS, nullable=True),
            name=op.f("ck_case_file_end_reason_known"),
        ),
        sa.CheckConstraint(
            _all_in("needs", _INTERVENTIONS),
            name=op.f("ck_case_file_needs_known"),
        ),
        sa.CheckConstraint(
            _in("phase", _PHASES),
            name=op.f("ck_case_file_phase_known"),
        ),
        sa.ForeignKeyConstraint(["opened_by"], ["app_user.id"], name=op.f("fk_case_file_opened_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_file_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_case_file_referral_id")),
        sa.UniqueConstraint("tenant_id", "year", "seq", name=op.f("uq_case_file_tenant_id_year_seq")),
    )
    op.create_index("ix_case_file_tenant_phase", "case_file", ["tenant_id", "phase"], unique=False)
    op.create_table(
        "case_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("retention_years", sa.SmallInteger(), server_default=sa.text("5"), nullable=False),
        sa.Column(
            "follow_up_months",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{6,12,24,36,60,96}'::integer[]"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cardinality(follow_up_months) BETWEEN 1 AND 12"
            " AND 0 < ALL(follow_up_months) AND 240 >= ALL(follow_up_months)",
            name=op.f("ck_case_settings_follow_up_months_sensible"),
        ),
        sa.CheckConstraint("retention_years BETWEEN 1 AND 30", name=op.f("ck_case_settings_retention_years_sensible")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_settings_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_case_settings")),
    )
    op.create_table(
        "case_consent",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("organisations", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("contributors", postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'::uuid[]"), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("witnessed_by", sa.Text(), nullable=False),
        sa.Column("document_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("document_type", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            _all_in("categories", _CATEGORIES),
            name=op.f("ck_case_consent_categories_known"),
        ),
        sa.CheckConstraint(
            "(document_sealed IS NULL) = (document_type IS NULL)", name=op.f("ck_case_consent_document_with_type")
        ),
        sa.CheckConstraint("cardinality(categories) > 0", name=op.f("ck_case_consent_names_a_category")),
        sa.CheckConstraint("cardinality(organisations) > 0", name=op.f("ck_case_consent_names_an_organisation")),
        sa.CheckConstraint("contributors <@ organisations", name=op.f("ck_case_consent_contributors_are_named")),
        sa.CheckConstraint("octet_length(document_sealed) <= 5242944", name=op.f("ck_case_consent_document_size")),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_case_consent_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_consent_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_case_consent_recorded_by_app_user")),
        sa.ForeignKeyConstraint(["revoked_by"], ["app_user.id"], name=op.f("fk_case_consent_revoked_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_consent_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_consent")),
    )
    op.create_index(op.f("ix_case_consent_case_id"), "case_consent", ["case_id"], unique=False)
    op.create_table(
        "case_emergency_access",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("expires_at > opened_at", name=op.f("ck_case_emergency_access_expires_after_opening")),
        sa.CheckConstraint("length(reason) BETWEEN 10 AND 500", name=op.f("ck_case_emergency_access_reason_given")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_emergency_access_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_emergency_access_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_case_emergency_access_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_emergency_access")),
    )
    op.create_index("ix_case_emergency_access_person", "case_emergency_access", ["case_id", "user_id"], unique=False)
    op.create_table(
        "case_follow_up",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("months_after", sa.SmallInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(done_at IS NULL) = (answers IS NULL)", name=op.f("ck_case_follow_up_done_with_answers")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_follow_up_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["done_by"], ["app_user.id"], name=op.f("fk_case_follow_up_done_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_follow_up_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_follow_up")),
        sa.UniqueConstraint("case_id", "months_after", name=op.f("uq_case_follow_up_case_id_months_after")),
    )
    op.create_index(
        "ix_case_follow_up_due",
        "case_follow_up",
        ["tenant_id", "due_on"],
        unique=False,
        postgresql_where=sa.text("done_at IS NULL"),
    )
    op.create_table(
        "case_meeting",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("person_took_part", sa.Boolean(), nullable=False),
        sa.Column("organisations", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_meeting_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_case_meeting_recorded_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_meeting_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_meeting")),
    )
    op.create_index(op.f("ix_case_meeting_case_id"), "case_meeting", ["case_id"], unique=False)
    op.create_table(
        "case_person",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("initials", sa.String(length=4), nullable=False),
        sa.Column("protected_identity", sa.Text(), server_default=sa.text("'none'"), nullable=False),
        sa.Column("identity_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("address_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("intake_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "protected_identity = 'none' OR address_sealed IS NULL",
            name=op.f("ck_case_person_no_address_when_protected"),
        ),
        sa.CheckConstraint(
            _in("protected_identity", _PROTECTION_LEVELS),
            name=op.f("ck_case_person_protected_identity_known"),
        ),
        sa.CheckConstraint(
            "erased_at IS NULL OR (identity_sealed IS NULL AND address_sealed IS NULL)",
            name=op.f("ck_case_person_erased"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_person_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_person_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_person")),
    )
    op.create_table(
        "case_phase_change",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("from_phase", sa.Text(), nullable=True),
        sa.Column("to_phase", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            _in("from_phase", _PHASES, nullable=True),
            name=op.f("ck_case_phase_change_from_phase_known"),
        ),
        sa.CheckConstraint(
            _in("reason", _END_REASONS, nullable=True),
            name=op.f("ck_case_phase_change_reason_known"),
        ),
        sa.CheckConstraint(
            _in("to_phase", _PHASES),
            name=op.f("ck_case_phase_change_to_phase_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_phase_change_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["changed_by"], ["app_user.id"], name=op.f("fk_case_phase_change_changed_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_phase_change_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_phase_change")),
    )
    op.create_index(op.f("ix_case_phase_change_case_id"), "case_phase_change", ["case_id"], unique=False)
    op.create_table(
        "case_team",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(_in("role", _TEAM_ROLES), name=op.f("ck_case_team_role_known")),
        sa.ForeignKeyConstraint(["added_by"], ["app_user.id"], name=op.f("fk_case_team_added_by_app_user")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_team_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["membership.tenant_id", "membership.user_id"],
            name=op.f("fk_case_team_tenant_id_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_team_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_team")),
    )
    op.create_index("ix_case_team_person", "case_team", ["tenant_id", "user_id"], unique=False)
    op.create_index(
        "uq_case_team_responsible",
        "case_team",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("role = 'responsible'"),
    )
    op.create_table(
        "case_threat_assessment",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("police_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("area_kind", sa.Text(), nullable=True),
        sa.Column("areas", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("active_in_crime", sa.Boolean(), nullable=True),
        sa.Column("suspected_of_serious_crime", sa.Boolean(), nullable=True),
        sa.Column("police_lead", sa.Boolean(), nullable=True),
        sa.Column("reassess_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            _in("area_kind", _AREA_KINDS, nullable=True),
            name=op.f("ck_case_threat_assessment_area_kind_known"),
        ),
        sa.CheckConstraint(
            _in("level", _THREAT_LEVELS, nullable=True),
            name=op.f("ck_case_threat_assessment_level_known"),
        ),
        sa.CheckConstraint(
            "scope IS DISTINCT FROM 'national' OR cardinality(areas) = 0",
            name=op.f("ck_case_threat_assessment_national_names_no_area"),
        ),
        sa.CheckConstraint(
            _in("scope", _THREAT_SCOPES, nullable=True),
            name=op.f("ck_case_threat_assessment_scope_known"),
        ),
        sa.CheckConstraint(
            "(recorded_at IS NULL) = (level IS NULL AND scope IS NULL)",
            name=op.f("ck_case_threat_assessment_recorded_with_level_and_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_threat_assessment_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["police_tenant_id"], ["tenant.id"], name=op.f("fk_case_threat_assessment_police_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_case_threat_assessment_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["app_user.id"], name=op.f("fk_case_threat_assessment_requested_by_app_user")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_threat_assessment_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_threat_assessment")),
    )
    op.create_index(op.f("ix_case_threat_assessment_case_id"), "case_threat_assessment", ["case_id"], unique=False)
    op.create_index(
        "ix_case_threat_assessment_police", "case_threat_assessment", ["police_tenant_id", "recorded_at"], unique=False
    )
    op.create_table(
        "case_grant",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("contributes", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            _all_in("categories", _CATEGORIES),
            name=op.f("ck_case_grant_categories_known"),
        ),
        sa.CheckConstraint("tenant_id <> owner_tenant_id", name=op.f("ck_case_grant_to_another_organisation")),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_case_grant_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_grant_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["case_consent.id"], name=op.f("fk_case_grant_consent_id_case_consent"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["owner_tenant_id"], ["tenant.id"], name=op.f("fk_case_grant_owner_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_grant_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_grant")),
        sa.UniqueConstraint("consent_id", "tenant_id", name=op.f("uq_case_grant_consent_id_tenant_id")),
    )
    op.create_index("ix_case_grant_case", "case_grant", ["case_id"], unique=False)
    op.create_index("ix_case_grant_receiver", "case_grant", ["tenant_id", "case_id"], unique=False)
    op.create_table(
        "case_intervention",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("intervention", sa.Text(), nullable=False),
        sa.Column("responsible_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("planned_end_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'planned'"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            _in("intervention", _INTERVENTIONS),
            name=op.f("ck_case_intervention_intervention_known"),
        ),
        sa.CheckConstraint(_in("status", _INTERVENTION_STATUSES), name=op.f("ck_case_intervention_status_known")),
        sa.CheckConstraint(
            "planned_end_on IS NULL OR planned_end_on >= starts_on", name=op.f("ck_case_intervention_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_intervention_case_id_case_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["case_meeting.id"],
            name=op.f("fk_case_intervention_meeting_id_case_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_tenant_id"], ["tenant.id"], name=op.f("fk_case_intervention_responsible_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_case_intervention_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], name=op.f("fk_case_intervention_updated_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_intervention")),
    )
    op.create_index(op.f("ix_case_intervention_case_id"), "case_intervention", ["case_id"], unique=False)
    op.create_index(
        "ix_case_intervention_responsible", "case_intervention", ["responsible_tenant_id", "status"], unique=False
    )


def _security() -> None:
    op.execute(_FUNCTIONS)
    for signature in _SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
            .format(sql.SQL(signature), sql.Identifier(runtime_role()))
            .as_string()
        )

    tenant_scoped_table("case_settings")
    grant_runtime("case_settings", "SELECT, INSERT, UPDATE (retention_years, follow_up_months)")

    # The header: its own tenant, and an organisation a running consent names (any category).
    _policies(
        "case_file",
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})",
        "FOR SELECT USING (EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = case_file.id"
        f" AND g.tenant_id = {_TENANT} AND g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until))",
    )
    grant_runtime("case_file", "SELECT, INSERT, UPDATE")

    _policies(
        "case_person",
        "FOR SELECT USING (case_access(case_id, 'identity', false))",
        f"FOR INSERT WITH CHECK ({_OWNER_TEAM})",
        f"FOR UPDATE USING ({_OWNER_TEAM}) WITH CHECK ({_OWNER_TEAM})",
        f"FOR DELETE USING ({_EXPIRED})",
        # Erasing reads the rows it deletes.
        f"FOR SELECT USING ({_EXPIRED})",
    )
    grant_runtime("case_person", "SELECT, INSERT, UPDATE, DELETE")

    # Each organisation sees and writes its own people on a case it owns or is shared with.
    _policies(
        "case_team",
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE}"
        " AND EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_id))",
    )
    grant_runtime("case_team", "SELECT, INSERT, UPDATE (role), DELETE")

    _policies(
        "case_emergency_access",
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE}"
        f" AND EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_id AND c.tenant_id = {_TENANT}))",
    )
    grant_runtime("case_emergency_access", "SELECT, INSERT")

    _policies(
        "case_consent",
        f"USING ({_OWNER_TEAM}) WITH CHECK ({_OWNER_TEAM})",
        f"FOR UPDATE USING ({_EXPIRED}) WITH CHECK ({_EXPIRED} AND {_ERASED})",
        f"FOR SELECT USING ({_EXPIRED})",
    )
    grant_runtime(
        "case_consent",
        "SELECT, INSERT, UPDATE (revoked_at, revoked_by, purpose, witnessed_by, document_sealed, document_type)",
    )

    owner_of_grant = f"owner_tenant_id = {_TENANT} AND case_access(case_id, NULL, false)"
    _policies(
        "case_grant",
        f"FOR SELECT USING (owner_tenant_id = {_TENANT} OR tenant_id = {_TENANT})",
        f"FOR INSERT WITH CHECK ({owner_of_grant})",
        f"FOR UPDATE USING ({owner_of_grant}) WITH CHECK ({owner_of_grant})",
        # The job that tells both sides a sharing has ended marks the ended grants it told.
        f"FOR UPDATE USING (owner_tenant_id = {_TENANT} AND valid_until <= now())"
        f" WITH CHECK (owner_tenant_id = {_TENANT} AND valid_until <= now())",
    )
    grant_runtime("case_grant", "SELECT, INSERT, UPDATE (revoked_at, ended_notified_at)")

    police = f"police_tenant_id = {_TENANT}"
    _policies(
        "case_threat_assessment",
        "FOR SELECT USING (case_access(case_id, 'threat_assessment', false))",
        # The police see what they are asked for before anyone of theirs joins the case's team.
        f"FOR SELECT USING ({police} AND case_shared(case_id, 'threat_assessment', true))",
        f"FOR INSERT WITH CHECK ({_OWNER_TEAM})",
        f"FOR UPDATE USING ({police} AND case_access(case_id, 'threat_assessment', true))"
        f" WITH CHECK ({police} AND case_access(case_id, 'threat_assessment', true))",
    )
    grant_runtime(
        "case_threat_assessment",
        "SELECT, INSERT, UPDATE (level, scope, area_kind, areas, active_in_crime, suspected_of_serious_crime,"
        " police_lead, reassess_on, recorded_at, recorded_by)",
    )

    _policies(
        "case_meeting",
        "FOR SELECT USING (case_access(case_id, 'action_plan', false))",
        f"FOR INSERT WITH CHECK ({_OWNER_TEAM})",
    )
    grant_runtime("case_meeting", "SELECT, INSERT")

    responsible = f"responsible_tenant_id = {_TENANT} AND case_access(case_id, 'action_plan', false)"
    _policies(
        "case_intervention",
        "FOR SELECT USING (case_access(case_id, 'action_plan', false))",
        f"FOR INSERT WITH CHECK ({_OWNER_TEAM})",
        f"FOR UPDATE USING (({_OWNER_TEAM}) OR ({responsible})) WITH CHECK (({_OWNER_TEAM}) OR ({responsible}))",
    )
    grant_runtime("case_intervention", "SELECT, INSERT, UPDATE (status, planned_end_on, updated_at, updated_by)")

    _policies("case_phase_change", f"USING ({_OWNER_TEAM}) WITH CHECK ({_OWNER_TEAM})")
    grant_runtime("case_phase_change", "SELECT, INSERT")

    # Due dates are the tenant's (reminders, the unit head's overview); the answers are coded.
    _policies(
        "case_follow_up",
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})",
        "FOR SELECT USING (case_access(case_id, 'follow_up', false))",
    )
    grant_runtime(
        "case_follow_up", "SELECT, INSERT, UPDATE (due_on, answers, done_at, done_by, reminded_at, escalated_at)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE role = 'case_unit_head'")
    # The header's second policy reads the grants: it goes before they do.
    op.execute("DROP POLICY case_file_2 ON case_file")
    for table in (
        "case_follow_up",
        "case_phase_change",
        "case_intervention",
        "case_meeting",
        "case_threat_assessment",
        "case_grant",
        "case_consent",
        "case_emergency_access",
        "case_team",
        "case_person",
    ):
        op.drop_table(table)
    for signature in _SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
    op.drop_table("case_file")
    op.drop_table("case_settings")

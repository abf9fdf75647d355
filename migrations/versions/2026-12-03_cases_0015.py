"""Cases: the person (sealed), team, consent and its grants, threat assessments, plan and follow-ups.

Every table has forced row-level security. A case's content is seen by its team only
(`_access`): the owner's team for everything, an organisation named by a running consent
for the categories it names, and a unit head through a recorded emergency access. A grant's
validity is read at every statement, so revoking a consent, or reaching its end, cuts access
at once. A closed case whose retention has run out can have its identity erased
(`_expired`), and nothing else can delete it. Every row of a case carries its case's tenant
(a foreign key to case_file(id, tenant_id)), which the policies rely on.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, tenant_scoped_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# In a scalar subquery, each is read once per statement (an InitPlan) rather than once per row.
_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
_OWN = f"tenant_id = {_TENANT}"
_RUNNING = "g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until"
_UNIT_HEAD = (
    f"EXISTS (SELECT 1 FROM membership m WHERE m.tenant_id = {_TENANT} AND m.user_id = {_USER}"
    " AND 'case_unit_head' = ANY (m.roles))"
)
"""The person acting is a unit head of the tenant acted for (avhopp/tenants/cases/permissions.py)."""


def _on_team(table: str) -> str:
    """The person acting is on the team of the row's case, for the tenant acted for."""
    return (
        f"SELECT 1 FROM case_team t WHERE t.case_id = {table}.case_id AND t.user_id = {_USER}"
        f" AND t.tenant_id = {_TENANT}"
    )


def _shared(table: str, category: str, *, write: bool) -> str:
    """A running grant names the tenant acted for and the category (and lets it write, if asked)."""
    contributes = " AND g.contributes" if write else ""
    return (
        f"EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = {table}.case_id AND g.tenant_id = {_TENANT}"
        f" AND '{category}' = ANY (g.categories){contributes} AND {_RUNNING})"
    )


def _access(table: str, category: str | None, *, write: bool = False, tenant: str = "tenant_id") -> str:
    """Who may see (or write) a row of a case, in the category it belongs to.

    The owner's team (the row's tenant is its case's: the foreign key to case_file(id, tenant_id)
    makes sure), the team of an organisation a running grant names for the category, and whoever
    opened the case through an emergency access. Written out rather than a function the policies
    call, so that the planner reads the team once per statement instead of once per row: with a
    function, row-level security cost 5 to 10 times the same queries without it (README).
    """
    owner = f"({tenant} = {_TENANT} AND EXISTS ({_on_team(table)}))"
    shared = "" if category is None else f" OR EXISTS ({_on_team(table)} AND {_shared(table, category, write=write)})"
    emergency = (
        f" OR EXISTS (SELECT 1 FROM case_emergency_access e WHERE e.case_id = {table}.case_id"
        f" AND e.user_id = {_USER} AND e.tenant_id = {_TENANT} AND now() < e.expires_at)"
    )
    return f"({owner}{shared}{emergency})"


def _owner_team(table: str, tenant: str = "tenant_id") -> str:
    """The owner's team (or the emergency access of its tenant): who writes the case."""
    return f"({tenant} = {_TENANT} AND {_access(table, None, tenant=tenant)})"


def _expired(table: str) -> str:
    """The row's case is closed and its retention has run out: only then may its identity be erased."""
    return (
        f"({_OWN} AND EXISTS (SELECT 1 FROM case_file c LEFT JOIN case_settings s ON s.tenant_id = c.tenant_id"
        f" WHERE c.id = {table}.case_id AND c.closed_at IS NOT NULL"
        " AND c.last_entry_at < now() - make_interval(years => coalesce(s.retention_years, 5))))"
    )


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
    _unit_head()


def _unit_head() -> None:
    """The unit head's role (avhopp/tenants/cases/permissions.py), in the policy's template."""
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
        # A row of a case carries its case's tenant: the policies read the row's tenant_id as the case's.
        sa.UniqueConstraint("id", "tenant_id", name=op.f("uq_case_file_id_tenant_id")),
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_consent_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_emergency_access_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_follow_up_case_id_case_file"),
            ondelete="CASCADE",
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
    # The next open follow-up of each case in a list; without it the planner scans every open one.
    op.create_index(
        "ix_case_follow_up_open",
        "case_follow_up",
        ["case_id", "due_on"],
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_meeting_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_person_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_phase_change_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_threat_assessment_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "owner_tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_grant_case_id_case_file"),
            ondelete="CASCADE",
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
            ["case_id", "tenant_id"],
            ["case_file.id", "case_file.tenant_id"],
            name=op.f("fk_case_intervention_case_id_case_file"),
            ondelete="CASCADE",
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
    # One permissive policy per command, its cheapest condition first: PostgreSQL evaluates the
    # conditions of a policy in the order written, and stops at the first that holds.
    tenant_scoped_table("case_settings")
    grant_runtime("case_settings", "SELECT, INSERT, UPDATE (retention_years, follow_up_months)")

    # The header: its own tenant, and an organisation a running consent names (any category).
    _policies(
        "case_file",
        f"FOR SELECT USING ({_OWN} OR EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = case_file.id"
        f" AND g.tenant_id = {_TENANT} AND {_RUNNING}))",
        f"FOR INSERT WITH CHECK ({_OWN})",
        f"FOR UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime("case_file", "SELECT, INSERT, UPDATE")

    # Erasing reads the rows it deletes.
    person = _owner_team("case_person")
    _policies(
        "case_person",
        f"FOR SELECT USING ({_access('case_person', 'identity')} OR {_expired('case_person')})",
        f"FOR INSERT WITH CHECK ({person})",
        f"FOR UPDATE USING ({person}) WITH CHECK ({person})",
        f"FOR DELETE USING ({_expired('case_person')})",
    )
    grant_runtime("case_person", "SELECT, INSERT, UPDATE, DELETE")

    # Each organisation sees its own people on a case it owns or is shared with. Who changes a
    # team: its unit head; the officer who opens a case, while it is a draft; someone of an
    # organisation a running consent names, joining themselves.
    team_changer = (
        f"{_OWN} AND ({_UNIT_HEAD}"
        " OR EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_team.case_id AND c.tenant_id = case_team.tenant_id"
        f" AND c.phase = 'draft' AND c.opened_by = {_USER})"
        f" OR (case_team.user_id = {_USER} AND EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = case_team.case_id"
        f" AND g.tenant_id = {_TENANT} AND {_RUNNING})))"
    )
    _policies(
        "case_team",
        f"FOR SELECT USING ({_OWN})",
        f"FOR INSERT WITH CHECK ({team_changer})",
        f"FOR UPDATE USING ({team_changer}) WITH CHECK ({team_changer})",
        f"FOR DELETE USING ({team_changer})",
    )
    grant_runtime("case_team", "SELECT, INSERT, UPDATE (role), DELETE")

    # Only a unit head opens a case in an emergency, for themselves, in a case of their tenant.
    _policies(
        "case_emergency_access",
        f"USING ({_OWN}) WITH CHECK ({_OWN} AND user_id = {_USER} AND {_UNIT_HEAD}"
        " AND EXISTS (SELECT 1 FROM case_file c WHERE c.id = case_emergency_access.case_id"
        f" AND c.tenant_id = {_TENANT}))",
    )
    grant_runtime("case_emergency_access", "SELECT, INSERT")

    consent = _owner_team("case_consent")
    expired = _expired("case_consent")
    _policies(
        "case_consent",
        f"FOR SELECT USING ({consent} OR {expired})",
        f"FOR INSERT WITH CHECK ({consent})",
        f"FOR UPDATE USING ({consent} OR {expired}) WITH CHECK ({consent} OR ({expired} AND {_ERASED}))",
    )
    grant_runtime(
        "case_consent",
        "SELECT, INSERT, UPDATE (revoked_at, revoked_by, purpose, witnessed_by, document_sealed, document_type)",
    )

    owner_of_grant = _owner_team("case_grant", "owner_tenant_id")
    # The job that tells both sides a sharing has ended marks the ended grants it told.
    ended = f"(owner_tenant_id = {_TENANT} AND valid_until <= now())"
    _policies(
        "case_grant",
        f"FOR SELECT USING (owner_tenant_id = {_TENANT} OR {_OWN})",
        f"FOR INSERT WITH CHECK ({owner_of_grant})",
        f"FOR UPDATE USING ({owner_of_grant} OR {ended}) WITH CHECK ({owner_of_grant} OR {ended})",
    )
    grant_runtime("case_grant", "SELECT, INSERT, UPDATE (revoked_at, ended_notified_at)")

    police = f"police_tenant_id = {_TENANT}"
    police_records = f"({police} AND {_access('case_threat_assessment', 'threat_assessment', write=True)})"
    _policies(
        "case_threat_assessment",
        # The police see what they are asked for before anyone of theirs joins the case's team.
        f"FOR SELECT USING ({_access('case_threat_assessment', 'threat_assessment')}"
        f" OR ({police} AND {_shared('case_threat_assessment', 'threat_assessment', write=True)}))",
        f"FOR INSERT WITH CHECK ({_owner_team('case_threat_assessment')})",
        f"FOR UPDATE USING ({police_records}) WITH CHECK ({police_records})",
    )
    grant_runtime(
        "case_threat_assessment",
        "SELECT, INSERT, UPDATE (level, scope, area_kind, areas, active_in_crime, suspected_of_serious_crime,"
        " police_lead, reassess_on, recorded_at, recorded_by)",
    )

    _policies(
        "case_meeting",
        f"FOR SELECT USING ({_access('case_meeting', 'action_plan')})",
        f"FOR INSERT WITH CHECK ({_owner_team('case_meeting')})",
    )
    grant_runtime("case_meeting", "SELECT, INSERT")

    plan = _owner_team("case_intervention")
    responsible = f"(responsible_tenant_id = {_TENANT} AND {_access('case_intervention', 'action_plan')})"
    _policies(
        "case_intervention",
        f"FOR SELECT USING ({_access('case_intervention', 'action_plan')})",
        f"FOR INSERT WITH CHECK ({plan})",
        f"FOR UPDATE USING ({plan} OR {responsible}) WITH CHECK ({plan} OR {responsible})",
    )
    grant_runtime("case_intervention", "SELECT, INSERT, UPDATE (status, planned_end_on, updated_at, updated_by)")

    phases = _owner_team("case_phase_change")
    _policies("case_phase_change", f"USING ({phases}) WITH CHECK ({phases})")
    grant_runtime("case_phase_change", "SELECT, INSERT")

    # Due dates are the tenant's (reminders, the unit head's overview); the answers are coded.
    _policies(
        "case_follow_up",
        f"FOR SELECT USING ({_OWN} OR {_access('case_follow_up', 'follow_up')})",
        f"FOR INSERT WITH CHECK ({_OWN})",
        f"FOR UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime(
        "case_follow_up", "SELECT, INSERT, UPDATE (due_on, answers, done_at, done_by, reminded_at, escalated_at)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE role = 'case_unit_head'")
    tables = (
        "case_follow_up",
        "case_phase_change",
        "case_intervention",
        "case_meeting",
        "case_threat_assessment",
        "case_team",
        "case_emergency_access",
        "case_person",
        "case_grant",
        "case_consent",
        "case_file",
        "case_settings",
    )
    # The policies read one another's tables: they all go before any table does.
    listed = ", ".join(f"'{table}'" for table in tables)
    op.execute(
        "DO $$ DECLARE p record; BEGIN"
        " FOR p IN SELECT policyname, tablename FROM pg_policies"
        f" WHERE schemaname = 'public' AND tablename IN ({listed})"
        " LOOP EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename); END LOOP; END $$"
    )
    for table in tables:
        op.drop_table(table)

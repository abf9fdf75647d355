"""The cases part's tables.

A case's identity, content and documents are seen only by its team (row-level security asks
the policies of migration 0015), by the team's emergency access, and by the team of an
organisation that a running consent names, for the categories it names. The case's header
(number, phase, dates) has no identity in it: its own tenant sees it for the unit head's
overview, and an organisation named by a running consent sees it too.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base, all_of, one_of
from avhopp.platform.sealing import sealed_column
from avhopp.tenants.cases.vocabulary import (
    AreaKind,
    Category,
    ContactSource,
    EndReason,
    Intervention,
    InterventionStatus,
    Phase,
    ProtectedIdentity,
    TargetGroup,
    TeamRole,
    ThreatLevel,
    ThreatScope,
)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
IDENTITY_PURPOSE = "avhopp.cases.identity"
ADDRESS_PURPOSE = "avhopp.cases.address"
INTAKE_PURPOSE = "avhopp.cases.intake"
DOCUMENT_PURPOSE = "avhopp.cases.consent_document"


class CaseSettings(Base):
    """A tenant's choices for its cases: when follow-ups fall due and how long identities are kept."""

    __tablename__ = "case_settings"
    __table_args__ = (
        CheckConstraint("retention_years BETWEEN 1 AND 30", name="retention_years_sensible"),
        CheckConstraint(
            "cardinality(follow_up_months) BETWEEN 1 AND 12 AND 0 < ALL(follow_up_months)"
            " AND 240 >= ALL(follow_up_months)",
            name="follow_up_months_sensible",
        ),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    retention_years: Mapped[int] = mapped_column(SmallInteger, server_default=text("5"))
    follow_up_months: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), server_default=text("'{6,12,24,36,60,96}'::integer[]")
    )


class CaseFile(Base):
    """A case's header: its number, phase and dates, and the coded facts statistics keep after erasure."""

    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "seq"),
        # Every row of a case carries the case's tenant (a foreign key to both), which the policies rely on.
        UniqueConstraint("id", "tenant_id"),
        CheckConstraint(one_of("phase", Phase), name="phase_known"),
        CheckConstraint(one_of("contact_source", ContactSource), name="contact_source_known"),
        CheckConstraint(f"affiliation IS NULL OR ({one_of('affiliation', TargetGroup)})", name="affiliation_known"),
        CheckConstraint(all_of("needs", Intervention), name="needs_known"),
        CheckConstraint(f"end_reason IS NULL OR ({one_of('end_reason', EndReason)})", name="end_reason_known"),
        CheckConstraint(
            "(phase IN ('completed', 'ended_early')) = (closed_at IS NOT NULL)", name="closed_exactly_when_ended"
        ),
        Index("ix_case_file_tenant_phase", "tenant_id", "phase"),
        CheckConstraint("(intake_answers IS NULL) = (intake_version IS NULL)", name="intake_answers_with_schema"),
        # The statistics copy finds a day's changed cases by this.
        Index("ix_case_file_tenant_last_entry", "tenant_id", "last_entry_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(Text, server_default=text("'draft'"))
    contact_source: Mapped[str] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    intake_answers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    """The coded situation at intake (the national record's intake questions)."""
    intake_version: Mapped[int | None] = mapped_column(SmallInteger)
    """The version of the record `intake_answers` follow."""
    end_reason: Mapped[str | None] = mapped_column(Text)
    referral_id: Mapped[UUID | None] = mapped_column(unique=True)
    """The guidance line's referral the case came from, if any."""
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    opened_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    started_on: Mapped[date | None] = mapped_column(Date)
    """When the work began (intake done); follow-ups are counted from it."""
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_entry_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CasePerson(Base):
    """Who the case is about, sealed: only the team (and a consent's identity category) opens it."""

    __tablename__ = "case_person"
    __table_args__ = (
        CheckConstraint(one_of("protected_identity", ProtectedIdentity), name="protected_identity_known"),
        # With a protected identity no address is stored at all.
        CheckConstraint("protected_identity = 'none' OR address_sealed IS NULL", name="no_address_when_protected"),
        CheckConstraint("erased_at IS NULL OR (identity_sealed IS NULL AND address_sealed IS NULL)", name="erased"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
    )

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    initials: Mapped[str] = mapped_column(String(4))
    protected_identity: Mapped[str] = mapped_column(Text, server_default=text("'none'"))
    identity_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(IDENTITY_PURPOSE, "case_id"))
    """Name, personnummer, phone and a safe way to reach them (JSON, AES-GCM, bound to the case)."""
    address_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(ADDRESS_PURPOSE, "case_id"))
    intake_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(INTAKE_PURPOSE, "case_id"))
    """The current situation and motivation, in the officer's words."""
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseTeamMember(Base):
    """A person on a case's team, for their own organisation (the case's or one a consent names).

    Leaving the organisation ends the membership, and with it every team place (the foreign key
    to the membership cascades).
    """

    __tablename__ = "case_team"
    __table_args__ = (
        CheckConstraint(one_of("role", TeamRole), name="role_known"),
        ForeignKeyConstraint(["case_id"], ["case_file.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["membership.tenant_id", "membership.user_id"], ondelete="CASCADE"
        ),
        Index("ix_case_team_person", "tenant_id", "user_id"),
        # One responsible officer per case.
        Index("uq_case_team_responsible", "case_id", unique=True, postgresql_where=text("role = 'responsible'")),
    )

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    role: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    added_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class EmergencyAccess(Base):
    """A unit head's recorded access to a case outside its team, with a reason, for a few hours."""

    __tablename__ = "case_emergency_access"
    __table_args__ = (
        CheckConstraint("length(reason) BETWEEN 10 AND 500", name="reason_given"),
        CheckConstraint("expires_at > opened_at", name="expires_after_opening"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
        Index("ix_case_emergency_access_person", "case_id", "user_id"),
        # A person's live emergency accesses, which the case tables' policies read (0048).
        Index("ix_case_emergency_access_live", "tenant_id", "user_id", "expires_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Consent(Base):
    """The person's written consent to share named categories with named organisations."""

    __tablename__ = "case_consent"
    __table_args__ = (
        CheckConstraint("cardinality(organisations) > 0", name="names_an_organisation"),
        CheckConstraint("cardinality(categories) > 0", name="names_a_category"),
        CheckConstraint(all_of("categories", Category), name="categories_known"),
        CheckConstraint("contributors <@ organisations", name="contributors_are_named"),
        CheckConstraint("valid_until > valid_from", name="ends_after_start"),
        CheckConstraint(f"octet_length(document_sealed) <= {MAX_DOCUMENT_BYTES + 64}", name="document_size"),
        CheckConstraint("(document_sealed IS NULL) = (document_type IS NULL)", name="document_with_type"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    organisations: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid()))
    contributors: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid()), server_default=text("'{}'::uuid[]"))
    """The named organisations that may also write, not only read."""
    categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    purpose: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    """The first day it no longer applies."""
    witnessed_by: Mapped[str] = mapped_column(Text)
    document_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(DOCUMENT_PURPOSE, "id"))
    document_type: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class CaseGrant(Base):
    """What one consent lets one organisation see of one case, and until when.

    Row-level security reads the grant's validity at every statement: revoking it, or reaching
    its end, cuts access at once.
    """

    __tablename__ = "case_grant"
    __table_args__ = (
        UniqueConstraint("consent_id", "tenant_id"),
        CheckConstraint("tenant_id <> owner_tenant_id", name="to_another_organisation"),
        CheckConstraint(all_of("categories", Category), name="categories_known"),
        CheckConstraint("valid_until > valid_from", name="ends_after_start"),
        ForeignKeyConstraint(["consent_id"], ["case_consent.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["case_id", "owner_tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"
        ),
        Index("ix_case_grant_receiver", "tenant_id", "case_id"),
        Index("ix_case_grant_case", "case_id"),
        # The grants a tenant holds and has not had revoked, by end date (0048), with what the policies'
        # grant array reads of them, so that it is an index-only scan (0050); and those it gave (0048).
        Index(
            "ix_case_grant_live",
            "tenant_id",
            "valid_until",
            postgresql_include=["valid_from", "case_id", "owner_tenant_id"],
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_case_grant_owner", "owner_tenant_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    consent_id: Mapped[UUID] = mapped_column()
    case_id: Mapped[UUID] = mapped_column()
    owner_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The organisation the consent names."""
    categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    contributes: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When both sides were told that the grant reached its end date."""


class ThreatAssessment(Base):
    """The police's threat and risk assessment, asked for under consent and recorded by the police."""

    __tablename__ = "case_threat_assessment"
    __table_args__ = (
        CheckConstraint(f"level IS NULL OR ({one_of('level', ThreatLevel)})", name="level_known"),
        CheckConstraint(f"scope IS NULL OR ({one_of('scope', ThreatScope)})", name="scope_known"),
        CheckConstraint(f"area_kind IS NULL OR ({one_of('area_kind', AreaKind)})", name="area_kind_known"),
        CheckConstraint("scope IS DISTINCT FROM 'national' OR cardinality(areas) = 0", name="national_names_no_area"),
        CheckConstraint(
            "(recorded_at IS NULL) = (level IS NULL AND scope IS NULL)", name="recorded_with_level_and_scope"
        ),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
        Index("ix_case_threat_assessment_police", "police_tenant_id", "recorded_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    """The case's organisation."""
    police_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    requested_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    level: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(Text)
    area_kind: Mapped[str | None] = mapped_column(Text)
    areas: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    active_in_crime: Mapped[bool | None] = mapped_column(Boolean)
    suspected_of_serious_crime: Mapped[bool | None] = mapped_column(Boolean)
    police_lead: Mapped[bool | None] = mapped_column(Boolean)
    reassess_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class CooperationMeeting(Base):
    """A meeting with the person and the organisations concerned, which produces the action plan."""

    __tablename__ = "case_meeting"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    person_took_part: Mapped[bool] = mapped_column(Boolean)
    organisations: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid()))
    recorded_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PlannedIntervention(Base):
    """One intervention of the action plan and the organisation responsible for it."""

    __tablename__ = "case_intervention"
    __table_args__ = (
        CheckConstraint(one_of("intervention", Intervention), name="intervention_known"),
        CheckConstraint(one_of("status", InterventionStatus), name="status_known"),
        CheckConstraint("planned_end_on IS NULL OR planned_end_on >= starts_on", name="ends_after_start"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["meeting_id"], ["case_meeting.id"], ondelete="CASCADE"),
        Index("ix_case_intervention_responsible", "responsible_tenant_id", "status"),
        Index("ix_case_intervention_tenant_updated", "tenant_id", "updated_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column(index=True)
    meeting_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    intervention: Mapped[str] = mapped_column(Text)
    responsible_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, server_default=text("'planned'"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class PhaseChange(Base):
    """One step in a case's history of phases."""

    __tablename__ = "case_phase_change"
    __table_args__ = (
        CheckConstraint(f"from_phase IS NULL OR ({one_of('from_phase', Phase)})", name="from_phase_known"),
        CheckConstraint(one_of("to_phase", Phase), name="to_phase_known"),
        CheckConstraint(f"reason IS NULL OR ({one_of('reason', EndReason)})", name="reason_known"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    from_phase: Mapped[str | None] = mapped_column(Text)
    to_phase: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class FollowUp(Base):
    """One scheduled follow-up: when it falls due, and the short coded form once it is done."""

    __tablename__ = "case_follow_up"
    __table_args__ = (
        UniqueConstraint("case_id", "months_after"),
        # A draft may hold some answers; a closed follow-up holds its answers, their schema and its date.
        CheckConstraint(
            "done_at IS NULL OR (answers IS NOT NULL AND schema_version IS NOT NULL AND held_on IS NOT NULL)",
            name="done_with_answers",
        ),
        CheckConstraint("(answers IS NULL) = (schema_version IS NULL)", name="answers_with_schema"),
        ForeignKeyConstraint(["case_id", "tenant_id"], ["case_file.id", "case_file.tenant_id"], ondelete="CASCADE"),
        Index("ix_case_follow_up_due", "tenant_id", "due_on", postgresql_where=text("done_at IS NULL")),
        Index(
            "ix_case_follow_up_open",
            "case_id",
            "due_on",
            postgresql_include=["tenant_id"],
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    case_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    months_after: Mapped[int] = mapped_column(SmallInteger)
    due_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    schema_version: Mapped[int | None] = mapped_column(SmallInteger)
    """The version of the record the answers follow (avhopp.tenants.cases.follow_up_schema)."""
    held_on: Mapped[date | None] = mapped_column(Date)
    """When the follow-up was done (the day of the conversation), not when it was typed in."""
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When it was closed."""
    done_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StatisticsCase(Base):
    """One case as national statistics see it: coded facts under a pseudonym, no identity, no case number.

    The pseudonym is a keyed hash of the case's id (avhopp.tenants.cases.statistics) whose key the
    database never holds, so a row cannot be led back to its case from these tables. The reporting
    organisation is kept so each unit can later see its own figures beside the national ones.
    """

    __tablename__ = "followup_stat_case"
    __table_args__ = (
        CheckConstraint("length(pseudonym) = 64", name="pseudonym_is_a_digest"),
        Index("ix_followup_stat_case_tenant", "tenant_id"),
    )

    pseudonym: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The reporting organisation (never the person): the copy writes for it, and it alone."""
    key_id: Mapped[str] = mapped_column(Text)
    """Which key made the pseudonym: after a change of secret key the tenant's rows are copied again."""
    tenant_kind: Mapped[str] = mapped_column(Text)
    county_code: Mapped[str | None] = mapped_column(Text)
    municipality_code: Mapped[str | None] = mapped_column(Text)
    year_started: Mapped[int] = mapped_column(SmallInteger)
    contact_source: Mapped[str] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text))
    intake_version: Mapped[int | None] = mapped_column(SmallInteger)
    intake_answers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    interventions_received: Mapped[list[str]] = mapped_column(ARRAY(Text))
    """From the action plan: the interventions ongoing or done."""
    phase: Mapped[str] = mapped_column(Text)
    end_reason: Mapped[str | None] = mapped_column(Text)
    copied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StatisticsFollowUp(Base):
    """One follow-up point of a case in the statistics: due month, whether done on time, the coded answers."""

    __tablename__ = "followup_stat_point"
    __table_args__ = (
        ForeignKeyConstraint(["pseudonym"], ["followup_stat_case.pseudonym"], ondelete="CASCADE"),
        Index("ix_followup_stat_point_tenant", "tenant_id"),
    )

    pseudonym: Mapped[str] = mapped_column(Text, primary_key=True)
    months_after: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    due_month: Mapped[date] = mapped_column(Date)
    """The first day of the month it fell due: a day would help single a person out."""
    done: Mapped[bool] = mapped_column(Boolean)
    on_time: Mapped[bool] = mapped_column(Boolean)
    """Closed at most two weeks after its due date."""
    schema_version: Mapped[int | None] = mapped_column(SmallInteger)
    answers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    """Only a closed follow-up's: a draft is not a fact yet."""


class StatisticsTally(Base):
    """The statistics' counts for one tenant, as the overview sums them: kept by the copy, never rows of a case.

    `followup_tally_refresh()` (migration 0044) counts the acting tenant's statistics rows again after
    each copy that changed them; `followup_statistics()` then only sums these small rows, so the
    national overview costs the same at 100,000 cases as at 100. An open follow-up keeps its due
    month: whether it is missed depends on the day of the question.
    """

    __tablename__ = "followup_stat_tally"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        Index("ix_followup_stat_tally_tenant", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    dimension: Mapped[str] = mapped_column(Text)
    first: Mapped[str] = mapped_column(Text)
    second: Mapped[str] = mapped_column(Text)
    due_month: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int] = mapped_column(BigInteger)


class StatisticsMark(Base):
    """How far the copy to the statistics has come for one tenant, and under which key."""

    __tablename__ = "followup_stat_mark"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    copied_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(Text)

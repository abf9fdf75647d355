"""The guidance line's tables: contacts and referrals.

A contact has no column for a name, a personal identity number or a phone number: the
schema itself keeps the line anonymous. Free text is checked for personal identity numbers
in the application and again by a CHECK constraint (`contains_personal_identity_number`,
migration 0010). A referral is the line's row, readable by the tenant it is sent to, which
may only record that it opened and what it decided.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, SmallInteger, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel
from avhopp.directory.line.vocabulary import (
    AttemptOutcome,
    CallbackStatus,
    CallerType,
    Channel,
    Outcome,
    ProfessionalKind,
    ReferralStatus,
    Unanswered,
)
from avhopp.platform.models import Base, all_of, one_of
from avhopp.platform.sealing import sealed_column


def _no_personal_identity_number(column: str) -> str:
    return f"NOT contains_personal_identity_number({column})"


CALLBACK_NUMBER_PURPOSE = "avhopp.line.callback_number"


class Contact(Base):
    """One contact with the line: structured codes, and guidance notes that are erased after a while."""

    __tablename__ = "line_contact"
    __table_args__ = (
        CheckConstraint(one_of("channel", Channel), name="channel_known"),
        CheckConstraint(one_of("caller_type", CallerType), name="caller_type_known"),
        CheckConstraint(
            f"professional_kind IS NULL OR ({one_of('professional_kind', ProfessionalKind)})",
            name="professional_kind_known",
        ),
        CheckConstraint(
            f"target_group IS NULL OR ({one_of('target_group', [*TargetGroup, *Unanswered])})",
            name="target_group_known",
        ),
        CheckConstraint(
            f"threat_level IS NULL OR ({one_of('threat_level', [*ThreatLevel, *Unanswered])})",
            name="threat_level_known",
        ),
        CheckConstraint(
            f"county_answer IS NULL OR ({one_of('county_answer', Unanswered)})", name="county_answer_known"
        ),
        CheckConstraint("county_code IS NULL OR county_answer IS NULL", name="one_county_answer"),
        CheckConstraint(all_of("needs", [*Intervention, *Unanswered]), name="needs_known"),
        CheckConstraint(all_of("outcomes", Outcome), name="outcomes_known"),
        CheckConstraint(_no_personal_identity_number("guidance_notes"), name="notes_without_personal_numbers"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_line_contact_tenant_started", "tenant_id", "started_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    operator_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    channel: Mapped[str] = mapped_column(Text)
    caller_type: Mapped[str] = mapped_column(Text)
    professional_kind: Mapped[str | None] = mapped_column(Text)
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    """Coarse on purpose: a municipality with few contacts could point at a person."""
    county_answer: Mapped[str | None] = mapped_column(Text)
    """`Unanswered` where the operator has no county to give; NULL with no county code: not recorded yet."""
    target_group: Mapped[str | None] = mapped_column(Text)
    """A `TargetGroup` or an `Unanswered`; NULL: not recorded yet. Likewise the threat level."""
    threat_level: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    """`Intervention`s, or one `Unanswered`; empty: not recorded yet."""
    outcomes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    guidance_notes: Mapped[str] = mapped_column(Text, server_default=text("''"))
    notes_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when the operator lifts the contact to the line's supervisors."""


class Referral(Base):
    """A referral the caller consented to, with only what they agreed to share."""

    __tablename__ = "line_referral"
    __table_args__ = (
        CheckConstraint(one_of("status", ReferralStatus), name="status_known"),
        CheckConstraint("consent_given", name="only_with_consent"),
        CheckConstraint("target_tenant_id <> tenant_id", name="to_another_tenant"),
        CheckConstraint(_no_personal_identity_number("shared_information"), name="shared_without_personal_numbers"),
        CheckConstraint(_no_personal_identity_number("safe_contact"), name="contact_without_personal_numbers"),
        CheckConstraint(_no_personal_identity_number("decision_reason"), name="reason_without_personal_numbers"),
        CheckConstraint(
            "status <> 'declined' OR decision_reason <> '' OR reason_erased_at IS NOT NULL",
            name="declined_with_reason",
        ),
        Index("ix_line_referral_target", "target_tenant_id", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    """The line that sent it."""
    contact_id: Mapped[UUID] = mapped_column(ForeignKey("line_contact.id"), index=True)
    target_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    service_id: Mapped[UUID] = mapped_column(ForeignKey("directory_service.id"))
    consent_given: Mapped[bool]
    shared_information: Mapped[str] = mapped_column(Text, server_default=text("''"))
    safe_contact: Mapped[str] = mapped_column(Text, server_default=text("''"))
    """How and when the caller can safely be contacted, in their words."""
    status: Mapped[str] = mapped_column(Text, server_default=text("'sent'"))
    decision_reason: Mapped[str] = mapped_column(Text, server_default=text("''"))
    sent_by: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when nobody had opened it within one working day; the line's supervisors see it."""
    unanswered_escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when the receiver had not answered within two working days; the supervisors were told."""
    texts_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When what the caller shared and how to reach them were erased (by the database's trigger
    `erase_texts`): when the referral is answered, or when the line marks it expired unanswered."""
    reason_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the receiver's reason was erased (the same trigger empties it), after the line's note retention."""


class Callback(Base):
    """A request to be called back: when it is safe, on which number (sealed), in which window.

    The number is sealed with a key derived from the platform's secret key, bound to this row,
    and erased (set to NULL) when the callback is closed.
    """

    __tablename__ = "line_callback"
    __table_args__ = (
        CheckConstraint(one_of("status", CallbackStatus), name="status_known"),
        CheckConstraint("window_end > window_start", name="window_forward"),
        CheckConstraint("status = 'open' OR phone_sealed IS NULL", name="number_erased_when_closed"),
        CheckConstraint("NOT contains_personal_identity_number(note)", name="note_without_personal_numbers"),
        Index("ix_line_callback_queue", "tenant_id", "status", "window_start"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    contact_id: Mapped[UUID | None] = mapped_column(ForeignKey("line_contact.id"))
    """None for a request left on the public page outside opening hours."""
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(CALLBACK_NUMBER_PURPOSE, "id"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))
    status: Mapped[str] = mapped_column(Text, server_default=text("'open'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_reached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when an operator lifts the callback to the line's supervisors."""
    overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when its window had passed with the callback still open, and the supervisors were told."""


class CallbackAttempt(Base):
    """One try to call back, and how it went."""

    __tablename__ = "line_callback_attempt"
    __table_args__ = (CheckConstraint(one_of("outcome", AttemptOutcome), name="outcome_known"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    callback_id: Mapped[UUID] = mapped_column(ForeignKey("line_callback.id"), index=True)
    operator_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    outcome: Mapped[str] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LineSettings(Base):
    """A line's own settings: how long guidance notes are kept, how long a callback stays open."""

    __tablename__ = "line_settings"
    __table_args__ = (
        CheckConstraint("note_retention_days BETWEEN 1 AND 365", name="retention_in_range"),
        CheckConstraint("callback_expiry_days BETWEEN 1 AND 90", name="callback_expiry_in_range"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    note_retention_days: Mapped[int] = mapped_column(SmallInteger, server_default=text("30"))
    callback_expiry_days: Mapped[int] = mapped_column(SmallInteger, server_default=text("7"))

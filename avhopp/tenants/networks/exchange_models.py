"""The tables of a space's knowledge exchange: threads and replies, who follows a space, anonymised consultations.

Like every network row, `tenant_id` is the space's owner (the county board that runs it); the
organisation that wrote a row is `author_tenant_id`. Migration 0029 gives the coordinators and the
members' named representatives these rows, and nobody else: not a guest, not a former member.
A consultation holds coarse codes and one checked question only, and never a case's id.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base, all_of, one_of
from avhopp.tenants.cases.service import Intervention, TargetGroup
from avhopp.tenants.networks.exchange_vocabulary import AgeBand, ConsultationPhase

MAX_TITLE = 200
MAX_POST = 4_000


class NetworkFollow(Base):
    """A person who follows a space: told of its new threads, replies and consultations."""

    __tablename__ = "network_follow"
    __table_args__ = (ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),)

    space_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    follower_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The organisation the person follows for (where they are notified)."""
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NetworkThread(Base):
    """A short thread in a space: a question, "how do others handle ...?"."""

    __tablename__ = "network_thread"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 2 AND {MAX_TITLE}", name="title_length"),
        CheckConstraint(f"length(body) BETWEEN 2 AND {MAX_POST}", name="body_length"),
        ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),
        UniqueConstraint("id", "space_id", "tenant_id"),
        Index("ix_network_thread_space", "space_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    author_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkThreadReply(Base):
    """A reply in a thread."""

    __tablename__ = "network_thread_reply"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 2 AND {MAX_POST}", name="body_length"),
        ForeignKeyConstraint(
            ["thread_id", "space_id", "tenant_id"],
            ["network_thread.id", "network_thread.space_id", "network_thread.tenant_id"],
        ),
        Index("ix_network_thread_reply_thread", "thread_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    thread_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkConsultation(Base):
    """A case brought for advice: coarse codes and a checked question, no identity, no link to any case."""

    __tablename__ = "network_consultation"
    __table_args__ = (
        CheckConstraint(one_of("age_band", AgeBand), name="age_band_known"),
        CheckConstraint(one_of("phase", ConsultationPhase), name="phase_known"),
        CheckConstraint(f"affiliation IS NULL OR ({one_of('affiliation', TargetGroup)})", name="affiliation_known"),
        CheckConstraint(all_of("needs", Intervention), name="needs_known"),
        CheckConstraint(all_of("interventions_tried", Intervention), name="interventions_tried_known"),
        CheckConstraint(f"length(question) BETWEEN 10 AND {MAX_POST}", name="question_length"),
        CheckConstraint("(closed_at IS NULL) = (closed_by IS NULL)", name="closed_by_whom"),
        ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),
        UniqueConstraint("id", "space_id", "tenant_id"),
        Index("ix_network_consultation_space", "space_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    age_band: Mapped[str] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text))
    interventions_tried: Mapped[list[str]] = mapped_column(ARRAY(Text))
    county_code: Mapped[str] = mapped_column(String(2), ForeignKey("county.code"))
    municipality_code: Mapped[str | None] = mapped_column(String(4), ForeignKey("municipality.code"))
    """Only for a municipality of at least `LARGE_MUNICIPALITY` people; else the county alone."""
    question: Mapped[str] = mapped_column(Text)
    author_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkConsultationReply(Base):
    """A member's advice on a consultation."""

    __tablename__ = "network_consultation_reply"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 2 AND {MAX_POST}", name="body_length"),
        ForeignKeyConstraint(
            ["consultation_id", "space_id", "tenant_id"],
            ["network_consultation.id", "network_consultation.space_id", "network_consultation.tenant_id"],
        ),
        Index("ix_network_consultation_reply_consultation", "consultation_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    consultation_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))

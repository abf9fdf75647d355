"""The networks part's tables.

A space belongs to the county board's tenant that runs it (`tenant_id` on every row is the space's
owner). Member organisations reach a space through their membership and their named representatives,
guests reach the one meeting they were invited to until it ends; migration 0022's policies decide
this row by row, so a member that leaves, or a person who leaves their organisation, sees nothing at once.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
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
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base, one_of
from avhopp.platform.sealing import SEALING_OVERHEAD, sealed_column
from avhopp.tenants.networks.vocabulary import MinutesStatus, NetworkRole, OutcomeKind, SpaceScope

MAX_NAME = 200
MAX_PLACE = 300
MAX_LINK = 500
MAX_MINUTES = 20_000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_PURPOSE = "avhopp.networks.document"


class NetworkSpace(Base):
    """One network: a county's (one per county), or one across counties or for the whole country."""

    __tablename__ = "network_space"
    __table_args__ = (
        CheckConstraint(one_of("scope", SpaceScope), name="scope_known"),
        CheckConstraint("(scope = 'county') = (county_code IS NOT NULL)", name="county_space_names_its_county"),
        CheckConstraint(f"length(name) BETWEEN 2 AND {MAX_NAME}", name="name_length"),
        UniqueConstraint("id", "tenant_id"),
        Index("uq_network_space_county", "county_code", unique=True, postgresql_where=text("scope = 'county'")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    scope: Mapped[str] = mapped_column(Text)
    county_code: Mapped[str | None] = mapped_column(String(2), ForeignKey("county.code"))
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkMember(Base):
    """An organisation in a space, from its invitation until it leaves (or is removed)."""

    __tablename__ = "network_member"
    __table_args__ = (
        CheckConstraint(one_of("network_role", NetworkRole), name="network_role_known"),
        CheckConstraint(f"length(contact_function) BETWEEN 2 AND {MAX_NAME}", name="contact_function_length"),
        ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),
        UniqueConstraint("id", "space_id", "tenant_id", "member_tenant_id"),
        Index(
            "uq_network_member_active",
            "space_id",
            "member_tenant_id",
            unique=True,
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    member_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    network_role: Mapped[str] = mapped_column(Text)
    contact_function: Mapped[str] = mapped_column(Text)
    """A function to contact (e.g. "Avhopparsamordnare, socialtjänsten"), never a private detail."""
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    invited_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkRepresentative(Base):
    """A person a member organisation names, from its own staff, to take part for it."""

    __tablename__ = "network_representative"
    __table_args__ = (
        ForeignKeyConstraint(
            ["member_id", "space_id", "tenant_id", "member_tenant_id"],
            [
                "network_member.id",
                "network_member.space_id",
                "network_member.tenant_id",
                "network_member.member_tenant_id",
            ],
        ),
        Index(
            "uq_network_representative_active",
            "member_id",
            "user_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_network_representative_person", "member_tenant_id", "user_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    member_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    member_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    named_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    named_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NetworkMeeting(Base):
    """A meeting of a space: when (stored in UTC, shown in Europe/Stockholm) and where or on which link."""

    __tablename__ = "network_meeting"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"length(title) BETWEEN 2 AND {MAX_NAME}", name="title_length"),
        CheckConstraint("place <> '' OR video_link <> ''", name="place_or_link"),
        CheckConstraint(f"length(place) <= {MAX_PLACE} AND length(video_link) <= {MAX_LINK}", name="where_length"),
        CheckConstraint("video_link = '' OR video_link LIKE 'https://%'", name="video_link_https"),
        ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),
        UniqueConstraint("id", "space_id", "tenant_id"),
        Index("ix_network_meeting_space", "space_id", "starts_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(Text, server_default="")
    video_link: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the reminder went out (a day before), so that it goes out once."""


class NetworkAgendaItem(Base):
    """A point on a meeting's agenda, and the member organisation that brings it (or the coordinator)."""

    __tablename__ = "network_agenda_item"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 2 AND {MAX_NAME}", name="title_length"),
        CheckConstraint("position BETWEEN 1 AND 50", name="position_sensible"),
        ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("meeting_id", "position"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    meeting_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(Text)
    brought_by: Mapped[UUID | None] = mapped_column(ForeignKey("network_member.id"))
    """The member organisation that brings the point; None: the coordinator."""


class NetworkGuest(Base):
    """A person of another organisation invited to one meeting; access ends when the meeting does."""

    __tablename__ = "network_guest"
    __table_args__ = (
        ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
        ),
        Index(
            "uq_network_guest_active", "meeting_id", "user_id", unique=True, postgresql_where=text("revoked_at IS NULL")
        ),
        Index("ix_network_guest_person", "guest_tenant_id", "user_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    meeting_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    guest_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    invited_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NetworkResponse(Base):
    """A representative's or guest's answer to a meeting's invitation: attending or not."""

    __tablename__ = "network_response"
    __table_args__ = (
        ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            ondelete="CASCADE",
        ),
        # The read policy's second branch: the responder's own answers.
        Index("ix_network_response_responder", "responder_tenant_id", "user_id"),
    )

    meeting_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    responder_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    attending: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NetworkMinutes(Base):
    """A meeting's minutes: drafted by the coordinator, approved, then published to the members."""

    __tablename__ = "network_minutes"
    __table_args__ = (
        CheckConstraint(one_of("status", MinutesStatus), name="status_known"),
        CheckConstraint(f"length(body) <= {MAX_MINUTES}", name="body_length"),
        CheckConstraint("(status = 'draft') = (approved_at IS NULL)", name="approved_unless_draft"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_when_published"),
        ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
        ),
    )

    meeting_id: Mapped[UUID] = mapped_column(primary_key=True)
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    drafted_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkOutcome(Base):
    """A decision, or an action item with its responsible member organisation, due date and when it was done."""

    __tablename__ = "network_outcome"
    __table_args__ = (
        CheckConstraint(one_of("kind", OutcomeKind), name="kind_known"),
        CheckConstraint(f"length(text) BETWEEN 2 AND {MAX_NAME * 2}", name="text_length"),
        CheckConstraint(
            "(kind = 'action') = (responsible IS NOT NULL AND due_on IS NOT NULL)", name="action_has_owner_and_date"
        ),
        CheckConstraint("kind = 'action' OR done_at IS NULL", name="only_actions_are_done"),
        ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
        ),
        Index("ix_network_outcome_meeting", "meeting_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    meeting_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    kind: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[UUID | None] = mapped_column(ForeignKey("network_member.id"))
    """The member organisation responsible for an action item."""
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NetworkDocument(Base):
    """A document in a space, or attached to one of its meetings; removing it keeps it in the history."""

    __tablename__ = "network_document"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 2 AND {MAX_NAME}", name="title_length"),
        ForeignKeyConstraint(["space_id", "tenant_id"], ["network_space.id", "network_space.tenant_id"]),
        UniqueConstraint("id", "space_id", "tenant_id"),
        Index("ix_network_document_space", "space_id", "removed_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    meeting_id: Mapped[UUID | None] = mapped_column(ForeignKey("network_meeting.id"))
    title: Mapped[str] = mapped_column(Text)
    uploader_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class NetworkDocumentVersion(Base):
    """One version of a document: its content in PostgreSQL, its type as recognised from the content."""

    __tablename__ = "network_document_version"
    __table_args__ = (
        CheckConstraint(f"size BETWEEN 1 AND {MAX_DOCUMENT_BYTES}", name="size_limit"),
        # Sealed: a version byte, the nonce and the tag around the document itself.
        CheckConstraint(f"octet_length(content) = size + {SEALING_OVERHEAD}", name="sealed_content_length"),
        CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg')", name="content_type_allowed"),
        ForeignKeyConstraint(
            ["document_id", "space_id", "tenant_id"],
            ["network_document.id", "network_document.space_id", "network_document.tenant_id"],
        ),
        UniqueConstraint("document_id", "version"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    document_id: Mapped[UUID] = mapped_column()
    space_id: Mapped[UUID] = mapped_column(index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    version: Mapped[int] = mapped_column(SmallInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary, info=sealed_column(DOCUMENT_PURPOSE, "id"))
    content_type: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    uploaded_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))

"""The networks part's tables.

A space belongs to the county board's tenant that runs it (`tenant_id` on every row is the space's
owner). Member organisations reach a space through their membership and their named representatives,
guests reach the one meeting they were invited to until it ends; migration 0022's policies decide
this row by row, so a member that leaves, or a person who leaves their organisation, sees nothing at once.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base, one_of
from avhopp.tenants.networks.vocabulary import NetworkRole, SpaceScope

MAX_NAME = 200
MAX_PLACE = 300
MAX_LINK = 500


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
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
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
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
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
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(Text, server_default="")
    video_link: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


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
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
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
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
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
    )

    meeting_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    space_id: Mapped[UUID] = mapped_column()
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    responder_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    attending: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

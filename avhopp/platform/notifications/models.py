"""Notifications and each person's choice of e-mail about them.

A notification says only that something of a coded kind happened and where to look: a kind
code and a local link. It holds no free text, so it can hold no personal data or case detail.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base

KIND_PATTERN = "^[a-z][a-z0-9_]{0,63}$"
LINK_PATTERN = "^/([^/\\\\[:space:]][^\\\\[:space:]]*)?$"
"""A path on this platform: one leading slash (never `//host`), no backslash, no white space."""


class Notification(Base):
    """Something new for one person in one tenant (tenant data, and the recipient's alone).

    Row-level security: the tenant's policy, and reading or changing a row also needs the
    transaction's user to be its recipient. Anyone acting for the tenant may create one.
    """

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(f"kind ~ '{KIND_PATTERN}'", name="kind_is_a_code"),
        CheckConstraint(f"link ~ '{LINK_PATTERN}'", name="link_is_local"),
        Index("ix_notification_recipient", "tenant_id", "user_id", "created_at"),
        Index("ix_notification_unread", "tenant_id", "user_id", postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the e-mail about it went out; set in the same transaction that sent it."""


class NotificationPreference(Base):
    """A person's choice about e-mail; no row means e-mail is on (row-level security: their own only)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
